import CustodyKit
import Foundation
import GRDB

/// The append-only, hash-chained audit log. Each entry's hash covers the previous entry's hash
/// and every field of its own, so editing, deleting or reordering any entry breaks the chain
/// from that entry on (`custody serve audit-verify`).
public enum AuditLog {
  static let genesis = String(repeating: "0", count: 64)

  /// Appends an entry inside the caller's transaction, so the action and its record commit
  /// together or not at all.
  static func append(
    _ db: Database, actor: String, action: String, object: String, organisation: Int64? = nil,
    details: [String: String] = [:]
  ) throws {
    let prev =
      try String.fetchOne(db, sql: "SELECT hash FROM audit ORDER BY id DESC LIMIT 1") ?? genesis
    let id = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM audit") ?? 0) + 1
    let at = Clock.now()
    let detailsText = canonical(details)
    let hash = entryHash(
      id: id, at: at, actor: actor, action: action, object: object, organisation: organisation,
      details: detailsText, prev: prev)
    try db.execute(
      sql: """
        INSERT INTO audit (id, at, actor, action, object, organisation_id, details, prev_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [id, at, actor, action, object, organisation, detailsText, prev, hash])
  }

  /// Sorted keys, no whitespace: the same details always hash the same.
  static func canonical(_ details: [String: String]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(details)) ?? Data("{}".utf8), as: UTF8.self)
  }

  static func entryHash(
    id: Int64, at: String, actor: String, action: String, object: String, organisation: Int64?,
    details: String, prev: String
  ) -> String {
    // Fields joined by a unit separator that none of them can contain unescaped (details is
    // JSON; the others are produced by the service).
    let fields = [
      prev, String(id), at, actor, action, object, organisation.map(String.init) ?? "", details,
    ]
    return Digests.sha256Hex(Data(fields.joined(separator: "\u{1F}").utf8))
  }

  public struct VerifyResult: Sendable, Equatable {
    public var entries: Int
    /// The first entry id whose hash or link does not check, with the reason.
    public var broken: (id: Int64, reason: String)?
    public static func == (a: VerifyResult, b: VerifyResult) -> Bool {
      a.entries == b.entries && a.broken?.id == b.broken?.id && a.broken?.reason == b.broken?.reason
    }
  }

  /// Walks the whole chain from the genesis hash.
  public static func verify(_ db: Database) throws -> VerifyResult {
    var prev = genesis
    var expectedID: Int64 = 1
    var count = 0
    let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY id")
    while let row = try rows.next() {
      let id: Int64 = row["id"]
      if id != expectedID {
        return VerifyResult(
          entries: count, broken: (expectedID, "entry \(expectedID) is missing (next is \(id))"))
      }
      let storedPrev: String = row["prev_hash"]
      if storedPrev != prev {
        return VerifyResult(
          entries: count, broken: (id, "entry \(id) does not link to entry \(id - 1)'s hash"))
      }
      let hash = entryHash(
        id: id, at: row["at"], actor: row["actor"], action: row["action"], object: row["object"],
        organisation: row["organisation_id"], details: row["details"], prev: prev)
      let stored: String = row["hash"]
      if stored != hash {
        return VerifyResult(
          entries: count, broken: (id, "entry \(id)'s content does not match its hash"))
      }
      prev = hash
      expectedID += 1
      count += 1
    }
    return VerifyResult(entries: count, broken: nil)
  }
}
