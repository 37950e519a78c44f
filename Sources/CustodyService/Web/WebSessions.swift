import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt

/// People log in to the web pages with a name and password; a session is a random cookie
/// (stored as its sha256, like API tokens) with its own CSRF token. The API keeps its bearer
/// tokens; a session never authenticates /api/v1 and a token never authenticates a page.
public enum WebSessions {
  static let cookieName = "custody_session"
  /// Double-submit cookie for the login form (there is no session yet to hold its token).
  static let loginCookieName = "custody_login"
  /// A session ends this long after login, however active.
  static let lifetime: TimeInterval = 8 * 3600
  /// ... or after this long without a request.
  static let idle: TimeInterval = 30 * 60
  /// bcrypt's work factor: about a quarter of a second per hash on one core.
  public static let bcryptCost: UInt8 = 12
  /// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
  static let passwordBytes = 12...72

  /// The schema the web pages add: a password per user, sessions. Registered after the
  /// service's own migrations.
  static func registerMigrations(_ migrator: inout DatabaseMigrator) {
    migrator.registerMigration("web-v1") { db in
      try db.execute(
        sql: """
          ALTER TABLE user ADD COLUMN password_hash TEXT;
          CREATE TABLE web_session (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            hash TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES user(id),
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ended_at TEXT
          );
          CREATE INDEX web_session_user ON web_session(user_id);
          """)
    }
  }

  /// A session as the pages use it.
  struct Session: Sendable {
    var id: Int64
    var principal: Principal
    var csrf: String
  }

