import CustodyDiagnostics
import CustodyLanguage
import CustodyValues

/// `custody explain`: a clause or rule in plain words, with every parameter's value and where it
/// was set, what it requires and what requires it.
public enum Explainer {
  /// nil when `id` names neither a clause nor a rule instance of the standard.
  public static func explain(_ id: String, in s: CompiledStandard) -> String? {
    if let clause = s.clause(id) { return explain(clause: clause, in: s) }
    if let rule = s.rule(id) ?? s.rules.first(where: { $0.ruleID == id }) {
      return explain(rule: rule, in: s)
    }
    return nil
  }

  /// Ids the user may have meant.
  public static func suggestions(for id: String, in s: CompiledStandard) -> [String] {
    Suggestions.closest(to: id, in: s.clauses.map(\.id) + s.rules.map(\.id))
  }

  static func explain(clause c: Clause, in s: CompiledStandard) -> String {
    var out = "Clause \(c.id): \(c.title)\n"
    out += "  standard:    \(s.id) \(s.version), section \(c.section)\n"
    out += "  severity:    \(c.severity.rawValue)\n"
    if let p = c.provenance {
      out +=
        "  provenance:  \(p.rawValue)\(c.references.isEmpty ? "" : " (" + c.references.joined(separator: "; ") + ")")\n"
    }
    if c.effectiveFrom != nil || c.effectiveUntil != nil {
      out +=
        "  effective:   \(c.effectiveFrom?.description ?? "always") .. \(c.effectiveUntil?.description ?? "open")\n"
    }
    if let span = c.span { out += "  defined at:  \(span.start)\n" }
    out +=
      "\n  Requirement:\n" + wrap(c.requirement(boundTo: s.parameters), indent: "    ") + "\n"
    switch c.evidence {
    case .documentary:
      out +=
        "\n  Evidence: documentary. No ledger can show this; the auditor checks documents and records.\n"
    case .ledger(let ids):
      out +=
        "\n  Evidence: \(ids.count) rule\(ids.count == 1 ? "" : "s") evaluated against the ledger:\n"
      for id in ids {
        guard let r = s.rule(id) else { continue }
        out +=
          "    - \(r.id) (\(r.check.kind) on \(Array(Set(r.check.tables)).sorted().joined(separator: ", "))): \(r.title)\n"
      }
      out +=
        "  The clause is non-conformant when any of them fails; not evaluated when one cannot run.\n"
    }
    return out
  }

  static func explain(rule r: RuleInstance, in s: CompiledStandard) -> String {
    var out = "Rule \(r.id): \(r.title)\n"
    if r.id != r.ruleID {
      out += "  rule:        \(r.ruleID) (this instance is bound with its own parameters)\n"
    }
    out += "  check kind:  \(r.check.kind)\n"
    out += "  reads:       \(Array(Set(r.check.tables)).sorted().joined(separator: ", "))\n"
    out += "  clauses:     \(r.clauseIDs.joined(separator: ", "))\n"
    out += "  file:        \(r.span.map { $0.start.description } ?? r.file)\n"
    if !r.description.isEmpty { out += "\n" + wrap(r.description, indent: "  ") + "\n" }
    out += "\n" + describe(r.check)
    if !r.parameters.isEmpty {
      out += "\n  Parameters:\n"
      for p in r.parameters {
        let origin: String
        switch p.origin {
        case .defaultValue: origin = "the rule's default"
        case .binding: origin = "the clause's `with:` binding"
        case .standardParameter(let name): origin = "standard parameter $\(name)"
        case .override: origin = "an override"
        }
        let at = p.span.map { " at \($0.start)" } ?? ""
        out += "    \(p.name) = \(p.value.literal)  (\(p.type); set by \(origin)\(at))\n"
      }
    }
    let requiredBy = s.rules.filter { $0.requires.contains(r.id) }.map(\.id)
    out +=
      "\n  Requires:    \(r.requires.isEmpty ? "nothing" : r.requires.joined(separator: ", "))\n"
    out += "  Required by: \(requiredBy.isEmpty ? "nothing" : requiredBy.joined(separator: ", "))\n"
    if !r.requires.isEmpty {
      out += "  If a required rule fails, this rule is reported as skipped, with the reason.\n"
    }
    return out
  }

  static func describe(_ check: CheckSpec) -> String {
    func e(_ n: ExprNode?) -> String { n?.text ?? "-" }
    switch check {
    case .row(let c):
      return
        "  Every row of \(c.table)\(c.filter.map { " where \($0.text)" } ?? "") must satisfy:\n    \(c.assertion.text)\n"
    case .unique(let c):
      let parts = c.sources.map { "\($0.table)(\($0.key.map(\.text).joined(separator: ", ")))" }
      return "  Key values must be unique across \(parts.joined(separator: " and ")).\n"
    case .reference(let c):
      var s =
        "  Every row of \(c.table)\(c.filter.map { " where \($0.text)" } ?? "") must find \(c.key.map(\.text).joined(separator: ", ")) in \(c.target)"
      if let at = c.at { s += " in a row valid on \(at.text)" }
      if let cond = c.condition { s += ", and that row must satisfy \(cond.text)" }
      return s + ".\n"
    case .aggregate(let c):
      return
        "  Rows of \(([c.table] + c.also.map(\.table)).joined(separator: " and ")) grouped by \(c.groupBy.map(\.name).joined(separator: ", "))\(c.periods != nil ? " and period" : ""); each group must satisfy:\n    \(c.assertion.text)\n"
    case .periodCoverage(let c):
      var s =
        "  Periods in \(c.periods.table) per group must be \(c.contiguous ? "contiguous, " : "")non-overlapping"
      if let m = c.maxMonths { s += " and at most \(m) months long" }
      return s
        + "; every entry of \(c.entries.map(\.table).joined(separator: ", ")) must fall in exactly one period of its group.\n"
    case .massBalance(let c):
      var s =
        "  Credit book \(c.book.id): accounts keyed by (\(c.book.accountKey.joined(separator: ", "))).\n"
      for src in c.book.credits {
        s +=
          "    credit from \(src.table)\(src.filter.map { " where \($0.text)" } ?? ""): \(e(src.amount))\n"
      }
      for src in c.book.debits {
        s +=
          "    debit from \(src.table)\(src.filter.map { " where \($0.text)" } ?? ""): \(e(src.amount))\n"
      }
      for t in c.book.transfers { s += "    transfer from \(t.table): \(e(t.amount))\n" }
      if let l = c.book.lifetimeMonths {
        s += "    credits expire \(l) months after the receipt; consumed first in, first out\n"
      }
      s += "    same day: \(c.book.sameDay.rawValue.replacingOccurrences(of: "_", with: " "))\n"
      switch c.mode {
      case .continuous: s += "  Asserts: no account's balance is ever below zero.\n"
      case .periodEnd:
        s += "  Asserts: every account's balance at the end of every period is zero or more.\n"
      case .expiry: s += "  Asserts: no debit is covered only by credits that had expired.\n"
      case .percentage:
        s +=
          "  Asserts: per period, the claimed share of output is at most the credited share of input.\n"
      case .transferCover:
        s +=
          "  Asserts: every transfer moves only unexpired credits the sender holds; the rest is neither moved nor credited.\n"
      }
      return s
    }
  }

  static func wrap(_ text: String, indent: String, width: Int = 96) -> String {
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = indent
      for word in paragraph.split(separator: " ") {
        if line.count + word.count + 1 > width && line != indent {
          lines.append(line)
          line = indent
        }
        line += (line == indent ? "" : " ") + word
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }
}
