import CustodyDiagnostics
import CustodyValues

/// Turns one record (CSV fields or a JSON object) into a `LedgerRow` in schema column order.
/// Cell errors carry exact provenance: file, physical line of the cell, file column number,
/// schema column name and the row's entry id; the row still goes on with `invalidColumns`.
struct RowAssembler {
  let table: TableSchema
  let path: String
  let binding: HeaderBinding
  let readers: [ColumnReader]
  /// Per schema column: the parsed profile constant.
  let constants: [CellParser.Outcome?]
  let entryIndex: Int?
  /// JSON Lines: export key -> schema column.
  let keyIndex: [String: Int]
  /// Derived columns, computed once the row's other cells are read.
  let derived: [DerivedStep]
  /// Per schema column: true when it is derived (no cell is read for it).
  let isDerived: [Bool]
  /// Added to `LedgerRow.line` for a table read from several files (cell errors keep the
  /// file's own line).
  var lineOffset = 0

  init(plan: FolderLedger.TablePlan, binding: HeaderBinding) {
    table = plan.table
    path = plan.path
    self.binding = binding
    let readers = plan.table.columns.map { ColumnReader(column: $0, settings: plan.settings) }
    self.readers = readers
    constants = binding.constants.enumerated().map { c, text in text.map { readers[c].read($0) } }
    entryIndex = plan.table.entryID.flatMap { plan.table.columnIndex($0) }
    derived = plan.table.columns.enumerated().compactMap { c, column in
      guard let d = plan.settings.mapping.derived[column.name], let program = d.program else {
        return nil
      }
      return DerivedStep(column: c, program: program, rounding: d.rounding)
    }
    isDerived = plan.table.columns.map { plan.settings.mapping.derived[$0.name] != nil }
    var keys: [String: Int] = [:]
    for (c, column) in plan.table.columns.enumerated()
    where binding.constants[c] == nil && !isDerived[c] {
      keys[plan.settings.mapping.columns[column.name] ?? column.name] = c
    }
    keyIndex = keys
  }

  struct Pending {
    var column: Int
    var code: DiagnosticCode
    var message: String
    var raw: String
    var fileColumn: Int?
    var line: Int
  }

  func assemble(_ tok: CSVTokenizer, errors: inout CellErrorSink) -> LedgerRow {
    let n = readers.count
    let fieldCount = tok.fieldCount
    var values: [Value] = []
    values.reserveCapacity(n)
    var invalid: [Int] = []
    var pending: [Pending] = []
    for c in 0..<n {
      let outcome: CellParser.Outcome
      let source = binding.sourceIndex[c]
      if let src = source {
        outcome = src < fieldCount ? readers[c].read(tok.field(src)) : readers[c].read("")
      } else if let constant = constants[c] {
        outcome = constant
      } else {
        values.append(.null)
        continue
      }
      switch outcome {
      case .value(let v): values.append(v)
      case .error(let code, let message):
        values.append(.null)
        invalid.append(c)
        let inFile = source.map { $0 < fieldCount } ?? false
        pending.append(
          Pending(
            column: c, code: code, message: message,
            raw: inFile ? tok.fieldString(source ?? 0) : (binding.constants[c] ?? ""),
            fileColumn: source.map { $0 + 1 },
            line: inFile ? tok.fieldLine(source ?? 0) : tok.recordLine))
      }
    }
    if !derived.isEmpty {
      derive(&values, invalid: &invalid, pending: &pending, line: tok.recordLine)
    }
    let entryID = entryIndex.flatMap { RowAssembler.entryID(values[$0]) }
    if !pending.isEmpty || fieldCount != binding.headerCount {
      report(pending, entryID: entryID, errors: &errors)
      if fieldCount != binding.headerCount {
        errors.append(
          CellError(
            code: .fieldCountMismatch,
            message:
              "row has \(fieldCount) field\(fieldCount == 1 ? "" : "s"); the header has \(binding.headerCount)",
            table: table.name,
            provenance: CellProvenance(file: path, line: tok.recordLine, entryID: entryID), raw: "")
        )
      }
    }
    return LedgerRow(
      values: values, line: tok.recordLine + lineOffset, entryID: entryID,
      invalidColumns: invalid)
  }

  /// The entry id as text (a string cell as it is, without formatting it anew).
  @inline(__always) static func entryID(_ value: Value) -> String? {
    switch value {
    case .null: nil
    case .string(let s): s
    default: value.description
    }
  }

  func assembleJSON(
    line: Int, pairs: [(key: String, column: Int, value: JSONCell)], errors: inout CellErrorSink,
    extras: (String) -> Void
  ) -> LedgerRow {
    var cells: [(text: String, cell: JSONCell, position: Int)?] = Array(
      repeating: nil, count: readers.count)
    for (position, pair) in pairs.enumerated() {
      if let c = keyIndex[pair.key] {
        cells[c] = (pair.value.text, pair.value, position)
      } else {
        extras(pair.key)
      }
    }
    var values: [Value] = []
    var invalid: [Int] = []
    var pending: [Pending] = []
    for c in 0..<readers.count {
      let outcome: CellParser.Outcome
      if let cell = cells[c] {
        if cell.cell == .nested {
          outcome = .error(
            .wrongJSONType, "'\(table.columns[c].name)' holds an object or a list, not a cell")
        } else {
          outcome = readers[c].read(cell.text)
        }
      } else if let constant = constants[c] {
        outcome = constant
      } else if table.columns[c].required && !isDerived[c] {
        outcome = readers[c].read("")
      } else {
        values.append(.null)
        continue
      }
      switch outcome {
      case .value(let v): values.append(v)
      case .error(let code, let message):
        values.append(.null)
        invalid.append(c)
        pending.append(
          Pending(
            column: c, code: code, message: message,
            raw: cells[c]?.text ?? binding.constants[c] ?? "",
            fileColumn: cells[c].map { $0.position + 1 }, line: line))
      }
    }
    if !derived.isEmpty { derive(&values, invalid: &invalid, pending: &pending, line: line) }
    let entryID = entryIndex.flatMap { RowAssembler.entryID(values[$0]) }
    report(pending, entryID: entryID, errors: &errors)
    return LedgerRow(values: values, line: line, entryID: entryID, invalidColumns: invalid)
  }

  func report(_ pending: [Pending], entryID: String?, errors: inout CellErrorSink) {
    for p in pending {
      errors.append(
        CellError(
          code: p.code, message: p.message, table: table.name,
          provenance: CellProvenance(
            file: path, line: p.line, column: p.fileColumn,
            columnName: table.columns[p.column].name,
            entryID: entryID),
          raw: RowAssembler.clipped(p.raw)))
    }
  }

  /// Cell text kept in a CellError: at most 200 characters, so a file full of huge bad cells
  /// cannot exhaust memory through its error list.
  static func clipped(_ raw: String) -> String {
    raw.utf8.count <= 200 ? raw : String(raw.prefix(200)) + "…"
  }
}

/// Collects a table's cell errors: every error is counted by code, the first `limit` are kept
/// (a file where every row is bad must not exhaust memory through its error list).
struct CellErrorSink {
  let limit: Int
  var kept: [CellError] = []
  var counts: [DiagnosticCode: Int] = [:]

  init(limit: Int) { self.limit = limit }

  mutating func append(_ error: CellError) {
    counts[error.code, default: 0] += 1
    if kept.count < limit { kept.append(error) }
  }
}
