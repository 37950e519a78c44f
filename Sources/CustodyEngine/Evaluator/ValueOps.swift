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

  private static let powersOfTen: [Int128] = {
    var p: [Int128] = [1]
    for _ in 0..<37 { p.append(p[p.count - 1] * 10) }
    return p
  }()

  /// `x / 10^k` (as in `cu_pct / 100`) without Int128 division, when the quotient is exact at
  /// the scale `ExactDecimal.divided` gives it; the same value and scale as that method, which
  /// the caller uses otherwise (and for every overflow, so errors are unchanged).
  static func dividedByPowerOfTen(_ x: ExactDecimal, _ y: ExactDecimal) -> ExactDecimal? {
    guard y.scale == 0, y.mantissa > 0, let k = powersOfTen.firstIndex(of: y.mantissa) else {
      return nil
    }
    let target = min(ExactDecimal.maxScale, max(ExactDecimal.divisionScale, x.scale, y.scale))
    // `divided` first scales the numerator by 10^(target + 1 - x.scale); if that overflows it
    // throws, so leave those to it.
    let guardShift = target + 1 - x.scale
    guard guardShift >= 0, guardShift < powersOfTen.count,
      !x.mantissa.multipliedReportingOverflow(by: powersOfTen[guardShift]).overflow
    else { return nil }
    let shift = target - x.scale - k
    guard shift >= 0 else { return nil }
    return ExactDecimal(mantissa: x.mantissa * powersOfTen[shift], scale: target)
  }

  static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ node: ExprNode)
    throws(EvaluationError) -> Value
  {
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
    if op == .divide, let q = dividedByPowerOfTen(x, y) { return .decimal(q) }
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
