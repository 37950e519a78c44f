import CustodyValues

/// Documentation of the built-in functions: the reference table in docs/rule-language.md is
/// checked against these (and against `BuiltinFunction.allCases`) by a test.
extension BuiltinFunction {
  /// The signature as the reference shows it.
  public var signature: String {
    switch self {
    case .abs: "abs(number) -> number"
    case .min: "min(a, b, ...) -> number or date"
    case .max: "max(a, b, ...) -> number or date"
    case .round: "round(number, digits) -> decimal"
    case .coalesce: "coalesce(a, b, ...) -> first non-null"
    case .addMonths: "add_months(date, months) -> date"
    case .addDays: "add_days(date, days) -> date"
    case .daysBetween: "days_between(from, to) -> integer"
    case .monthsBetween: "months_between(from, to) -> integer"
    case .year: "year(date) -> integer"
    case .quarter: "quarter(date) -> integer"
    case .month: "month(date) -> integer"
    case .lower: "lower(text) -> text"
    case .upper: "upper(text) -> text"
    case .startsWith: "starts_with(text, prefix) -> boolean"
    case .endsWith: "ends_with(text, suffix) -> boolean"
    case .contains: "contains(list_or_text, value) -> boolean"
    case .matches: "matches(text, pattern) -> boolean"
    case .len: "len(list_or_text) -> integer"
    case .isNull: "is_null(value) -> boolean"
    case .date: "date(\"YYYY-MM-DD\") -> date"
    }
  }

  /// Argument count bounds (`nil` maximum: any number).
  var arity: (min: Int, max: Int?) {
    switch self {
    case .abs, .year, .quarter, .month, .lower, .upper, .len, .isNull, .date: (1, 1)
    case .min, .max: (2, nil)
    case .coalesce: (1, nil)
    case .round, .addMonths, .addDays, .daysBetween, .monthsBetween, .startsWith, .endsWith,
      .contains, .matches:
      (2, 2)
    }
  }
}

/// Names callable in expressions besides the built-ins: `if` and the aggregations.
enum SpecialFunctions {
  static let conditional = "if"
  static let all: [String] = ["if"] + AggregateFunction.allCases.map(\.rawValue)
  static var callable: [String] { BuiltinFunction.allCases.map(\.rawValue) + all }
}
