import CustodyDiagnostics
import CustodyValues

/// A ledger given as rows of text cells per table: inline `tests:` rows and check examples.
/// Cells are read with the same `CellParser` as CSV, so a test row behaves like a file row.
/// Missing columns are null and are not reported as empty required cells, so tests stay
/// small; a column the schema does not know is an error.
public final class InMemoryLedger: LedgerSource, Sendable {
  public let schema: LedgerSchema
  private let tables: [String: [[String: String]]]
  private let origin: String
  /// What `read` recorded, behind a mutex as in `FolderLedger` (taken once per table read).
  private struct Record {
    var cellErrors: [CellError] = []
    var files: [LedgerFileInfo] = []
    var readTables: Set<String> = []
  }
  private let record = Locked(Record())
  public var cellErrors: [CellError] { record.withLock { $0.cellErrors } }
  public var files: [LedgerFileInfo] { record.withLock { $0.files } }

  /// Fails with the first unknown table or column name.
  public init(schema: LedgerSchema, rows: [String: [[String: String]]], origin: String = "<inline>")
    throws(LedgerError)
  {
    self.schema = schema
    self.tables = rows
    self.origin = origin
    for (table, tableRows) in rows.sorted(by: { $0.key < $1.key }) {
      guard let t = schema.table(table) else {
        throw LedgerError(
          Diagnostic(
            .unknownTable, "unknown table '\(table)'", at: nil,
            suggestions: Suggestions.closest(to: table, in: schema.tables.map(\.name))))
      }
      for row in tableRows {
        for name in row.keys.sorted() where t.column(name) == nil {
          throw LedgerError(
            Diagnostic(
              .unknownColumn, "unknown column '\(name)' in table '\(table)'", at: nil,
              suggestions: Suggestions.closest(to: name, in: t.columns.map(\.name))))
        }
      }
    }
  }

  public func read(table: String, _ body: (consuming LedgerRow) throws -> Void) throws {
    guard let t = schema.table(table) else { return }
    let rows = tables[table] ?? []
    let parser = CellParser()
    let path = "\(origin)/\(t.file)"
    let first = record.withLock { !$0.readTables.contains(table) }
    var found: [CellError] = []
    for (index, cells) in rows.enumerated() {
      let line = index + 2
      var values: [Value] = []
      values.reserveCapacity(t.columns.count)
      var invalid: [Int] = []
      let entryID = t.entryID.flatMap { cells[$0] }.flatMap { $0.isEmpty ? nil : $0 }
      for (c, column) in t.columns.enumerated() {
        guard let text = cells[column.name] else {
          values.append(.null)
          continue
        }
        switch parser.parse(text, as: column) {
        case .value(let v): values.append(v)
        case .error(let code, let message):
          values.append(.null)
          invalid.append(c)
          if first {
            found.append(
              CellError(
                code: code, message: message, table: table,
                provenance: CellProvenance(
                  file: path, line: line, column: c + 1, columnName: column.name, entryID: entryID),
                raw: text))
          }
        }
      }
      try body(LedgerRow(values: values, line: line, entryID: entryID, invalidColumns: invalid))
    }
    if first {
      let info = LedgerFileInfo(table: table, path: path, sha256: "", rows: rows.count, bytes: 0)
      record.withLock {
        guard $0.readTables.insert(table).inserted else { return }
        $0.cellErrors += found
        $0.files.append(info)
      }
    }
  }
}
