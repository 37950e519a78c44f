import CustodyDiagnostics
import CustodyValues

extension TypeChecker {
  mutating func checkUnary(_ op: String, _ operand: Syntax, _ range: Range<Int>) -> ExprNode? {
    guard let o = check(operand) else { return nil }
    if op == "not" {
      guard o.type == .bool else {
        error(
          .typeMismatch, "'not' needs a boolean, but '\(o.text)' is \(TypeRules.describe(o.type))",
          operand.range)
        return nil
      }
      return node(.unary(.not, o), .bool, range)
    }
    guard o.type.isNumeric || o.type == .duration else {
      error(
        .typeMismatch, "'-' needs a number, but '\(o.text)' is \(TypeRules.describe(o.type))",
        operand.range)
      return nil
    }
    return node(.unary(.negate, o), o.type, range)
  }

  mutating func checkBinary(_ op: String, _ ls: Syntax, _ rs: Syntax, _ range: Range<Int>)
    -> ExprNode?
  {
    let left = check(ls)
    let right = check(rs)
    guard let l = left, let r = right else { return nil }
    guard let oper = BinaryOperator(rawValue: op) else {
      error(.exprSyntax, "unknown operator '\(op)'", range)
      return nil
    }
    switch oper {
    case .and, .or:
      for (n, s) in [(l, ls), (r, rs)] where n.type != .bool {
        error(
          .typeMismatch, "'\(op)' joins booleans, but '\(n.text)' is \(TypeRules.describe(n.type))",
          s.range)
        return nil
      }
      return node(.binary(oper, l, r), .bool, range)
    case .equal, .notEqual:
      guard comparable(l.type, r.type) else {
        mismatch("cannot compare", l, r, rs.range)
        return nil
      }
      guard checkUnits(l, r, rs.range), checkEnum(l, r), checkEnum(r, l) else { return nil }
      return node(.binary(oper, l, r), .bool, range)
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      guard checkNotNull(op, l, ls.range), checkNotNull(op, r, rs.range) else { return nil }
      let ordered =
        (l.type.isNumeric && r.type.isNumeric) || (l.type == .date && r.type == .date)
        || (TypeRules.isStringLike(l.type) && TypeRules.isStringLike(r.type))
        || (l.type == .duration && r.type == .duration)
      guard ordered else {
        mismatch("cannot order", l, r, rs.range)
        return nil
      }
      guard checkUnits(l, r, rs.range) else { return nil }
      return node(.binary(oper, l, r), .bool, range)
    case .in, .notIn:
      guard case .list(let element) = r.type else {
        error(
          .typeMismatch,
          "'\(op)' needs a list on its right, but '\(r.text)' is \(TypeRules.describe(r.type))",
          rs.range, help: TypeRules.isStringLike(r.type) ? "use contains(text, part) for text" : nil
        )
        return nil
      }
      guard element == .any || comparable(l.type, element) else {
        error(
          .typeMismatch,
          "'\(l.text)' is \(TypeRules.describe(l.type)), but '\(r.text)' holds \(TypeRules.describe(element)) values",
          rs.range)
        return nil
      }
      guard checkEnum(l, r) else { return nil }
      return node(.binary(oper, l, r), .bool, range)
    case .add, .subtract:
      guard checkNotNull(op, l, ls.range), checkNotNull(op, r, rs.range) else { return nil }
      if l.type == .date && r.type == .duration {
        return node(.binary(oper, l, r), .date, range)
      }
      if l.type == .duration && r.type == .duration {
        return node(.binary(oper, l, r), .duration, range)
      }
      guard l.type.isNumeric && r.type.isNumeric else {
        let help =
          l.type == .date && r.type == .date
          ? "use days_between(a, b) or months_between(a, b)" : nil
        error(
          .typeMismatch,
          "'\(op)' needs numbers (or a date and a duration), but '\(l.text)' is \(TypeRules.describe(l.type)) and '\(r.text)' is \(TypeRules.describe(r.type))",
          rs.range, help: help)
        return nil
      }
      guard checkUnits(l, r, rs.range), let t = TypeRules.unify(l.type, r.type) else { return nil }
      return node(.binary(oper, l, r), t, range)
    case .multiply, .divide:
      guard checkNotNull(op, l, ls.range), checkNotNull(op, r, rs.range) else { return nil }
      guard l.type.isNumeric && r.type.isNumeric else {
        let bad = l.type.isNumeric ? (r, rs) : (l, ls)
        error(
          .typeMismatch,
          "'\(op)' needs numbers, but '\(bad.0.text)' is \(TypeRules.describe(bad.0.type))",
          bad.1.range)
        return nil
      }
      let (u1, u2) = (TypeRules.unit(l.type), TypeRules.unit(r.type))
      let type: ValueType
      if oper == .multiply {
        type =
          l.type == .integer && r.type == .integer
          ? .integer : .decimal(unit: TypeRules.multiplyUnit(u1, u2))
      } else {
        type = .decimal(unit: TypeRules.divideUnit(u1, u2))
      }
      return node(.binary(oper, l, r), type, range)
    }
  }

  mutating func mismatch(_ verb: String, _ l: ExprNode, _ r: ExprNode, _ at: Range<Int>) {
    var help: String?
    if TypeRules.isRow(l.type) || TypeRules.isRow(r.type) {
      help = "a looked-up row is compared only with null; read a column with .column"
    } else if l.type.isNumeric, case .literal(.string(let s)) = r.kind, ExactDecimal(s) != nil {
      help = "write the number without quotes: \(s)"
    }
    error(
      .typeMismatch,
      "\(verb) '\(l.text)' (\(TypeRules.describe(l.type))) with '\(r.text)' (\(TypeRules.describe(r.type)))",
      at, help: help)
  }

  mutating func checkNotNull(_ op: String, _ n: ExprNode, _ range: Range<Int>) -> Bool {
    guard n.type == .null else { return true }
    error(
      .nullOrdering, "'\(op)' with null is never true or false", range,
      help: "test with == null / != null, or supply a value with coalesce(x, default)")
    return false
  }

  mutating func checkUnits(_ l: ExprNode, _ r: ExprNode, _ at: Range<Int>) -> Bool {
    guard TypeRules.unitsConflict(l.type, r.type) else { return true }
    error(
      .unitMismatch,
      "unit mismatch: '\(l.text)' is in \(TypeRules.unit(l.type) ?? "") but '\(r.text)' is in \(TypeRules.unit(r.type) ?? "")",
      at)
    return false
  }

  /// When `a` is an enumeration, every text literal (or list item, or list parameter value)
  /// on the other side must be one of its values.
  mutating func checkEnum(_ a: ExprNode, _ other: ExprNode) -> Bool {
    guard case .enumeration(let values) = a.type, !TypeRules.isRow(a.type) else { return true }
    var ok = true
    func test(_ v: Value, _ span: SourceSpan, _ what: String) {
      guard case .string(let s) = v, !values.contains(s) else { return }
      bag.report(
        .unknownEnumLiteral,
        "\(what)\"\(s)\" is not a value of '\(a.text)' (\(values.joined(separator: ", ")))",
        at: span,
        suggestions: Suggestions.closest(to: s, in: values))
      ok = false
    }
    switch other.kind {
    case .literal(let v): test(v, other.span, "")
    case .list(let items):
      for item in items { if case .literal(let v) = item.kind { test(v, item.span, "") } }
    case .parameter(let name, .list(let items)):
      for v in items { test(v, other.span, "'$\(name)' holds ") }
    case .parameter(let name, let v): test(v, other.span, "'$\(name)' is ")
    default: break
    }
    return ok
  }
}
