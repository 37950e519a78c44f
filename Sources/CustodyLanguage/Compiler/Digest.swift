import CustodyDiagnostics
import CustodyValues

/// Canonical text of compiled meaning (no spans, source text or node numbering) and its sha256:
/// a reformatted YAML file keeps its digests; a changed threshold changes them.
enum Digest {
  static func instance(_ i: RuleInstance) -> String {
    var out = "rule \(i.ruleID)\n"
    out += "params " + i.parameters.map { "\($0.name)=\($0.value.literal)" }.joined(separator: ",") + "\n"
    out += "requires " + i.requires.joined(separator: ",") + "\n"
    out += "effective \(i.effectiveFrom?.description ?? "-") \(i.effectiveUntil?.description ?? "-")\n"
    canonical(i.check, into: &out)
    out += "\n"
    if let m = i.message { canonical(m.parts, into: &out) }
    return CompileSession.sha256(out)
  }

  static func graph(rules: [RuleInstance], clauses: [Clause], parameters: [BoundParameter]) -> String {
    var out = ""
    for p in parameters { out += "param \(p.name)=\(p.value.literal)\n" }
    for c in clauses {
      out += "clause \(c.id) \(c.severity.rawValue) \(c.effectiveFrom?.description ?? "-") \(c.effectiveUntil?.description ?? "-") "
      switch c.evidence {
      case .documentary: out += "documentary\n"
      case .ledger(let ids): out += ids.joined(separator: ",") + "\n"
      }
    }
    for r in rules { out += "instance \(r.id) \(r.digest) \(r.requires.joined(separator: ","))\n" }
    return CompileSession.sha256(out)
  }

  /// Reflection-based printer that skips locations, source text and expression node ids.
  static func canonical(_ value: Any, into out: inout String) {
    let mirror = Mirror(reflecting: value)
    if value is SourceSpan || value is SourceLocation { return }
    if let v = value as? Value {
      out += v.literal
      return
    }
    if let v = value as? ValueType {
      out += v.description
      return
    }
    if let d = value as? ExactDecimal {
      out += d.canonicalDescription
      return
    }
    switch mirror.displayStyle {
    case .optional:
      if let child = mirror.children.first { canonical(child.value, into: &out) } else { out += "nil" }
    case .enum:
      out += "\(value)".prefix { $0 != "(" }
      if !mirror.children.isEmpty {
        out += "("
        for child in mirror.children { canonical(child.value, into: &out); out += ";" }
        out += ")"
      }
    case .struct, .class, .tuple, .collection, .dictionary, .set:
      let isNode = value is ExprNode
      out += "{"
      for child in mirror.children {
        if let label = child.label {
          if label == "span" || (isNode && (label == "id" || label == "text")) { continue }
          out += label + ":"
        }
        canonical(child.value, into: &out)
        out += ","
      }
      out += "}"
    default:
      out += "\(value)"
    }
  }
}
