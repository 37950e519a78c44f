import CustodyDiagnostics
import CustodyLedger
import CustodyValues
import Foundation
import Testing

/// Shared fixtures for the robustness tests: the corpus folder, a small schema for ledger
/// cases, temporary folders and a compact `CODE@line:column` rendering of outcomes.
enum Robust {
  /// Tests/CustodyRobustnessTests/Corpus (read in place; not copied into the test bundle).
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Corpus").path

  /// The table the CSV and JSON Lines corpus cases are read as (the FuzzCSV harness's schema).
  static let receipts = TableSchema(
    name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
    columns: [
      ColumnSchema(name: "entry_id", type: .string, required: true),
      ColumnSchema(name: "date", type: .date, required: true),
      ColumnSchema(name: "pool", type: .enumeration(["PCL", "MR", "none"]), required: true),
      ColumnSchema(
        name: "cu_t", type: .decimal(unit: "t", maxScale: 6), required: true,
        minimum: ExactDecimal(0)),
      ColumnSchema(name: "lines", type: .integer, required: false),
      ColumnSchema(name: "in_scope", type: .boolean, required: false),
      ColumnSchema(name: "tags", type: .list(separator: ";"), required: false),
      ColumnSchema(name: "note", type: .string, required: false),
    ])
  static let suppliers = TableSchema(
    name: "suppliers", file: "suppliers.csv", key: ["supplier_id"],
    columns: [
      ColumnSchema(name: "supplier_id", type: .string, required: true),
      ColumnSchema(
        name: "due_diligence", type: .enumeration(["passed", "failed"]), required: true),
      ColumnSchema(name: "valid_from", type: .date, required: true),
      ColumnSchema(name: "valid_to", type: .date, required: false),
    ], validFrom: "valid_from", validTo: "valid_to")
  static let expressionReceipts: TableSchema = {
    var t = receipts
    t.columns.insert(ColumnSchema(name: "supplier", type: .string, required: true), at: 2)
    return t
  }()
  static let schema = LedgerSchema(id: "robust", version: "1", tables: [receipts])
  static let expressionSchema = LedgerSchema(
    id: "robust", version: "1", tables: [expressionReceipts, suppliers])

  /// A new empty temporary folder.
  static func folder() -> String {
    let path = NSTemporaryDirectory() + "custody-robust-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func remove(_ path: String) {
    // Undo `chmod a-w` first so the folder can be removed.
    _ = try? FileManager.default.subpathsOfDirectory(atPath: path).forEach {
      chmod(path + "/" + $0, 0o755)
    }
    chmod(path, 0o755)
    try? FileManager.default.removeItem(atPath: path)
  }

  /// `CODE@line:column` of a diagnostic (file name left out), or `CODE@-` without a span.
  static func at(_ d: Diagnostic) -> String {
    guard let s = d.span else { return "\(d.code.id)@-" }
    return "\(d.code.id)@\(s.start.line):\(s.start.column)"
  }

  /// Reads every row of `receipts` from `folder`; `ok rows=N cellErrors=M` or the error as `at`.
  static func readLedger(
    _ folder: String, schema: LedgerSchema = Robust.schema, limits: LedgerReadLimits = .default
  ) -> String {
    do {
      let ledger = try FolderLedger.open(
        folder: folder, schema: schema, options: LedgerOpenOptions(limits: limits))
      var rows = 0
      for table in schema.tables { try ledger.read(table: table.name) { _ in rows += 1 } }
      return "ok rows=\(rows) cellErrors=\(ledger.cellErrors.count)"
    } catch let e as LedgerError {
      return at(e.diagnostic)
    } catch {
      return "unexpected \(error)"
    }
  }

  /// Writes `header`, then `count` copies of `unit`, then `tail`, in ~1 MiB pieces (never
  /// holding the whole file).
  static func writeBig(_ path: String, header: String, unit: String, count: Int, tail: String)
    throws
  {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    defer { try? handle.close() }
    handle.write(Data(header.utf8))
    let perPiece = max(1, (1 << 20) / max(1, unit.utf8.count))
    let piece = Data(String(repeating: unit, count: perPiece).utf8)
    var left = count
    while left >= perPiece {
      handle.write(piece)
      left -= perPiece
    }
    handle.write(Data(String(repeating: unit, count: left).utf8))
    handle.write(Data(tail.utf8))
  }
}
