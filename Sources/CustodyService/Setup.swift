import Crypto
import CustodyKit
import Foundation
import GRDB

/// `custody serve init`, `backup` and `audit-verify`.
public enum ServiceSetup {
  /// Creates the database, the signing key and one admin with one API token, and returns that
  /// token (the only time it exists in clear). Refuses a directory that already holds a
  /// database or a key: nothing is overwritten.
  public static func initialise(data: String, adminName: String = "admin") throws -> String {
    let directory = DataDirectory(data)
    for existing in [directory.database, directory.signingKey]
    where FileManager.default.fileExists(atPath: existing.path) {
      throw ServiceSetupError(
        "\(existing.path) already exists; \(directory.root.path) is already initialised")
    }
    try directory.createFolders()
    do {
      try Signer.keygen(output: directory.signingKey.path)
    } catch {
      throw ServiceSetupError(error.description)
    }
    let database = try ServiceDatabase.open(directory.database)
    let token = Tokens.generate()
    try database.write { db in
      let now = Clock.now()
      try db.execute(
        sql: "INSERT INTO user (name, role, created_at) VALUES (?, 'admin', ?)",
        arguments: [adminName, now])
      let userID = db.lastInsertedRowID
      try db.execute(
        sql: "INSERT INTO token (user_id, hash, label, created_at) VALUES (?, ?, 'init', ?)",
        arguments: [userID, Tokens.hash(token), now])
      try AuditLog.append(
        db, actor: "system:init", action: "service.init", object: "user:\(userID)",
        details: [
          "signing_key_id": KeyFile.keyId(
            try KeyFile.readPrivateKey(path: directory.signingKey.path).publicKey)
        ])
    }
    // WAL mode is persistent in the file; confirm it took.
    let mode = try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    guard mode == "wal" else {
      throw ServiceSetupError("the database is not in WAL mode (\(mode ?? "?"))")
    }
    return token
  }

  /// Copies the database through SQLite's online backup API (consistent while the service runs),
  /// plus the key and the objects and bundles (immutable files, copied as they are), into DEST,
  /// which must not exist.
  public static func backup(data: String, to destination: String) throws -> (
    bytes: Int, objects: Int
  ) {
    let source = DataDirectory(data)
    guard source.isInitialised else {
      throw ServiceSetupError("\(source.root.path) is not an initialised data directory")
    }
    let target = DataDirectory(destination)
    if FileManager.default.fileExists(atPath: target.root.path) {
      throw ServiceSetupError("\(target.root.path) already exists; not overwriting a backup")
    }
    try target.createFolders()
    let from = try DatabaseQueue(path: source.database.path)
    let to = try DatabaseQueue(path: target.database.path)
    try from.backup(to: to)
    try to.write { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
    try FileManager.default.copyItem(at: source.signingKey, to: target.signingKey)
    try FileManager.default.copyItem(at: source.publicKey, to: target.publicKey)
    var objects = 0
    for folder in [source.objects, source.bundles] {
      let relative = folder.lastPathComponent
      try FileManager.default.removeItem(at: target.root.appendingPathComponent(relative))
      try FileManager.default.copyItem(at: folder, to: target.root.appendingPathComponent(relative))
    }
    if let walker = FileManager.default.enumerator(atPath: target.objects.path) {
      for case let path as String in walker {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(
          atPath: target.objects.appendingPathComponent(path).path, isDirectory: &isDirectory)
        if !isDirectory.boolValue { objects += 1 }
      }
    }
    let bytes =
      (try FileManager.default.attributesOfItem(atPath: target.database.path)[.size] as? Int) ?? 0
    return (bytes, objects)
  }

  /// Verifies the audit chain of DIR.
  public static func auditVerify(data: String) throws -> AuditLog.VerifyResult {
    let directory = DataDirectory(data)
    guard directory.isInitialised else {
      throw ServiceSetupError("\(directory.root.path) is not an initialised data directory")
    }
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: directory.database.path, configuration: configuration)
    return try queue.read { db in try AuditLog.verify(db) }
  }
}
