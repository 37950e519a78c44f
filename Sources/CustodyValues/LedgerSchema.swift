import CustodyDiagnostics

/// The type of a ledger column as declared in a ledger schema (YAML).
public enum ColumnType: Sendable, Hashable, CustomStringConvertible {
  case string
  /// A decimal quantity; `unit` is its unit (`t`, `%` ...), `maxScale` the most fractional digits.
  case decimal(unit: String?, maxScale: Int?)
  case integer
  /// `YYYY-MM-DD` in the canonical ledger; profiles may convert other formats.
  case date
  /// `true` / `false`.
  case boolean
  case enumeration([String])
  /// Strings separated by `separator` (`;` in the canonical ledger).
  case list(separator: String)

  public var valueType: ValueType {
    switch self {
    case .string: .string
    case .decimal(let unit, _): .decimal(unit: unit)
    case .integer: .integer
    case .date: .date
    case .boolean: .bool
    case .enumeration(let values): .enumeration(values: values)
    case .list: .list(.string)
    }
  }

  public var description: String {
    switch self {
    case .string: "string"
    case .decimal(let unit, _): unit.map { "decimal(\($0))" } ?? "decimal"
    case .integer: "integer"
    case .date: "date"
    case .boolean: "boolean"
    case .enumeration(let values): "enum(\(values.joined(separator: ", ")))"
    case .list: "list"
    }
  }
}

/// One column of a ledger table.
public struct ColumnSchema: Sendable, Hashable {
  public var name: String
  public var type: ColumnType
  /// A required column must be present in the file's header and every cell must be non-empty.
  public var required: Bool
  /// Smallest allowed value for numeric columns (quantities are `minimum: 0`).
  public var minimum: ExactDecimal?
  public var description: String
  public var span: SourceSpan?
  /// The column holds identifiers (a table key, the entry id, or a column named `id` or
  /// `*_id`): a cell with invisible characters or outer spaces is a cell error (`Identifier`).
  public var identifier: Bool = false

  public init(
    name: String, type: ColumnType, required: Bool, minimum: ExactDecimal? = nil,
    description: String = "", span: SourceSpan? = nil
  ) {
    self.name = name
    self.type = type
    self.required = required
    self.minimum = minimum
    self.description = description
    self.span = span
    self.identifier = name == "id" || name.hasSuffix("_id")
  }
}

/// One table of a ledger export (one file).
public struct TableSchema: Sendable, Hashable {
  public var name: String
  /// The file name inside a ledger folder, e.g. `receipts.csv`.
  public var file: String
  /// A table whose file may be absent (it is then empty).
  public var optional: Bool
  /// Columns that identify a row (unique within the table).
  public var key: [String]
  /// The column that names a row in evidence (`entry_id`), if any.
  public var entryID: String?
  public var columns: [ColumnSchema]
  public var description: String
  public var span: SourceSpan?
  /// Validity window columns (`valid: [from, to]`, both ends included; a null end is open).
  /// `table[key @ date]` matches only rows whose window covers the date.
  public var validFrom: String?
  public var validTo: String?

  public init(
    name: String, file: String, optional: Bool = false, key: [String] = [],
    entryID: String? = nil, columns: [ColumnSchema], description: String = "",
    span: SourceSpan? = nil, validFrom: String? = nil, validTo: String? = nil
  ) {
    self.validFrom = validFrom
    self.validTo = validTo
    self.name = name
    self.file = file
    self.optional = optional
    self.key = key
    self.entryID = entryID
    self.columns = columns
    for i in self.columns.indices
    where key.contains(self.columns[i].name) || self.columns[i].name == entryID {
      self.columns[i].identifier = true
    }
    self.description = description
    self.span = span
  }

  public func columnIndex(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }
  public func column(_ name: String) -> ColumnSchema? { columns.first { $0.name == name } }
}

/// The tables a standard expects. The canonical custody ledger ships as one of these
/// (standards/schema/custody-ledger-v1.yaml); a policy team can extend it without code.
public struct LedgerSchema: Sendable, Hashable {
  public var id: String
  public var version: String
  public var tables: [TableSchema]
  public var span: SourceSpan?

  public init(id: String, version: String, tables: [TableSchema], span: SourceSpan? = nil) {
    self.id = id
    self.version = version
    self.tables = tables
    self.span = span
  }

  public func table(_ name: String) -> TableSchema? { tables.first { $0.name == name } }
  public func tableIndex(_ name: String) -> Int? { tables.firstIndex { $0.name == name } }
}
