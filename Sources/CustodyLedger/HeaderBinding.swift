import CustodyDiagnostics
import CustodyValues

/// Where each schema column's cells come from in one file: a header position, a profile
/// constant, or nowhere (an optional column the export does not have).
struct HeaderBinding {
  /// Per schema column: index of the file column holding it.
  var sourceIndex: [Int?]
  /// Per schema column: the profile's constant text.
  var constants: [String?]
  /// File columns no schema column reads, in header order.
  var extraColumns: [String]
  var headerCount: Int
  /// `where:` filters: file column -> the values (UTF-8) a kept row holds there.
  var filters: [(column: Int, values: [[UInt8]])] = []

  /// True when the record passes every `where:` filter (a short row's missing cell is "").
  @inline(__always) func keeps(_ field: (Int) -> UnsafeBufferPointer<UInt8>, count: Int) -> Bool {
    for f in filters {
      let cell = f.column < count ? Array(field(f.column)) : []
      if !f.values.contains(cell) { return false }
    }
    return true
  }

  /// Binds `header` (names as written; `columns[i]` is where name i starts on the header
  /// line) to `table`. Empty or duplicate names and missing required columns are structural
  /// errors located on the header line.
  static func bind(
    header: [String], columns: [Int], line: Int, table: TableSchema, settings: TableSettings,
    path: String
  ) throws(LedgerError) -> HeaderBinding {
    func span(_ i: Int) -> SourceSpan {
      SourceSpan(SourceLocation(file: path, line: line, column: i < columns.count ? columns[i] : 1))
    }
    var position: [String: Int] = [:]
    for (i, name) in header.enumerated() {
      if name.isEmpty {
        throw LedgerError(
          Diagnostic(.emptyHeaderName, "column \(i + 1) of the header has no name", at: span(i)))
      }
      if let first = position[name] {
        throw LedgerError(
          Diagnostic(
            .duplicateHeader, "column '\(name)' appears twice in the header", at: span(i),
            notes: [DiagnosticNote("first appears here", at: span(first))]))
      }
      position[name] = i
    }
    var binding = HeaderBinding(
      sourceIndex: Array(repeating: nil, count: table.columns.count),
      constants: Array(repeating: nil, count: table.columns.count), extraColumns: [],
      headerCount: header.count)
    var used = Set<Int>()
    for (c, column) in table.columns.enumerated() {
      if let constant = settings.mapping.constants[column.name] {
        binding.constants[c] = constant
        continue
      }
      if settings.mapping.derived[column.name] != nil { continue }  // computed per row
      let source = settings.mapping.columns[column.name] ?? column.name
      if let i = position[source] {
        binding.sourceIndex[c] = i
        used.insert(i)
      } else if column.required {
        let renamed = source == column.name ? "" : " (the profile maps '\(column.name)' to it)"
        let unbound = header.enumerated().filter { !used.contains($0.offset) }.map(\.element)
        throw LedgerError(
          Diagnostic(
            .missingColumn,
            "\(table.file) has no column '\(source)'\(renamed), which table '\(table.name)' requires",
            at: SourceSpan(SourceLocation(file: path, line: line, column: 1)),
            suggestions: Suggestions.closest(to: source, in: unbound)))
      }
    }
    for (name, values) in settings.mapping.filter.sorted(by: { $0.key < $1.key }) {
      guard let i = position[name] else {
        throw LedgerError(
          Diagnostic(
            .missingColumn,
            "\(table.file) has no column '\(name)', which the profile's `where:` of table '\(table.name)' filters on",
            at: SourceSpan(SourceLocation(file: path, line: line, column: 1)),
            suggestions: Suggestions.closest(to: name, in: header)))
      }
      binding.filters.append((i, values.map { Array($0.utf8) }))
      used.insert(i)
    }
    binding.extraColumns = header.enumerated().filter { !used.contains($0.offset) }.map(\.element)
    return binding
  }
}
