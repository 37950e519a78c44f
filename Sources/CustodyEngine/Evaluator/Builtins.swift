import CustodyDiagnostics
import CustodyLanguage
import CustodyValues

/// Implementations of the built-in functions (declarations live with the type checker).
/// Every function but `coalesce`, `is_null` and `contains` on a list treats a null argument as
/// an error: a missing value is never silently turned into an answer.
enum Builtins {
  static func compile(_ function: BuiltinFunction, _ args: [Program], _ node: ExprNode)
    -> CallProgram.Body
  {
    switch function {
    case .coalesce:
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        for a in args {
          let v = try a(&f)
          if !v.isNull { return v }
        }
        return .null
      }
    case .isNull:
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        guard let a = args.first else { return .bool(true) }
        return .bool(try a(&f).isNull)
      }
    case .matches where node.literalPattern != nil:
      // A literal pattern is compiled once per rule, not per row.
      let text = node.literalPattern ?? ""
      guard let pattern = Pattern(text), let subject = args.first else {
        return { (_: inout Frame) throws(EvaluationError) -> Value in
          throw EvaluationError(.badArgument, "matches(): invalid pattern \"\(text)\"", at: node)
        }
      }
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        switch try subject(&f) {
        case .string(let s): return .bool(pattern.matches(s))
        case .null: throw EvaluationError(.nullOperand, "argument 1 of matches() is null", at: node)
        case let v:
          throw EvaluationError(.badArgument, "matches(): \(v.literal) is not a string", at: node)
        }
      }
    case .abs where args.count == 1:
      // One argument: no argument array per row (abs is in per-receipt rules).
      let x = args[0]
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        switch try x(&f) {
        case .integer(let n):
          guard n != .min else {
            throw EvaluationError(.arithmeticOverflow, "abs(\(n)) overflows", at: node)
          }
          return .integer(n < 0 ? -n : n)
        case .decimal(let d): return .decimal(d.magnitude)
        case let v: return try apply(.abs, [v], node)
        }
      }
    default:
      return { (f: inout Frame) throws(EvaluationError) -> Value in
        var values: [Value] = []
        values.reserveCapacity(args.count)
        for a in args { values.append(try a(&f)) }
        return try apply(function, values, node)
      }
    }
  }

  static func apply(_ function: BuiltinFunction, _ v: [Value], _ node: ExprNode)
    throws(EvaluationError) -> Value
  {
    func fail(_ message: String) -> EvaluationError {
      EvaluationError(.badArgument, "\(function.rawValue)(): \(message)", at: node)
    }
    func arg(_ i: Int) throws(EvaluationError) -> Value {
      guard i < v.count else { throw fail("missing argument \(i + 1)") }
      if v[i].isNull {
        throw EvaluationError(
          .nullOperand, "argument \(i + 1) of \(function.rawValue)() is null", at: node)
      }
      return v[i]
    }
    func decimal(_ i: Int) throws(EvaluationError) -> ExactDecimal {
      guard let d = try arg(i).asDecimal else { throw fail("argument \(i + 1) is not a number") }
      return d
    }
    func int(_ i: Int) throws(EvaluationError) -> Int {
      let x = try arg(i)
      if case .integer(let n) = x { return Int(n) }
      if let d = x.asDecimal, d == d.rounded(scale: 0, .down) {
        // A whole decimal beyond Int64 trapped in `Int(_:)` (issue 22, item 6).
        guard let n = Int(exactly: d.rounded(scale: 0, .down).mantissa) else {
          throw EvaluationError(
            .arithmeticOverflow, "\(function.rawValue)(): argument \(i + 1) is out of range",
            at: node)
        }
        return n
      }
      throw fail("argument \(i + 1) is not a whole number")
    }
    func date(_ i: Int) throws(EvaluationError) -> CivilDate {
      guard let d = try arg(i).asDate else { throw fail("argument \(i + 1) is not a date") }
      return d
    }
    func string(_ i: Int) throws(EvaluationError) -> String {
      guard let s = try arg(i).asString else { throw fail("argument \(i + 1) is not a string") }
      return s
    }

    switch function {
    case .abs:
      let x = try arg(0)
      if case .integer(let n) = x {
        guard n != .min else {
          throw EvaluationError(.arithmeticOverflow, "abs(\(n)) overflows", at: node)
        }
        return .integer(n < 0 ? -n : n)
      }
      return .decimal(try decimal(0).magnitude)
    case .min, .max:
      var items = v
      if v.count == 1, case .list(let l) = v[0] { items = l }
      guard !items.isEmpty else { throw fail("needs at least one value") }
      var best = items[0]
      for (i, x) in items.enumerated() {
        if x.isNull {
          throw EvaluationError(
            .nullOperand, "value \(i + 1) of \(function.rawValue)() is null", at: node)
        }
        guard let c = ValueOps.compare(x, best) else { throw fail("cannot order \(x.literal)") }
        if (function == .min && c < 0) || (function == .max && c > 0) { best = x }
      }
      return best
    case .round:
      let digits = v.count > 1 ? try int(1) : 0
      guard (0...ExactDecimal.maxScale).contains(digits) else { throw fail("digits out of range") }
      return .decimal(try decimal(0).rounded(scale: digits, .halfUp))
    case .addMonths, .addDays:
      // Checked: a huge count (a rule literal or a ledger cell) is a located error, not a trap
      // or a date silently clamped (issue 22, item 6).
      let (start, n) = (try date(0), try int(1))
      let moved = function == .addMonths ? start.adding(months: n) : start.adding(days: n)
      guard let moved else {
        throw EvaluationError(
          .arithmeticOverflow,
          "\(function.rawValue)(\(start), \(n)) leaves the calendar (years 1-9999)", at: node)
      }
      return .date(moved)
    case .daysBetween: return .integer(Int64(try date(0).days(to: try date(1))))
    case .monthsBetween: return .integer(Int64(monthsBetween(try date(0), try date(1))))
    case .year: return .integer(Int64(try date(0).year))
    case .quarter: return .integer(Int64(try date(0).quarter))
    case .month: return .integer(Int64(try date(0).month))
    case .lower: return .string(try string(0).lowercased())
    case .upper: return .string(try string(0).uppercased())
    case .startsWith: return .bool(try string(0).hasPrefix(try string(1)))
    case .endsWith: return .bool(try string(0).hasSuffix(try string(1)))
    case .contains:
      switch try arg(0) {
      case .list(let items):
        let x = v.count > 1 ? v[1] : .null
        return .bool(items.contains { ValueOps.equal($0, x) })
      case .string(let s): return .bool(s.contains(try string(1)))
      case let x: throw fail("argument 1 is \(x.literal), not a list or string")
      }
    case .matches:
      let pattern = try string(1)
      guard let compiled = Pattern(pattern) else {
        throw fail(
          "invalid pattern \"\(pattern.prefix(80))\(pattern.count > 80 ? "..." : "")\" (at most \(Pattern.maxLength) characters and \(Pattern.maxDepth) nested groups)"
        )
      }
      return .bool(compiled.matches(try string(0)))
    case .len:
      switch try arg(0) {
      case .string(let s): return .integer(Int64(s.count))
      case .list(let l): return .integer(Int64(l.count))
      case let x: throw fail("argument 1 is \(x.literal), not a string or list")
      }
    case .date:
      let s = try string(0)
      guard let d = CivilDate.parseISO(s) else { throw fail("\"\(s)\" is not a YYYY-MM-DD date") }
      return .date(d)
    case .coalesce, .isNull:
      return .null  // compiled separately (they accept null)
    }
  }

  /// Whole calendar months from `a` to `b` (negative when `b` is earlier).
  static func monthsBetween(_ a: CivilDate, _ b: CivilDate) -> Int {
    if b < a { return -monthsBetween(b, a) }
    var n = (b.year - a.year) * 12 + (b.month - a.month)
    if a.addingMonths(n) > b { n -= 1 }
    return n
  }
}

extension ExprNode {
  /// The pattern of `matches(x, "literal")`, when it is a literal.
  var literalPattern: String? {
    guard case .call(.matches, let args) = kind, args.count == 2,
      case .literal(.string(let p)) = args[1].kind
    else { return nil }
    return p
  }
}
