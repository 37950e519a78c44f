import CustodyValues

/// The default, human-readable report: what was checked, the verdict, the clause table, then
/// the non-conformity list with its evidence rows. Colour only when asked (a terminal).
public struct TextReporter: Sendable {
  public var colour: Bool
  public init(colour: Bool = false) { self.colour = colour }

  public func render(_ report: Report) -> String {
    var out = ""
    out +=
      bold("custody \(report.tool.version)")
      + ": \(t(report.standard.title)) \(t(report.standard.version))"
    out += " (\(t(report.standard.id)))\n"
    out += "standard  \(t(report.standard.file))  sha256 \(report.standard.sha256.prefix(16))\n"
    let rows = report.ledger.files.reduce(0) { $0 + $1.rows }
    out += "ledger    \(t(report.ledger.path))  \(report.ledger.files.count) files, \(rows) rows"
    if let profile = report.ledger.profile { out += ", profile \(t(profile.path))" }
    out += "\n"
    for warning in report.ledger.warnings ?? [] { out += "warning   \(t(warning))\n" }
    out += "\n"

    let verdict = paint(
      report.verdictHeadline,
      {
        switch report.verdict {
        case .conformant: "1;32"
        case .incomplete: "1;33"
        case .nonConformant: "1;31"
        }
      }())
    out += "Verdict: \(verdict)  (major \(report.summary.major), minor \(report.summary.minor), "
    out +=
      "observation \(report.summary.observation), waived \(report.summary.waived); fail on \(report.failOn.rawValue))\n\n"

    if report.nonconformities.isEmpty {
      out += "No non-conformities.\n"
    } else {
      out += bold("Non-conformities (\(report.nonconformities.count))") + "\n"
      for (index, nc) in report.nonconformities.enumerated() {
        let waived = nc.waived ? " [waived]" : ""
        out +=
          "\n\(index + 1). [\(t(report.severityName(nc.severity)).uppercased())] \(t(nc.clause)) / \(t(nc.rule))\(waived)  id \(t(nc.id))\n"
        out += "   \(t(nc.summary))\n"
        if let requirement = report.requirement(of: nc.clause) {
          out += "   requirement: \(t(requirement))\n"
        }
        for e in nc.evidence {
          var line = "   - \(t(e.file)):\(e.line)"
          if let id = e.entryId { line += "  \(t(id))" }
          if let column = e.column { line += "  \(t(column))=\(t(e.value ?? ""))" }
          out += line + "\n"
        }
        if nc.evidenceTotal > nc.evidence.count {
          out += "   ... \(nc.evidenceTotal - nc.evidence.count) more rows (--evidence-limit)\n"
        }
        let listed = report.findingLines(of: nc)
        for f in listed.lines { out += "   finding \(t(f.id))  \(t(f.message))\n" }
        if listed.more > 0 {
          out += "   ... \(listed.more) more findings (--evidence-limit; all in the JSON report)\n"
        }
      }
    }
    out += "\n"
    out += bold("Clauses") + "\n"
    let idWidth = max(6, report.clauses.map(\.id.count).max() ?? 6)
    let statusWidth = 14
    let severityWidth = max(
      11, report.clauses.map { report.severityName($0.severity).count }.max() ?? 11)
    for clause in report.clauses {
      let status = pad(clause.status.rawValue, statusWidth)
      let coloured: String
      switch clause.status {
      case .nonConformant: coloured = paint(status, "31")
      case .conformant: coloured = paint(status, "32")
      case .notEvaluated: coloured = paint(status, "33")
      case .notApplicable, .documentary: coloured = status
      }
      out +=
        "  \(pad(t(clause.id), idWidth))  \(coloured)  \(pad(t(report.severityName(clause.severity)), severityWidth))  \(t(clause.title))"
      if let reason = clause.reason, clause.status != .conformant { out += "  (\(t(reason)))" }
      out += "\n"
    }
    if !report.nonconformities.isEmpty {
      for trace in report.accounts {
        let period = trace.period.map { ", period \(t($0))" } ?? ""
        out +=
          "\n" + bold("Account \(t(trace.account))")
          + " (\(t(trace.rule))\(period)): opening \(trace.opening)"
        if let shortfall = trace.shortfall { out += ", shortfall \(shortfall)" }
        out += "\n"
        for (i, step) in trace.steps.enumerated() {
          let marker = i == trace.firstFailure ? paint(" <- first failure", "1;31") : ""
          var where_ = ""
          if let file = step.file, let line = step.line { where_ = "  \(t(file)):\(line)" }
          if let id = step.entryId { where_ += " \(t(id))" }
          out +=
            "   \(t(step.date))  \(pad(t(step.kind), 12)) \(lpad(step.amount, 14))  balance \(lpad(step.balance, 14))\(where_)\(marker)\n"
        }
        if trace.stepsTotal > trace.steps.count {
          out += "   ... \(trace.stepsTotal - trace.steps.count) more postings\n"
        }
      }
    }
    out += StatementRendering.text(report.statement ?? [], bold: bold, t: t)
    if !report.waivers.isEmpty {
      out += "\n" + bold("Waivers") + "\n"
      for w in report.waivers {
        out +=
          "  \(t(w.id))  \(pad(w.status.rawValue, 9))  \(t(w.target))  matched \(w.matched), expires \(t(w.expires))\n"
      }
    }
    if let signature = report.signature {
      out +=
        "\nSigned (\(t(signature.algorithm))) with key \(t(String(signature.keyId.prefix(16)))); check with `custody verify`.\n"
    }
    return out
  }

  /// User text for a terminal: control characters (an escape sequence in a ledger cell could
  /// rewrite the screen) become U+FFFD.
  private func t(_ s: String) -> String { Escape.terminal(s) }

  private func pad(_ s: String, _ n: Int) -> String {
    s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
  }
  private func lpad(_ s: String, _ n: Int) -> String {
    s.count >= n ? s : String(repeating: " ", count: n - s.count) + s
  }
  private func bold(_ s: String) -> String { paint(s, "1") }
  private func paint(_ s: String, _ code: String) -> String {
    colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
  }
}
