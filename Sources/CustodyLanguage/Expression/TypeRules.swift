import CustodyValues

/// Type algebra of the expression language: unification, units, what compares with what.
enum TypeRules {
  static func isRow(_ t: ValueType) -> Bool { t.rowTable != nil }

  static func isStringLike(_ t: ValueType) -> Bool { !isRow(t) && t.isStringLike }

  static func unit(_ t: ValueType) -> String? {
    if case .decimal(let u) = t { return u }
    return nil
  }

  /// The common type of two values that meet (both branches of `if`, `coalesce`, list items);
  /// nil when they cannot meet. Unit conflicts return nil too (callers report them apart).
  static func unify(_ a: ValueType, _ b: ValueType) -> ValueType? {
    if isRow(a) || isRow(b) {
      if a == b { return a }
      if a == .null { return b }
      if b == .null { return a }
      return nil
    }
    switch (a, b) {
    case (.null, let x), (let x, .null): return x
    case (.any, let x), (let x, .any): return x
    case (.integer, .integer): return .integer
    case (.integer, .decimal(let u)), (.decimal(let u), .integer): return .decimal(unit: u)
    case (.decimal(let u1), .decimal(let u2)):
      if u1 == u2 || u1 == nil || u2 == nil { return .decimal(unit: u1 ?? u2) }
      return nil
    case (.date, .date): return .date
    case (.bool, .bool): return .bool
    case (.duration, .duration): return .duration
    case (.list(let x), .list(let y)): return unify(x, y).map { .list($0) }
    default:
      if a.isStringLike && b.isStringLike { return a == b ? a : .string }
      return nil
    }
  }

  /// True when both are numbers whose units conflict (tonnes against percent).
  static func unitsConflict(_ a: ValueType, _ b: ValueType) -> Bool {
    if case .decimal(let u1?) = a, case .decimal(let u2?) = b { return u1 != u2 }
    return false
  }

  /// Result of `*`: a unitless number or a percentage keeps the other side's unit.
  static func multiplyUnit(_ a: String?, _ b: String?) -> String? {
    if a == nil || a == "%" { return b ?? a }
    if b == nil || b == "%" { return a }
    return "\(a ?? "")*\(b ?? "")"
  }

  /// Result of `/`: dividing by a unitless number or percentage keeps the unit; `t / t` is unitless.
  static func divideUnit(_ a: String?, _ b: String?) -> String? {
    if b == nil || b == "%" { return a }
    if a == b { return nil }
    return "\(a ?? "1")/\(b ?? "")"
  }

  /// Human wording for messages: "decimal (t)", "text", "a looked-up row of suppliers".
  static func describe(_ t: ValueType) -> String {
    if let table = t.rowTable { return "a row of \(table)" }
    switch t {
    case .null: return "null"
    case .bool: return "boolean"
    case .integer: return "integer"
    case .decimal(let u): return u.map { "decimal (\($0))" } ?? "decimal"
    case .string: return "text"
    case .enumeration: return "enumeration"
    case .date: return "date"
    case .duration: return "duration"
    case .list(let e): return "list of \(describe(e))"
    case .any: return "any value"
    }
  }
}
