import CustodyDiagnostics
import CustodyValues
import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Reading a table from a sheet of an .xlsx workbook (`file: book.xlsx`, `sheet:`,
/// `header_row:`). Locations are `book.xlsx[Sheet]:row:column` (the sheet's own row and
/// column numbers); the sha256 is the workbook file's.
extension FolderLedger {
  /// The header of a sheet, checked against the table.
  struct SheetHead {
    var display: String
    var sheet: String
    var binding: HeaderBinding
    /// Sheet column (1-based) of header position 0.
    var firstColumn: Int
    var names: [String]
  }

  static func isWorkbook(_ path: String) -> Bool {
    let lower = path.lowercased()
    return lower.hasSuffix(".xlsx") || lower.hasSuffix(".xlsm")
  }

  /// Runs `reader` over the inflated sheet `file`; rethrows what `onRow` threw.
  static func run(_ reader: SheetReader, file: String, book: Workbook, part: String) throws {
    guard let stream = InputStream(fileAtPath: file) else {
      throw LedgerError(
        Diagnostic(.ledgerFileUnreadable, "cannot read the inflated \(part)", at: .file(book.path)))
    }
    let parser = XMLParser(stream: stream)
    parser.delegate = reader
    let ok = parser.parse()
    if let failure = reader.failure { throw failure }
    if !ok && !reader.stopped {
      throw LedgerError(
        Diagnostic(
          .workbookStructure,
          "\(book.name): \(part) is not well-formed XML (line \(parser.lineNumber) of the part)",
          at: .file(reader.display)))
    }
  }

  static func text(of cell: SheetCell) -> String {
    switch cell {
    case .text(let s): s
    case .number(let s): SheetNumber.plain(s) ?? s
    case .bool(let b): b ? "true" : "false"
    case .excelError(let e): e
    }
  }

  /// Opens the workbook and sheet, reads rows up to the header and binds it.
  static func openSheet(_ plan: TablePlan, limits: LedgerReadLimits) throws -> (
    Workbook, SheetHead, String, String
  ) {
    let book = try Workbook(path: plan.path, limits: limits)
    guard let sheet = plan.settings.mapping.sheet ?? book.sheets.first?.name else {
      throw LedgerError(
        Diagnostic(.workbookStructure, "\(book.name) has no sheets", at: .file(plan.path)))
    }
    let part = try book.part(ofSheet: sheet)
    let display = plan.path + "[" + sheet + "]"
    let strings = try book.strings()
    let file = try book.inflate(part)
    let headerRow = plan.settings.mapping.headerRow ?? 1
    var header: [(column: Int, cell: SheetCell)]?
    var last = 0
    let reader = SheetReader(display: display, strings: strings, limits: limits) { row, cells in
      last = row
      if row < headerRow { return true }
      if row == headerRow { header = cells }
      return false
    }
    do {
      try run(reader, file: file, book: book, part: part)
      guard let header else {
        throw LedgerError(
          Diagnostic(
            .workbookStructure,
            last < headerRow
              ? "sheet '\(sheet)' of \(book.name) ends at row \(last); header_row \(headerRow) is past its end"
              : "row \(headerRow) of sheet '\(sheet)' (header_row) is empty",
            at: SourceSpan(SourceLocation(file: display, line: headerRow, column: 1))))
      }
      try checkMerges(file: file, book: book, part: part, display: display, headerRow: headerRow)
      unlink(file)
      let first = header.first?.column ?? 1
      let lastColumn = header.last?.column ?? 1
      var names = Array(repeating: "", count: lastColumn - first + 1)
      for (column, cell) in header {
        names[column - first] = text(of: cell).trimmingCharacters(in: .whitespaces)
      }
      let binding = try HeaderBinding.bind(
        header: names, columns: Array(first...lastColumn), line: headerRow, table: plan.table,
        settings: plan.settings, path: display)
      return (
        book,
        SheetHead(
          display: display, sheet: sheet, binding: binding, firstColumn: first, names: names),
        part, display
      )
    } catch {
      unlink(file)
      throw error
    }
  }

  /// Merged cells are listed after the rows (`<mergeCells>`): look at the end of the part
  /// and, only when it has merges, parse it once more for them. A merge that covers a header
  /// cell hides a column name: refused.
  static func checkMerges(
    file: String, book: Workbook, part: String, display: String, headerRow: Int
  ) throws {
    guard let handle = FileHandle(forReadingAtPath: file) else { return }
    let size = (try? handle.seekToEnd()) ?? 0
    try? handle.seek(toOffset: size > 1 << 20 ? size - (1 << 20) : 0)
    let tail = (try? handle.readToEnd()) ?? Data()
    try? handle.close()
    guard tail.range(of: Data("mergeCell".utf8)) != nil else { return }
    guard let stream = InputStream(fileAtPath: file) else { return }
    let parser = XMLParser(stream: stream)
    let merges = MergeOnly()  // the parser's delegate is weak: keep it here
    parser.delegate = merges
    _ = parser.parse()
    for ref in merges.merges {
      let ends = ref.split(separator: ":").map(String.init)
      guard ends.count == 2, let a = rowOf(ends[0]), let b = rowOf(ends[1]),
        let ca = SheetReader.column(ofReference: ends[0])
      else { continue }
      if a <= headerRow && headerRow <= b {
        throw LedgerError(
          Diagnostic(
            .workbookStructure,
            "header cells \(ref) of sheet \(display.split(separator: "[").last.map { "[" + $0 } ?? "") are merged; unmerge them so each column has its own name",
            at: SourceSpan(SourceLocation(file: display, line: headerRow, column: ca))))
      }
    }
  }

  private static func rowOf(_ ref: String) -> Int? {
    Int(ref.drop { $0.isLetter })
  }

  /// Reads one sheet's rows after the header.
  func readSheet(
    _ plan: TablePlan, lineOffset: Int, errors: inout CellErrorSink,
    _ body: (consuming LedgerRow) throws -> Void
  ) throws -> (LedgerFileInfo, Int, String) {
    let (book, head, part, display) = try FolderLedger.openSheet(plan, limits: options.limits)
    var sheetPlan = plan
    sheetPlan.path = display
    // Numbers in a workbook are numbers: no decimal comma or grouping marks apply to them.
    sheetPlan.settings.decimalComma = false
    sheetPlan.settings.thousandsSeparator = ""
    sheetPlan.settings.mapping.columnThousandsSeparators = [:]
    var rows = RowAssembler(plan: sheetPlan, binding: head.binding)
    rows.lineOffset = lineOffset
    let strings = try book.strings()
    let file = try book.inflate(part)
    defer { unlink(file) }
    let headerRow = plan.settings.mapping.headerRow ?? 1
    let round = plan.settings.round
    let date1904 = book.date1904
    var count = 0
    var lastRow = 0
    var sink = errors
    // `body` is called inside the parser's callbacks; its errors come back out of `run`.
    try withoutActuallyEscaping(body) { body in
      let reader = SheetReader(display: display, strings: strings, limits: options.limits) {
        row, cells in
        lastRow = row
        if row <= headerRow { return true }
        if !head.binding.filters.isEmpty {
          for f in head.binding.filters {
            let cell = cells.first { $0.column == f.column + head.firstColumn }
            let text = cell.map { FolderLedger.text(of: $0.cell) } ?? ""
            if !f.values.contains(Array(text.utf8)) { return true }
          }
        }
        count += 1
        try body(
          rows.assembleSheet(
            line: row, cells: cells, firstColumn: head.firstColumn, round: round,
            date1904: date1904, errors: &sink))
        return true
      }
      try FolderLedger.run(reader, file: file, book: book, part: part)
    }
    errors = sink
    let stream = try ByteStream(path: plan.path)
    try stream.drain()
    return (
      LedgerFileInfo(
        table: plan.table.name, path: display, sha256: stream.sha256Hex(), rows: count,
        bytes: stream.totalBytes, extraColumns: head.binding.extraColumns), lastRow + 1, display
    )
  }
}

/// Collects only the `mergeCell` ranges of a sheet (the merge scan).
final class MergeOnly: NSObject, XMLParserDelegate {
  var merges: [String] = []
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) {
    if localName(elementName) == "mergeCell", let ref = attributeDict["ref"] {
      merges.append(ref)
    }
  }
}

extension RowAssembler {
  /// A sheet row (non-empty cells by sheet column) as a ledger row. Numbers are read from the
  /// XML text exactly; in a date column a number is an Excel date serial; a number with more
  /// than 15 significant digits is binary-float noise: rounded to the column's scale with
  /// `round: true`, else a cell error.
  func assembleSheet(
    line: Int, cells: [(column: Int, cell: SheetCell)], firstColumn: Int, round: Bool,
    date1904: Bool, errors: inout CellErrorSink
  ) -> LedgerRow {
    var byPosition: [Int: SheetCell] = [:]
    for (column, cell) in cells { byPosition[column - firstColumn] = cell }
    var values: [Value] = []
    values.reserveCapacity(readers.count)
    var invalid: [Int] = []
    var pending: [Pending] = []
    for c in 0..<readers.count {
      let column = table.columns[c]
      let outcome: CellParser.Outcome
      var raw = ""
      let source = binding.sourceIndex[c]
      if let src = source {
        let cell = byPosition[src]
        raw = cell.map { FolderLedger.text(of: $0) } ?? ""
        switch cell {
        case nil: outcome = readers[c].read("")
        case .text(let s): outcome = readers[c].read(s)
        case .bool(let b): outcome = readers[c].read(b ? "true" : "false")
        case .excelError(let e):
          outcome = .error(.notANumber, "the cell holds the Excel error \(e)")
        case .number(let s):
          outcome = number(s, column: c, round: round, date1904: date1904)
        }
      } else if let constant = constants[c] {
        outcome = constant
        raw = binding.constants[c] ?? ""
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
            column: c, code: code, message: message, raw: raw,
            fileColumn: source.map { $0 + firstColumn }, line: line))
      }
      _ = column
    }
    if !derived.isEmpty { derive(&values, invalid: &invalid, pending: &pending, line: line) }
    let entryID = entryIndex.flatMap { RowAssembler.entryID(values[$0]) }
    report(pending, entryID: entryID, errors: &errors)
    return LedgerRow(
      values: values, line: line + lineOffset, entryID: entryID, invalidColumns: invalid)
  }

  private func number(_ s: String, column c: Int, round: Bool, date1904: Bool)
    -> CellParser.Outcome
  {
    let column = table.columns[c]
    if case .date = column.type {
      guard let d = SheetNumber.date(serial: s, date1904: date1904) else {
        return .error(.badDate, "'\(s)' is not a whole-day Excel date serial")
      }
      return .value(.date(d))
    }
    guard let plain = SheetNumber.plain(s) else {
      return .error(.notANumber, "'\(s)' is not a number")
    }
    guard case .decimal(_, let maxScale) = column.type, SheetNumber.significantDigits(plain) > 15
    else { return readers[c].read(plain) }
    guard round else {
      return .error(
        .tooManyDecimals,
        "'\(s)' carries binary floating-point noise (more than 15 significant digits); round it in the workbook or set `round: true`"
      )
    }
    guard case .success(let d) = ExactDecimal.parse(plain) else {
      return .error(.notANumber, "'\(s)' is not a number")
    }
    // Rounded in the export's unit to the column's scale, else to 15 significant digits.
    let scale =
      maxScale ?? max(0, 15 - (plain.split(separator: ".").first?.count ?? 0))
    return readers[c].read(d.rounded(scale: scale, .halfEven).normalized.description)
  }
}
