import Crypto
import CustodyDiagnostics
import CustodyLedger
import CustodyValues
import CustodyYAML
import Foundation
import Testing

/// custody never writes into a ledger folder or a standard file: reading a read-only copy
/// (chmod -R a-w) leaves every file's bytes, size and modification time and the folder's
/// listing exactly as they were.
@Suite struct ReadOnlyTests {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  /// A schema naming one or two columns of every table in fixtures/sample (other columns are
  /// extra, which the reader allows), so every file is opened and streamed to the end.
  static let sampleSchema: LedgerSchema = {
    func table(_ name: String, _ columns: [(String, ColumnType)]) -> TableSchema {
      TableSchema(
        name: name, file: name + ".csv",
        columns: columns.map { ColumnSchema(name: $0.0, type: $0.1, required: true) })
    }
    let t = ColumnType.decimal(unit: "t", maxScale: 6)
    return LedgerSchema(
      id: "sample", version: "1",
      tables: [
        table("sites", [("site", .string), ("in_scope", .boolean)]),
        table("suppliers", [("supplier", .string), ("valid_from", .date)]),
        table("partners", [("partner", .string)]),
        table("periods", [("site", .string), ("start", .date), ("end", .date)]),
        table(
          "conversion_factors", [("site", .string), ("factor", .decimal(unit: nil, maxScale: 6))]),
        table("cfp_factors", [("route", .string)]),
        table("receipts", [("entry_id", .string), ("date", .date), ("cu_t", t)]),
        table("shipments", [("entry_id", .string), ("cu_t", t)]),
        table("transfers", [("transfer_id", .string), ("cu_t", t)]),
        table("stock_counts", [("site", .string), ("physical_cu_t", t)]),
        table("documents", [("document_id", .string)]),
      ])
  }()

  /// path -> "size mtime(ns) sha256" for every entry under `folder`, plus the folder itself.
  static func snapshot(_ folder: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for name in try FileManager.default.subpathsOfDirectory(atPath: folder) + [""] {
      let path = name.isEmpty ? folder : folder + "/" + name
      var st = stat()
      guard lstat(path, &st) == 0 else { continue }
      let mtime = "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
      var digest = "-"
      if (st.st_mode & S_IFMT) == S_IFREG {
        digest = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map {
          String(format: "%02x", $0)
        }.joined()
      }
      out[name] = "\(st.st_size) \(mtime) \(digest) \(st.st_mode)"
    }
    return out
  }

  static func readOnlyCopy(of source: String) throws -> String {
    let folder = Robust.folder() + "/ledger"
    try FileManager.default.copyItem(atPath: source, toPath: folder)
    #expect(chmodAll(folder, writable: false))
    return folder
  }

  @discardableResult static func chmodAll(_ folder: String, writable: Bool) -> Bool {
    let paths =
      ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).map {
        folder + "/" + $0
      } + [folder]
    return paths.allSatisfy { p in
      var st = stat()
      guard stat(p, &st) == 0 else { return false }
      let mode = writable ? (st.st_mode | 0o200) : (st.st_mode & ~0o222)
      return chmod(p, mode) == 0
    }
  }

  @Test func readingASampleLedgerChangesNothing() throws {
    let folder = try ReadOnlyTests.readOnlyCopy(of: ReadOnlyTests.repository + "/fixtures/sample")
    defer { Robust.remove((folder as NSString).deletingLastPathComponent) }
    let before = try ReadOnlyTests.snapshot(folder)
    #expect(before.count == 14)
    let ledger = try FolderLedger.open(folder: folder, schema: ReadOnlyTests.sampleSchema)
    var rows = 0
    for table in ReadOnlyTests.sampleSchema.tables {
      try ledger.read(table: table.name) { _ in rows += 1 }
    }
    #expect(rows > 1000)
    #expect(ledger.files.count == 11)
    #expect(try ReadOnlyTests.snapshot(folder) == before)
  }

  @Test func readingABrokenLedgerChangesNothing() throws {
    // The error paths (a bad header, invalid UTF-8) must not write either (no partial output,
    // no "repaired" file).
    let folder = try ReadOnlyTests.readOnlyCopy(of: ReadOnlyTests.repository + "/fixtures/sample")
    defer { Robust.remove((folder as NSString).deletingLastPathComponent) }
    ReadOnlyTests.chmodAll(folder, writable: true)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/receipts.csv"))
    bytes.append(contentsOf: [0xFF, 0x0A])
    try bytes.write(to: URL(fileURLWithPath: folder + "/receipts.csv"))
    ReadOnlyTests.chmodAll(folder, writable: false)
    let before = try ReadOnlyTests.snapshot(folder)
    #expect(Robust.readLedger(folder, schema: ReadOnlyTests.sampleSchema).hasPrefix("CUS6007@"))
    #expect(try ReadOnlyTests.snapshot(folder) == before)
  }

  @Test func loadingYAMLAndProfilesChangesNothing() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    let standard = "standard: s\ntitle: T\nsections: []\n"
    let profile =
      "profile: erp\ndelimiter: \";\"\ndecimal_comma: true\ntables:\n  receipts:\n    columns: {entry_id: Beleg}\n"
    try standard.write(toFile: folder + "/standard.yaml", atomically: false, encoding: .utf8)
    try profile.write(toFile: folder + "/profile.yaml", atomically: false, encoding: .utf8)
    ReadOnlyTests.chmodAll(folder, writable: false)
    let before = try ReadOnlyTests.snapshot(folder)
    var bag = DiagnosticBag()
    #expect(YAMLLoader().load(path: folder + "/standard.yaml", into: &bag) != nil)
    #expect(
      MappingProfile.load(path: folder + "/profile.yaml", schema: Robust.schema, into: &bag) != nil)
    #expect(bag.diagnostics.isEmpty)
    #expect(try ReadOnlyTests.snapshot(folder) == before)
  }
}
