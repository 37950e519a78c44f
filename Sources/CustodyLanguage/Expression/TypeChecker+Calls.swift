import CustodyDiagnostics
import CustodyValues

extension TypeChecker {
  mutating func checkCall(
    _ name: String, _ nameRange: Range<Int>, _ args: [Syntax], _ range: Range<Int>
  ) -> ExprNode? {
    if name == SpecialFunctions.conditional { return checkIf(args, nameRange, range) }
    let isAggregateCall =
      AggregateFunction(rawValue: name) != nil
      && !((name == "min" || name == "max") && args.count >= 2)
    if isAggregateCall {
      error(
        .aggregateMisplaced,
        "\(name)() aggregates the rows of a group; it is allowed only in an aggregate check's `compute:`",
        nameRange)
      return nil
    }
    guard let function = BuiltinFunction(rawValue: name) else {
      error(
        .unknownFunction, "unknown function '\(name)'", nameRange,
        suggestions: Suggestions.closest(to: name, in: SpecialFunctions.callable))
      return nil
    }
    let (lo, hi) = function.arity
    if args.count < lo || args.count > (hi ?? Int.max) {
      let expected = hi == nil ? "at least \(lo)" : (lo == hi ? "\(lo)" : "\(lo) to \(hi ?? lo)")
      error(
        .wrongArity,
        "\(name) takes \(expected) argument\(expected == "1" ? "" : "s"), but \(args.count) \(args.count == 1 ? "is" : "are") given",
        range, help: "signature: \(function.signature)")
      return nil
    }
    if function == .date { return checkDate(args[0], range) }
    var nodes: [ExprNode] = []
    for arg in args {
      guard let n = check(arg) else { return nil }
      nodes.append(n)
    }
    guard let type = resultType(function, nodes, args) else { return nil }
    return node(.call(function, nodes), type, range)
  }

  mutating func checkIf(_ args: [Syntax], _ nameRange: Range<Int>, _ range: Range<Int>) -> ExprNode?
  {
    guard args.count == 3 else {
      error(
        .wrongArity,
        "if takes 3 arguments (condition, then, else), but \(args.count) \(args.count == 1 ? "is" : "are") given",
        range)
      return nil
    }
    guard let c = check(args[0]), let a = check(args[1]), let b = check(args[2]) else { return nil }
    guard c.type == .bool else {
      error(
        .typeMismatch,
        "if's condition must be a boolean, but '\(c.text)' is \(TypeRules.describe(c.type))",
        args[0].range)
      return nil
    }
    guard let t = TypeRules.unify(a.type, b.type) else {
      if TypeRules.unitsConflict(a.type, b.type) {
        _ = checkUnits(a, b, args[2].range)
      } else {
        mismatch("if's branches differ:", a, b, args[2].range)
      }
      return nil
    }
    return node(.conditional(c, a, b), t, range)
  }

  /// `date("2024-01-31")` with a literal folds to a date literal (and is checked now).
  mutating func checkDate(_ arg: Syntax, _ range: Range<Int>) -> ExprNode? {
    if case .string(let s) = arg.kind {
      guard let d = CivilDate.parseISO(s) else {
        error(.badLiteral, "\"\(s)\" is not a valid YYYY-MM-DD date", arg.range)
        return nil
      }
      return node(.literal(.date(d)), .date, range)
    }
    guard let n = check(arg) else { return nil }
    guard TypeRules.isStringLike(n.type) || n.type == .null else {
      error(
        .typeMismatch,
        "date() reads text YYYY-MM-DD, but '\(n.text)' is \(TypeRules.describe(n.type))", arg.range)
      return nil
    }
    return node(.call(.date, [n]), .date, range)
  }

  /// Checks argument types and gives the call's type; nil after reporting.
  mutating func resultType(_ f: BuiltinFunction, _ n: [ExprNode], _ s: [Syntax]) -> ValueType? {
    func need(_ i: Int, _ what: String, _ ok: (ValueType) -> Bool) -> Bool {
      if n[i].type == .null || ok(n[i].type) { return true }
      error(
        .typeMismatch,
        "argument \(i + 1) of \(f.rawValue) must be \(what), but '\(n[i].text)' is \(TypeRules.describe(n[i].type))",
        s[i].range, help: "signature: \(f.signature)")
      return false
    }
    let numeric: (ValueType) -> Bool = { $0.isNumeric }
    let isDate: (ValueType) -> Bool = { $0 == .date }
    let text: (ValueType) -> Bool = { TypeRules.isStringLike($0) }
    let integer: (ValueType) -> Bool = { $0 == .integer }
    switch f {
    case .abs:
      guard need(0, "a number", numeric) else { return nil }
      return n[0].type
    case .round:
      guard need(0, "a number", numeric), need(1, "an integer", integer) else { return nil }
      return .decimal(unit: TypeRules.unit(n[0].type))
    case .min, .max, .coalesce:
      var t: ValueType = .null
      for i in n.indices {
        if f != .coalesce {
          guard need(i, "a number or a date", { $0.isNumeric || $0 == .date }) else { return nil }
        }
        guard !TypeRules.unitsConflict(t, n[i].type) || checkUnits(n[0], n[i], s[i].range) else {
          return nil
        }
        guard let u = TypeRules.unify(t, n[i].type) else {
          mismatch("\(f.rawValue) cannot mix", n[0], n[i], s[i].range)
          return nil
        }
        t = u
      }
      return t
    case .addMonths, .addDays:
      guard need(0, "a date", isDate), need(1, "an integer", integer) else { return nil }
      return .date
    case .daysBetween, .monthsBetween:
      guard need(0, "a date", isDate), need(1, "a date", isDate) else { return nil }
      return .integer
    case .year, .quarter, .month:
      guard need(0, "a date", isDate) else { return nil }
      return .integer
    case .lower, .upper:
      guard need(0, "text", text) else { return nil }
      return .string
    case .startsWith, .endsWith:
      guard need(0, "text", text), need(1, "text", text) else { return nil }
      return .bool
    case .matches:
      guard need(0, "text", text), need(1, "text", text) else { return nil }
      return .bool
    case .contains:
      if case .list(let e) = n[0].type {
        guard e == .any || comparable(e, n[1].type) else {
          mismatch("contains cannot look for", n[0], n[1], s[1].range)
          return nil
        }
        guard checkEnum(n[1], n[0]) else { return nil }
        return .bool
      }
      guard need(0, "a list or text", text), need(1, "text", text) else { return nil }
      return .bool
    case .len:
      guard need(0, "a list or text", { if case .list = $0 { true } else { text($0) } }) else {
        return nil
      }
      return .integer
    case .isNull:
      return .bool
    case .date:
      return .date
    }
  }
}
