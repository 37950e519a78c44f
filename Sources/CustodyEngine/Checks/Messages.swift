import CustodyLanguage
import CustodyValues

/// Finding messages: the rule's `message:` template rendered with the row's values, or a
/// default that shows the actual and expected values of the failed assertion.
enum Messages {
  /// `{expr}` parts are evaluated against the frame; an error renders as `<error: ...>`.
  static func render(_ template: MessageTemplate, _ frame: Frame, run: RunContext) -> String {
    var out = ""
    for part in template.parts {
      switch part {
      case .text(let t): out += t
      case .expression(let e):
        var f = frame
        f.trace = nil
        do {
          out += show(try run.compiler.evaluate(e, &f))
        } catch {
          out += "<error: \(error.message)>"
        }
      }
    }
    return out
  }

  /// A value as a message shows it: strings bare, null as `null`.
  static func show(_ v: Value) -> String {
    switch v {
    case .null: "null"
    case .string(let s): s
    case .list(let l): "[" + l.map(show).joined(separator: ", ") + "]"
    // Computed values (a quotient has 18 digits) print without trailing zeros; values read
    // from the ledger keep the digits they were written with.
    case .decimal(let d) where d.scale > 6: d.canonicalDescription
    default: v.description
    }
  }

  /// The message for a finding: the template if the rule has one, else `fallback()`.
  static func message(
    _ instance: RuleInstance, _ frame: Frame, run: RunContext, fallback: () -> String
  ) -> String {
    if let template = instance.message { return render(template, frame, run: run) }
    return fallback()
  }

  /// Why `assertion` is false on this frame: for a comparison, both sides' values; for `and`,
  /// the first conjunct that is false; otherwise the expression and the fields it read.
  static func explainFalse(_ assertion: ExprNode, _ frame: Frame, run: RunContext) -> String {
    var f = frame
    let trace = Trace()
    f.trace = trace
    _ = try? run.tracer.evaluate(assertion, &f)
    return explain(assertion, trace)
  }

  private static func explain(_ node: ExprNode, _ trace: Trace) -> String {
    func value(_ n: ExprNode) -> String { trace.values[n.id].map(show) ?? "?" }
    switch node.kind {
    case .binary(.and, let a, let b):
      if trace.values[a.id] == .bool(false) { return explain(a, trace) }
      return explain(b, trace)
    case .binary(let op, let a, let b)
    where [.less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual, .in, .notIn].contains(
      op):
      let left = isConstant(a) ? a.text : "\(a.text) = \(value(a))"
      let right = isConstant(b) ? b.text : "\(b.text) = \(value(b))"
      return "\(left), expected \(op.rawValue) \(right)"
    default:
      var fields: [String] = []
      node.visit { n in
        if case .field = n.kind, let v = trace.values[n.id] {
          let s = "\(n.text) = \(show(v))"
          if !fields.contains(s) { fields.append(s) }
        }
      }
      return "`\(node.text)` is false"
        + (fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")))")
    }
  }

  private static func isConstant(_ n: ExprNode) -> Bool {
    switch n.kind {
    case .literal: true
    case .list(let items): items.allSatisfy(isConstant)
    default: false
    }
  }
}
