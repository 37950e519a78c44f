import CustodyLanguage
import CustodyValues

/// Operator semantics on values: exact decimals, integers widened, dates with durations.
/// Null is handled by the caller (it is an error for everything but `==`, `!=` and `in`).
enum ValueOps {
  /// `==` across types: integers and decimals compare numerically; everything else by value.
  static func equal(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.null, _), (_, .null): return false
    case (.integer(let x), .integer(let y)): return x == y
    default:
      if let x = a.asDecimal, let y = b.asDecimal { return x == y }
      return a == b
    }
  }

  /// -1, 0, 1 for ordered types; nil when the two cannot be ordered.
  static func compare(_ a: Value, _ b: Value) -> Int? {
    switch (a, b) {
    case (.integer(let x), .integer(let y)): return x < y ? -1 : (x > y ? 1 : 0)
    case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
    case (.date(let x), .date(let y)): return x < y ? -1 : (x > y ? 1 : 0)
    case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
    default:
      if let x = a.asDecimal, let y = b.asDecimal { return ExactDecimal.compare(x, y) }
      return nil
    }
  }

  static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ node: ExprNode) throws(
    EvaluationError
  ) -> Value {
    // Dates and durations: date + 30d, date - 1mo, date - date is not defined (days_between).
    if case .date(let d) = a, case .duration(let dur) = b {
      if op == .add { return .date(dur.added(to: d)) }
      if op == .subtract {
        return .date(CalendarDuration(-dur.amount, dur.unit).added(to: d))
      }
    }
    if case .integer(let x) = a, case .integer(let y) = b, op != .divide {
      let (r, o): (Int64, Bool)
      switch op {
      case .add: (r, o) = x.addingReportingOverflow(y)
      case .subtract: (r, o) = x.subtractingReportingOverflow(y)
      default: (r, o) = x.multipliedReportingOverflow(by: y)
      }
      if o { throw EvaluationError(.arithmeticOverflow, "integer overflow", at: node) }
      return .integer(r)
    }
    guard let x = a.asDecimal, let y = b.asDecimal else {
      throw EvaluationError(
        .unexpectedType, "cannot apply \(op.rawValue) to \(a.literal) and \(b.literal)", at: node)
    }
    do throws(ExactDecimal.ArithmeticError) {
      switch op {
      case .add: return .decimal(try x.adding(y))
      case .subtract: return .decimal(try x.subtracting(y))
      case .multiply: return .decimal(try x.multiplied(by: y))
      default: return .decimal(try x.divided(by: y))
      }
    } catch .divisionByZero {
      throw EvaluationError(.divisionByZero, "division by zero: \(x) / \(y)", at: node)
    } catch {
      throw EvaluationError(.arithmeticOverflow, "\(error)", at: node)
    }
  }
}
