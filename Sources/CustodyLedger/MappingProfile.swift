import CustodyDiagnostics
import CustodyValues

/// The unit a source system writes a quantity in. Converted to tonnes exactly.
public enum QuantityUnit: String, Sendable, Hashable, CaseIterable {
  case t, kg, lb

  /// Tonnes per unit, exact: 1 kg = 0.001 t, 1 lb = 0.45359237 kg = 0.00045359237 t.
  public var tonnes: ExactDecimal {
    switch self {
    case .t: ExactDecimal(mantissa: 1, scale: 0)
    case .kg: ExactDecimal(mantissa: 1, scale: 3)
    case .lb: ExactDecimal(mantissa: 45_359_237, scale: 11)
    }
  }
}

/// How one table of another system's export maps onto a schema table.
public struct TableMapping: Sendable, Hashable {
  /// File name inside the ledger folder (default: the schema's, as `.csv` or `.jsonl`).
  public var file: String?
  /// Several files read as one table (issue 19): each entry a file name or a glob
  /// (`入荷実績_*.csv`, matches read in name order), entries in the order written.
  public var files: [String]?
  public var encoding: TextEncoding?
  /// The digit-grouping mark of the table's numbers (`,` `.` space `'`); "" for none.
  public var thousandsSeparator: String?
  /// Schema column -> its own grouping mark, overriding the table's.
  public var columnThousandsSeparators: [String: String] = [:]
  /// Only rows whose export column (header name) holds one of the values (`where:`), so one
  /// movements file yields several tables.
  public var filter: [String: [String]] = [:]
  /// Workbooks: the sheet's name (default: the first sheet).
  public var sheet: String?
  /// Workbooks: the 1-based row holding the header; rows above it (a title) are skipped.
  public var headerRow: Int?
  /// Workbooks: round numbers carrying binary-float noise to the column's scale.
  public var round: Bool?
  public var delimiter: String?
  public var decimalComma: Bool?
  public var dateFormat: String?
  /// Schema column -> the export's header name.
  public var columns: [String: String]
  /// Schema column -> the unit the export writes it in (converted to tonnes).
  public var units: [String: QuantityUnit]
  /// Schema column -> a constant cell text used on every row (the export has no such column).
  public var constants: [String: String]
  /// Schema column -> export value -> schema value (applied before the cell is parsed).
  public var values: [String: [String: String]]
  /// Schema column -> its expression of the table's other columns (`{expr: ...}` under
  /// `columns:`), computed per row.
  public var derived: [String: DerivedColumn] = [:]

  public init(
    file: String? = nil, delimiter: String? = nil, decimalComma: Bool? = nil,
    dateFormat: String? = nil, columns: [String: String] = [:], units: [String: QuantityUnit] = [:],
    constants: [String: String] = [:], values: [String: [String: String]] = [:]
  ) {
    self.file = file
    self.delimiter = delimiter
    self.decimalComma = decimalComma
    self.dateFormat = dateFormat
    self.columns = columns
    self.units = units
    self.constants = constants
    self.values = values
  }
}

/// A mapping profile (`profile:` YAML file): adapts another system's export to the schema
/// without code. Top-level `delimiter`, `decimal_comma` and `date_format` apply to every table
/// unless the table overrides them.
public struct MappingProfile: Sendable, Hashable {
  public var name: String
  public var path: String?
  public var encoding: TextEncoding = .utf8
  /// "" for none (the default).
  public var thousandsSeparator: String = ""
  /// Workbooks: round numbers carrying binary-float noise to the column's scale.
  public var round: Bool = false
  public var delimiter: String
  public var decimalComma: Bool
  public var dateFormat: String
  public var tables: [String: TableMapping]

  public init(
    name: String, path: String? = nil, delimiter: String = ",", decimalComma: Bool = false,
    dateFormat: String = "yyyy-MM-dd", encoding: TextEncoding = .utf8,
    tables: [String: TableMapping] = [:]
  ) {
    self.name = name
    self.path = path
    self.encoding = encoding
    self.delimiter = delimiter
    self.decimalComma = decimalComma
    self.dateFormat = dateFormat
    self.tables = tables
  }

