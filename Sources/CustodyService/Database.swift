import Foundation
import GRDB

/// Opens the service's SQLite database (WAL mode through `DatabasePool`) and migrates it.
enum ServiceDatabase {
  static func open(_ url: URL) throws -> DatabasePool {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in
      // Durable commits: a crash after a 2xx never loses what was acknowledged.
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    let pool = try DatabasePool(path: url.path, configuration: configuration)
    try migrator.migrate(pool)
    return pool
  }

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE organisation (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            slug TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL
          );
          CREATE TABLE user (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'client')),
            organisation_id INTEGER REFERENCES organisation(id),
            created_at TEXT NOT NULL,
            CHECK ((role = 'client') = (organisation_id IS NOT NULL))
          );
          CREATE TABLE assignment (
            user_id INTEGER NOT NULL REFERENCES user(id),
            organisation_id INTEGER NOT NULL REFERENCES organisation(id),
            PRIMARY KEY (user_id, organisation_id)
          );
          CREATE TABLE token (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL REFERENCES user(id),
            hash TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT,
            revoked_at TEXT
          );
          CREATE TABLE bundle (
            digest TEXT PRIMARY KEY,
            archive_sha256 TEXT NOT NULL,
            entry TEXT NOT NULL,
            standard_id TEXT NOT NULL,
            title TEXT NOT NULL,
            version TEXT NOT NULL,
            effective_from TEXT,
            standard_sha256 TEXT NOT NULL,
            graph_sha256 TEXT NOT NULL,
            files INTEGER NOT NULL,
            uploaded_by INTEGER NOT NULL REFERENCES user(id),
            created_at TEXT NOT NULL
          );
          CREATE TABLE submission (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            organisation_id INTEGER NOT NULL REFERENCES organisation(id),
            period TEXT NOT NULL,
            note TEXT NOT NULL,
            profile_sha256 TEXT,
            manifest_sha256 TEXT NOT NULL,
            created_by INTEGER NOT NULL REFERENCES user(id),
            created_at TEXT NOT NULL
          );
          CREATE TABLE submission_file (
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            PRIMARY KEY (submission_id, name)
          );
          CREATE TABLE run (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            bundle_digest TEXT NOT NULL REFERENCES bundle(digest),
            status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            verdict TEXT,
            major INTEGER, minor INTEGER, observation INTEGER, findings INTEGER,
            error TEXT,
            report_sha256 TEXT,
            signed_sha256 TEXT
          );
          CREATE INDEX run_status ON run(status, id);
          CREATE INDEX run_submission ON run(submission_id);
          CREATE INDEX submission_org ON submission(organisation_id, id);
          CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            object TEXT NOT NULL,
            organisation_id INTEGER,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
          );
          -- Append-only: the service never updates or deletes an audit entry; these
          -- triggers make an accidental UPDATE/DELETE through the service fail loudly.
          -- (A person with the file can still edit it: the hash chain detects that.)
          CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
          CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
          """)
    }
    // The web pages' passwords and sessions (issue 21).
    WebSessions.registerMigrations(&migrator)
    // A submission may name the run of its previous audited period (CUA-4.7).
    migrator.registerMigration("v2-previous-run") { db in
      try db.execute(
        sql: "ALTER TABLE submission ADD COLUMN previous_run_id INTEGER REFERENCES run(id)")
    }
    return migrator
  }
}

/// ISO 8601 timestamps in UTC with milliseconds, as stored and served.
enum Clock {
  static func now() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date())
  }

  static func parse(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date }
    return ISO8601DateFormatter().date(from: text)
  }
}