  /// 32 random bytes, base64url: valid cookie and form-field characters.
  static func randomToken() -> String {
    String(Tokens.generate().dropFirst(4))
  }

  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
  }

  /// Constant-time comparison: a wrong CSRF token reveals nothing by its timing.
  static func same(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<x.count { difference |= x[i] ^ y[i] }
    return difference == 0
  }

  static func checkPassword(_ password: String) throws(ServiceSetupError) {
    guard passwordBytes.contains(password.utf8.count) else {
      throw ServiceSetupError(
        "a password must be \(passwordBytes.lowerBound) to \(passwordBytes.upperBound) bytes of UTF-8"
      )
    }
  }

  /// Sets (or replaces) a user's password and ends that user's sessions.
  static func setPassword(
    _ db: Database, user name: String, password: String, actor: String, cost: UInt8 = bcryptCost
  ) throws {
    try checkPassword(password)
    guard
      let id = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE name = ?", arguments: [name])
    else { throw ServiceSetupError("no user '\(name)'") }
    let hash = Bcrypt.hash(password, cost: cost)
    try db.execute(sql: "UPDATE user SET password_hash = ? WHERE id = ?", arguments: [hash, id])
    try db.execute(
      sql: "UPDATE web_session SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
      arguments: [Clock.now(), id])
    try AuditLog.append(
      db, actor: actor, action: "user.password", object: "user:\(id)",
      details: ["name": name])
  }

  /// A bcrypt hash of nothing anyone knows, checked when the name is unknown so that a wrong
  /// name and a wrong password take the same time.
  static let decoy = Bcrypt.hash(WebSessions.randomToken(), cost: bcryptCost)

  /// Checks name and password; on success opens a session and returns its cookie value.
  static func login(_ database: DatabasePool, name: String, password: String) async throws
    -> String?
  {
    let row = try await database.read { db in
      try Row.fetchOne(
        db, sql: "SELECT id, password_hash FROM user WHERE name = ?", arguments: [name])
    }
    let hash: String? = row?["password_hash"]
    // Verifying is CPU-bound (a quarter second): off the cooperative pool.
    let matches = try await offload {
      let ok = Bcrypt.verify(password, hash: hash ?? decoy)
      return ok && hash != nil
    }
    guard matches, let row else { return nil }
    let userID: Int64 = row["id"]
    let token = randomToken()
    let now = Date()
    try await database.write { db in
      try db.execute(
        sql: """
          INSERT INTO web_session (hash, user_id, csrf, created_at, last_seen_at, expires_at)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          Tokens.hash(token), userID, randomToken(), timestamp(now), timestamp(now),
          timestamp(now.addingTimeInterval(lifetime)),
        ])
      let id = db.lastInsertedRowID
      try AuditLog.append(
        db, actor: "user:\(userID):\(name)", action: "session.login", object: "session:\(id)")
    }
    return token
  }

  /// The session the request's cookie names, if it is open, unexpired and not idle too long.
  static func current(_ request: Request, database: DatabasePool) async throws -> Session? {
    guard let token = request.cookies[cookieName]?.value, !token.isEmpty, token.count <= 100
    else { return nil }
    let now = Date()
    let row = try await database.read { db in
      try Row.fetchOne(
        db,
        sql: """
          SELECT web_session.id AS session_id, web_session.csrf, web_session.last_seen_at,
                 web_session.expires_at, user.id AS user_id, user.name, user.role,
                 user.organisation_id
          FROM web_session JOIN user ON user.id = web_session.user_id
          WHERE web_session.hash = ? AND web_session.ended_at IS NULL
          """, arguments: [Tokens.hash(token)])
    }
    guard let row else { return nil }
    let expires: String = row["expires_at"]
    let lastSeen: String = row["last_seen_at"]
    guard expires > timestamp(now), lastSeen > timestamp(now.addingTimeInterval(-idle)),
      let role = Principal.Role(rawValue: row["role"])
    else { return nil }
    let sessionID: Int64 = row["session_id"]
    let userID: Int64 = row["user_id"]
    let assigned = try await database.read { db in
      try Int64.fetchSet(
        db, sql: "SELECT organisation_id FROM assignment WHERE user_id = ?", arguments: [userID])
    }
    // Sliding idle window, written at most once a minute per session.
    if lastSeen < timestamp(now.addingTimeInterval(-60)) {
      try await database.write { db in
        try db.execute(
          sql: "UPDATE web_session SET last_seen_at = ? WHERE id = ?",
          arguments: [timestamp(now), sessionID])
      }
    }
    // Sessions have no API token; 0 is no token's id (ids start at 1).
    let principal = Principal(
      userID: userID, name: row["name"], role: role, organisation: row["organisation_id"],
      assigned: assigned, tokenID: 0)
    return Session(id: sessionID, principal: principal, csrf: row["csrf"])
  }

  static func logout(_ database: DatabasePool, session: Session) async throws {
    try await database.write { db in
      try db.execute(
        sql: "UPDATE web_session SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
        arguments: [Clock.now(), session.id])
      try AuditLog.append(
        db, actor: session.principal.actor, action: "session.logout",
        object: "session:\(session.id)")
    }
  }

  /// `Secure` only behind a TLS-terminating proxy (docs/service.md): on plain-HTTP loopback a
  /// browser would drop a Secure cookie.
  static func isSecure(_ request: Request) -> Bool {
    request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
  }

  static func sessionCookie(_ value: String, request: Request, maxAge: Int) -> Cookie {
    Cookie(
      name: cookieName, value: value, maxAge: maxAge, path: "/", secure: isSecure(request),
      httpOnly: true, sameSite: .strict)
  }

  static func loginCookie(_ value: String, request: Request, maxAge: Int) -> Cookie {
    Cookie(
      name: loginCookieName, value: value, maxAge: maxAge, path: "/login",
      secure: isSecure(request), httpOnly: true, sameSite: .strict)
  }
}

extension ServiceSetup {
  /// `custody serve user-password`: sets a user's password for the web pages (bcrypt) and ends
  /// the user's open sessions. The API token of the user keeps working.
  /// `cost` is bcrypt's work factor (tests use the minimum, 4, to stay quick).
  public static func setPassword(
    data: String, user: String, password: String, cost: UInt8 = WebSessions.bcryptCost
  ) throws {
    let directory = DataDirectory(data)
    guard directory.isInitialised else {
      throw ServiceSetupError("\(directory.root.path) is not an initialised data directory")
    }
    let database = try ServiceDatabase.open(directory.database)
    try database.write { db in
      try WebSessions.setPassword(
        db, user: user, password: password, actor: "system:cli", cost: cost)
    }
  }
}
