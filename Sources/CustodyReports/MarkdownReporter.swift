import CustodyValues

/// A Markdown report for pull requests, wikis and tickets: the verdict, each non-conformity with
/// its evidence rows and findings, the clause table, the inputs with their digests, the
/// account traces and the waivers. Every value from a user file is escaped.
public struct MarkdownReporter: Sendable {
  public init() {}

  public func render(_ report: Report) -> String {
    let md = Escape.markdown
    var out = "# custody report: \(md(report.standard.title)) \(md(report.standard.version))\n\n"
    let verdict = report.verdictHeadline
    out += "**Verdict: \(verdict)** (major \(report.summary.major), minor \(report.summary.minor), "
    out +=
      "observation \(report.summary.observation), waived \(report.summary.waived); fail on \(md(report.failOn.rawValue)))\n\n"

    out += "## Non-conformities\n\n"
    if report.nonconformities.isEmpty { out += "None.\n" }
    for (index, nc) in report.nonconformities.enumerated() {
      out +=
        "### \(index + 1). \(md(nc.clause)) / \(md(nc.rule)): \(md(report.severityName(nc.severity)))\(nc.waived ? " (waived)" : "")\n\n"
      out +=
        "\(md(nc.summary))\n\nId `\(nc.id)`. Evidence rows: \(nc.evidence.count) of \(nc.evidenceTotal).\n\n"
      if let requirement = report.requirement(of: nc.clause) {
        out += "Requirement: \(md(requirement))\n\n"
      }
      if !nc.evidence.isEmpty {
        out += "| file | line | entry | column | value |\n|---|---|---|---|---|\n"
        for e in nc.evidence {
          out +=
            "| \(md(e.file)) | \(e.line) | \(md(e.entryId ?? "")) | \(md(e.column ?? "")) | \(md(e.value ?? "")) |\n"
        }
        if nc.evidenceTotal > nc.evidence.count {
          out +=
            "\n\(nc.evidenceTotal - nc.evidence.count) more rows not shown (`--evidence-limit`).\n"
        }
        out += "\n"
      }
      let listed = report.findingLines(of: nc)
      for f in listed.lines { out += "- finding `\(f.id)`: \(md(f.message))\n" }
      if listed.more > 0 {
        out += "- \(listed.more) more findings (all in the JSON report)\n"
      }
      if !listed.lines.isEmpty || listed.more > 0 { out += "\n" }
    }

    out +=
      "\n## Clauses\n\n| clause | status | severity | title | rules | note |\n|---|---|---|---|---|---|\n"
    for c in report.clauses {
      let status =
        c.status == .nonConformant ? "**\(md(c.status.rawValue))**" : md(c.status.rawValue)
      out +=
        "| \(md(c.id)) | \(status) | \(md(report.severityName(c.severity))) | \(md(c.title)) | "
      out += "\(c.rules.map(md).joined(separator: ", ")) | \(md(c.reason ?? "")) |\n"
    }

    out += "\n## Inputs\n\n| input | path | sha256 |\n|---|---|---|\n"
    out +=
      "| standard \(md(report.standard.id)) | \(md(report.standard.file)) | `\(report.standard.sha256)` |\n"
    out += "| rule graph | | `\(report.standard.graphSha256)` |\n"
    for file in report.ledger.files {
      let digest = file.absent ? "absent" : "`\(file.sha256)`"
      out += "| ledger \(md(file.table)) (\(file.rows) rows) | \(md(file.path)) | \(digest) |\n"
    }
    if let profile = report.ledger.profile {
      out += "| profile | \(md(profile.path)) | `\(profile.sha256)` |\n"
    }
    for warning in report.ledger.warnings ?? [] { out += "\n> warning: \(md(warning))\n" }
    out += "\nTool: \(md(report.tool.name)) \(md(report.tool.version))"
    if let at = report.generatedAt { out += ", generated \(md(at))" }
    out += ".\n\n"
    if !report.accounts.isEmpty { out += "## Account balances\n\n" }
    for trace in report.accounts {
      let period = trace.period.map { ", period \(md($0))" } ?? ""
      out +=
        "### \(md(trace.account)) (\(md(trace.rule))\(period))\n\nOpening balance \(trace.opening)"
      if let shortfall = trace.shortfall { out += ", shortfall \(shortfall)" }
      out += ".\n\n| date | kind | amount | balance | row |\n|---|---|---|---|---|\n"
      for (i, step) in trace.steps.enumerated() {
        var row = step.file.map { f in step.line.map { "\(md(f)):\($0)" } ?? md(f) } ?? ""
        if let id = step.entryId { row += " \(md(id))" }
        let balance = i == trace.firstFailure ? "**\(step.balance)** (first failure)" : step.balance
        out += "| \(md(step.date)) | \(md(step.kind)) | \(step.amount) | \(balance) | \(row) |\n"
      }
      if trace.stepsTotal > trace.steps.count {
        out += "\n\(trace.stepsTotal - trace.steps.count) more postings not shown.\n"
      }
      out += "\n"
    }
    out += StatementRendering.markdown(report.statement ?? [], md: md)
    if !report.waivers.isEmpty {
      out +=
        "## Waivers\n\n| id | target | status | matched | expires | approved by | reason |\n|---|---|---|---|---|---|---|\n"
      for w in report.waivers {
        out +=
          "| \(md(w.id)) | \(md(w.target)) | \(md(w.status.rawValue)) | \(w.matched) | \(md(w.expires)) | \(md(w.approvedBy)) | \(md(w.reason)) |\n"
      }
    }
    return out
  }
}
