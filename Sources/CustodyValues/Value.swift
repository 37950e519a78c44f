/// A calendar span used in expressions: `30d`, `12mo`.
public struct CalendarDuration: Sendable, Hashable, CustomStringConvertible {
  public enum Unit: String, Sendable, Hashable { case days = "d", months = "mo" }
  public var amount: Int
  public var unit: Unit

  public init(_ amount: Int, _ unit: Unit) {
    self.amount = amount
    self.unit = unit
  }

  public var description: String { "\(amount)\(unit.rawValue)" }

  public func added(to date: CivilDate) -> CivilDate {
    unit == .days ? date.addingDays(amount) : date.addingMonths(amount)
  }
}

/// A value read from a ledger cell, a YAML parameter or computed by an expression.
public enum Value: Sendable, Hashable, CustomStringConvertible {
  case null
  case bool(Bool)
  case integer(Int64)
  case decimal(ExactDecimal)
  case string(String)
  case date(CivilDate)
  case duration(CalendarDuration)
  case list([Value])

  public var isNull: Bool { if case .null = self { true } else { false } }

  /// Integers widen to decimals so `5 == 5.0`.
  public var asDecimal: ExactDecimal? {
    switch self {
    case .decimal(let d): d
    case .integer(let i): ExactDecimal(mantissa: Int128(i), scale: 0)
    default: nil
    }
  }

  public var asString: String? { if case .string(let s) = self { s } else { nil } }
  public var asBool: Bool? { if case .bool(let b) = self { b } else { nil } }
  public var asDate: CivilDate? { if case .date(let d) = self { d } else { nil } }

  /// The value as it would be written in a ledger cell (`null` prints empty).
  public var description: String {
    switch self {
    case .null: ""
    case .bool(let b): b ? "true" : "false"
    case .integer(let i): String(i)
    case .decimal(let d): d.description
    case .string(let s): s
    case .date(let d): d.description
    case .duration(let d): d.description
    case .list(let l): l.map(\.description).joined(separator: ";")
    }
  }

  /// The value as an expression literal would spell it, for messages: `"abc"`, `12.5`, `null`.
  public var literal: String {
    switch self {
    case .null: "null"
    case .string(let s): "\"\(s)\""
    case .date(let d): "date(\"\(d)\")"
    case .list(let l): "[" + l.map(\.literal).joined(separator: ", ") + "]"
    default: description
    }
  }

  /// Total order used for sorting and grouping output deterministically.
  public static func orderedBefore(_ a: Value, _ b: Value) -> Bool {
    func rank(_ v: Value) -> Int {
      switch v {
      case .null: 0
      case .bool: 1
      case .integer, .decimal: 2
      case .string: 3
      case .date: 4
      case .duration: 5
      case .list: 6
      }
    }
    let (ra, rb) = (rank(a), rank(b))
    if ra != rb { return ra < rb }
    switch (a, b) {
    case (.bool(let x), .bool(let y)): return !x && y
    case (.string(let x), .string(let y)): return x < y
    case (.date(let x), .date(let y)): return x < y
    default:
      if let x = a.asDecimal, let y = b.asDecimal { return x < y }
      return a.description < b.description
    }
  }
}

/// The static type of a column, parameter or expression.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
  case null
  case bool
  case integer
  /// A decimal with an optional unit (`t`, `%`, `kg_co2e_per_t`); units are checked at compile time.
  case decimal(unit: String?)
  case string
  /// A string restricted to the listed values; `name` is the column or parameter it came from.
  case enumeration(values: [String])
  case date
  case duration
  case list(ValueType)
  /// Accepts anything; used only for function signatures.
  case any

  public var description: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .integer: "integer"
    case .decimal(let unit): unit.map { "decimal(\($0))" } ?? "decimal"
    case .string: "string"
    case .enumeration(let values): "enum(\(values.joined(separator: ", ")))"
    case .date: "date"
    case .duration: "duration"
    case .list(let element): "list(\(element))"
    case .any: "any"
    }
  }

  public var isNumeric: Bool {
    switch self {
    case .integer, .decimal: true
    default: false
    }
  }

  public var isStringLike: Bool {
    switch self {
    case .string, .enumeration: true
    default: false
    }
  }
}
