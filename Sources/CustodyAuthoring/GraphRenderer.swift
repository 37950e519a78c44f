import CustodyLanguage
import Foundation

/// Renders the compiled rule graph (standard -> sections -> clauses -> rule instances ->
/// check kinds and tables, plus `requires` edges) as Graphviz dot or Mermaid. Output is
/// deterministic: nodes and edges in a fixed order.
public enum GraphRenderer {
  public enum Format: String, Sendable, CaseIterable { case dot, mermaid }

  public static func render(_ s: CompiledStandard, format: Format) -> String {
    switch format {
    case .dot: dot(s)
    case .mermaid: mermaid(s)
    }
  }

  /// Node ids safe for both formats.
  static func nodeID(_ prefix: String, _ name: String) -> String {
    prefix + "_"
      + String(
        name.unicodeScalars.map { c in
          (c.properties.isAlphabetic && c.isASCII) || ("0"..."9").contains(c) ? Character(c) : "_"
        })
  }

  static func tables(_ s: CompiledStandard) -> [String] {
    Array(Set(s.rules.flatMap { $0.check.tables })).sorted()
  }

  static func dot(_ s: CompiledStandard) -> String {
    func q(_ text: String) -> String {
      "\""
        + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
          of: "\"", with: "\\\"") + "\""
    }
    var out = "digraph custody {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
    let root = nodeID("std", s.id)
    out += "  \(root) [shape=box, style=bold, label=\(q("\(s.id) \(s.version)\n\(s.title)"))];\n"
    for section in s.sections {
      let sid = nodeID("sec", section.id)
      out += "  \(sid) [shape=box, label=\(q("\(section.id) \(section.title)"))];\n"
      out += "  \(root) -> \(sid);\n"
      for clauseID in section.clauseIDs {
        guard let clause = s.clause(clauseID) else { continue }
        let cid = nodeID("clause", clause.id)
        let documentary = clause.evidence == .documentary
        out +=
          "  \(cid) [shape=note, \(documentary ? "style=dashed, " : "")label=\(q("\(clause.id) [\(clause.severity.rawValue)\(documentary ? ", documentary" : "")]\n\(clause.title)"))];\n"
        out += "  \(sid) -> \(cid);\n"
        if case .ledger(let instances) = clause.evidence {
          for r in instances { out += "  \(cid) -> \(nodeID("rule", r));\n" }
        }
      }
    }
    for rule in s.rules {
      let rid = nodeID("rule", rule.id)
      out += "  \(rid) [shape=ellipse, label=\(q("\(rule.id)\n(\(rule.check.kind))"))];\n"
      for req in rule.requires {
        out += "  \(rid) -> \(nodeID("rule", req)) [style=dashed, label=\"requires\"];\n"
      }
      for t in Array(Set(rule.check.tables)).sorted() {
        out += "  \(rid) -> \(nodeID("table", t)) [color=gray];\n"
      }
    }
    for t in tables(s) { out += "  \(nodeID("table", t)) [shape=cylinder, label=\(q(t))];\n" }
    out += "}\n"
    return out
  }

  static func mermaid(_ s: CompiledStandard) -> String {
    func q(_ text: String) -> String {
      "\""
        + text.replacingOccurrences(of: "\"", with: "#quot;").replacingOccurrences(
          of: "\n", with: "<br/>") + "\""
    }
    var out = "flowchart LR\n"
    let root = nodeID("std", s.id)
    out += "  \(root)[\(q("\(s.id) \(s.version): \(s.title)"))]\n"
    for section in s.sections {
      let sid = nodeID("sec", section.id)
      out += "  \(sid)[\(q("\(section.id) \(section.title)"))]\n  \(root) --> \(sid)\n"
      for clauseID in section.clauseIDs {
        guard let clause = s.clause(clauseID) else { continue }
        let cid = nodeID("clause", clause.id)
        let documentary = clause.evidence == .documentary
        out +=
          "  \(cid)[\(q("\(clause.id) [\(clause.severity.rawValue)\(documentary ? ", documentary" : "")]"))]\n  \(sid) --> \(cid)\n"
        if case .ledger(let instances) = clause.evidence {
          for r in instances { out += "  \(cid) --> \(nodeID("rule", r))\n" }
        }
      }
    }
    for rule in s.rules {
      let rid = nodeID("rule", rule.id)
      out += "  \(rid)([\(q("\(rule.id) (\(rule.check.kind))"))])\n"
      for req in rule.requires { out += "  \(rid) -. requires .-> \(nodeID("rule", req))\n" }
      for t in Array(Set(rule.check.tables)).sorted() {
        out += "  \(rid) --- \(nodeID("table", t))\n"
      }
    }
    for t in tables(s) { out += "  \(nodeID("table", t))[(\(q(t)))]\n" }
    return out
  }
}