  /// The settings that apply to `table`, with profile-wide defaults filled in.
  func settings(for table: String) -> TableSettings {
    let m = tables[table] ?? TableMapping()
    return TableSettings(
      mapping: m, delimiter: m.delimiter ?? delimiter, decimalComma: m.decimalComma ?? decimalComma,
      dateFormat: m.dateFormat ?? dateFormat, encoding: m.encoding ?? encoding,
      thousandsSeparator: m.thousandsSeparator ?? thousandsSeparator, round: m.round ?? round)
  }

  /// One line per rule applied to `table`, for `custody inspect`.
  public func describe(table: String) -> [String] {
    let s = settings(for: table)
    var lines: [String] = []
    if let file = s.mapping.file { lines.append("file \(file)") }
    if let sheet = s.mapping.sheet { lines.append("sheet '\(sheet)'") }
    if let row = s.mapping.headerRow { lines.append("header row \(row)") }
    let workbook = ([s.mapping.file].compactMap { $0 } + (s.mapping.files ?? [])).contains {
      FolderLedger.isWorkbook($0)
    }
    if s.round && workbook {
      lines.append("numbers with float noise rounded to the column's scale")
    }
    if let files = s.mapping.files { lines.append("files \(files.joined(separator: ", "))") }
    if s.encoding != .utf8 { lines.append("encoding \(s.encoding.rawValue)") }
    if !s.thousandsSeparator.isEmpty { lines.append("thousands '\(s.thousandsSeparator)'") }
    for (column, mark) in s.mapping.columnThousandsSeparators.sorted(by: { $0.key < $1.key }) {
      lines.append("\(column) thousands '\(mark)'")
    }
    for (column, values) in s.mapping.filter.sorted(by: { $0.key < $1.key }) {
      lines.append("where '\(column)' in \(values.joined(separator: ", "))")
    }
    if s.delimiter != "," { lines.append("delimiter '\(s.delimiter)'") }
    if s.decimalComma { lines.append("decimal comma") }
    if s.dateFormat != "yyyy-MM-dd" { lines.append("dates \(s.dateFormat)") }
    for (column, header) in s.mapping.columns.sorted(by: { $0.key < $1.key }) {
      lines.append("\(column) <- '\(header)'")
    }
    for (column, d) in s.mapping.derived.sorted(by: { $0.key < $1.key }) {
      lines.append(
        "\(column) = \(d.expression.value)\(d.rounding.map { " (rounded \($0.rawValue) to scale)" } ?? "")"
      )
    }
    for (column, unit) in s.mapping.units.sorted(by: { $0.key < $1.key }) where unit != .t {
      lines.append("\(column) in \(unit.rawValue) -> t (x \(unit.tonnes))")
    }
    for (column, value) in s.mapping.constants.sorted(by: { $0.key < $1.key }) {
      lines.append("\(column) = '\(value)'")
    }
    for (column, map) in s.mapping.values.sorted(by: { $0.key < $1.key }) {
      let pairs = map.sorted { $0.key < $1.key }.map { "\($0.key) -> \($0.value)" }
      lines.append("\(column) values: \(pairs.joined(separator: ", "))")
    }
    return lines
  }
}

/// Effective reading settings for one table.
struct TableSettings: Sendable {
  var mapping: TableMapping
  var delimiter: String
  var decimalComma: Bool
  var dateFormat: String
  var encoding: TextEncoding = .utf8
  var thousandsSeparator: String = ""
  var round: Bool = false

  /// The grouping mark of `column`'s numbers, nil for none.
  func thousands(for column: String) -> UInt8? {
    (mapping.columnThousandsSeparators[column] ?? thousandsSeparator).utf8.first
  }

  static let canonical = TableSettings(
    mapping: TableMapping(), delimiter: ",", decimalComma: false, dateFormat: "yyyy-MM-dd")
}
