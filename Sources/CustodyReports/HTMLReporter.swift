import CustodyValues

/// One self-contained HTML file for a certifier: no scripts, no network (a Content Security
/// Policy forbids it), inline CSS and SVG. It shows the verdict, the inputs with their digests,
/// the clause table, the non-conformities with their evidence rows, a running-balance chart
/// for each account trace, the waivers and the integrity record, and it prints cleanly.
public struct HTMLReporter: Sendable {
  public init() {}

  public func render(_ report: Report) -> String {
    let e = Escape.xml
    let title = "custody report: \(report.standard.title) \(report.standard.version)"
    let conformant = report.verdict == .conformant
    var out = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(e(title))</title>
      <style>\(Self.css)</style>
      </head>
      <body>
      <header>
      <h1>\(e(report.standard.title)) <span class="version">\(e(report.standard.version))</span></h1>
      <p class="verdict \(conformant ? "ok" : "bad")">\(report.verdictHeadline)</p>
      <p class="summary">major <b>\(report.summary.major)</b> · minor <b>\(report.summary.minor)</b> · observation <b>\(report.summary.observation)</b> · waived <b>\(report.summary.waived)</b> · findings <b>\(report.summary.findings)</b> · fail on <b>\(e(report.failOn.rawValue))</b></p>
      </header>

      """
    // What is wrong first, right under the verdict; then what was checked and how.
    out += nonconformities(report)
    out += clauses(report)
    out += accounts(report)
    out += StatementRendering.html(report.statement ?? [])
    out += inputs(report)
    out += waivers(report)
    out += footer(report)
    out += "</body>\n</html>\n"
    return out
  }

  private func inputs(_ report: Report) -> String {
    let e = Escape.xml
    var out =
      "<section id=\"inputs\">\n<h2>Inputs</h2>\n<table>\n<thead><tr><th>input</th><th>path</th><th>rows</th><th>sha256</th></tr></thead>\n<tbody>\n"
    out +=
      "<tr><td>standard \(e(report.standard.id))</td><td>\(e(report.standard.file))</td><td></td><td class=\"hash\">\(e(report.standard.sha256))</td></tr>\n"
    out +=
      "<tr><td>rule graph</td><td></td><td></td><td class=\"hash\">\(e(report.standard.graphSha256))</td></tr>\n"
    for file in report.ledger.files {
      out +=
        "<tr><td>ledger \(e(file.table))</td><td>\(e(file.path))</td><td class=\"num\">\(file.rows)</td>"
      out += "<td class=\"hash\">\(file.absent ? "absent" : e(file.sha256))</td></tr>\n"
    }
    if let profile = report.ledger.profile {
      out +=
        "<tr><td>profile</td><td>\(e(profile.path))</td><td></td><td class=\"hash\">\(e(profile.sha256))</td></tr>\n"
    }
    out += "</tbody>\n</table>\n"
    for warning in report.ledger.warnings ?? [] {
      out += "<p class=\"warn\">warning: \(e(warning))</p>\n"
    }
    if report.ledger.cellErrors > 0 {
      out +=
        "<p class=\"warn\">\(report.ledger.cellErrors) unreadable ledger cells (data-integrity findings).</p>\n"
    }
    if !report.standard.parameters.isEmpty {
      out +=
        "<details open><summary>Parameters (\(report.standard.parameters.count))</summary>\n<table>\n<tbody>\n"
      for p in report.standard.parameters {
        out += "<tr><td>\(e(p.name))</td><td>\(e(p.value))</td><td>\(e(p.origin))</td></tr>\n"
      }
      out += "</tbody>\n</table>\n</details>\n"
    }
    return out + "</section>\n\n"
  }

  private func clauses(_ report: Report) -> String {
    let e = Escape.xml
    var out = "<section id=\"clauses\">\n<h2>Clauses</h2>\n<table class=\"clauses\">\n"
    out +=
      "<thead><tr><th>clause</th><th>status</th><th>severity</th><th>title</th><th>rules</th><th>note</th></tr></thead>\n<tbody>\n"
    for c in report.clauses {
      out +=
        "<tr class=\"\(e(c.status.rawValue))\"><td>\(e(c.id))</td><td><span class=\"status\">\(e(c.status.rawValue.replacingOccurrences(of: "_", with: " ")))</span></td>"
      out +=
        "<td>\(e(report.severityName(c.severity)))</td><td>\(e(c.title))</td><td>\(e(c.rules.joined(separator: ", ")))</td><td>\(e(c.reason ?? ""))</td></tr>\n"
    }
    return out + "</tbody>\n</table>\n</section>\n\n"
  }

  private func nonconformities(_ report: Report) -> String {
    let e = Escape.xml
    var out =
      "<section id=\"nonconformities\">\n<h2>Non-conformities (\(report.nonconformities.count))</h2>\n"
    if report.nonconformities.isEmpty { out += "<p>None.</p>\n" }
    for (index, nc) in report.nonconformities.enumerated() {
      out += "<article class=\"nc \(e(nc.severity.rawValue))\(nc.waived ? " waived" : "")\">\n"
      out +=
        "<h3>\(index + 1). <span class=\"badge\">\(e(report.severityName(nc.severity)))</span> \(e(nc.clause)) / \(e(nc.rule))"
      out += "\(nc.waived ? " <span class=\"badge waived\">waived</span>" : "")</h3>\n"
      out +=
        "<p>\(e(nc.summary))</p>\n<p class=\"meta\">id \(e(nc.id)) · evidence rows \(nc.evidence.count) of \(nc.evidenceTotal)</p>\n"
      if let requirement = report.requirement(of: nc.clause) {
        out += "<p class=\"requirement\">Requirement: \(e(requirement))</p>\n"
      }
      if !nc.evidence.isEmpty {
        out +=
          "<table class=\"evidence\">\n<thead><tr><th>file</th><th>line</th><th>entry</th><th>column</th><th>value</th></tr></thead>\n<tbody>\n"
        for row in nc.evidence {
          out +=
            "<tr><td>\(e(row.file))</td><td class=\"num\">\(row.line)</td><td>\(e(row.entryId ?? ""))</td>"
          out += "<td>\(e(row.column ?? ""))</td><td>\(e(row.value ?? ""))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if nc.evidenceTotal > nc.evidence.count {
          out +=
            "<p class=\"meta\">\(nc.evidenceTotal - nc.evidence.count) more rows not shown (--evidence-limit).</p>\n"
        }
      }
      let listed = report.findingLines(of: nc)
      if !listed.lines.isEmpty {
        out += "<ul class=\"findings\">\n"
        for f in listed.lines {
          out += "<li><code>\(e(f.id))</code> \(e(f.message))</li>\n"
        }
        out += "</ul>\n"
      }
      if listed.more > 0 {
        out +=
          "<p class=\"meta\">\(listed.more) more findings not listed (all in the JSON report).</p>\n"
      }
      out += "</article>\n"
    }
    return out + "</section>\n\n"
  }

  private func accounts(_ report: Report) -> String {
    guard !report.accounts.isEmpty else { return "" }
    let e = Escape.xml
    var out = "<section id=\"accounts\">\n<h2>Account balances</h2>\n"
    for trace in report.accounts {
      let caption = "\(trace.account): running balance (\(trace.rule))"
      out += "<figure class=\"account\">\n"
      if let svg = BalanceChart().svg(trace, title: caption) { out += svg + "\n" }
      out +=
        "<figcaption><b>\(e(trace.account))</b> (\(e(trace.rule))\(trace.period.map { ", period " + e($0) } ?? "")): opening \(e(trace.opening))"
      if let shortfall = trace.shortfall {
        out += ", shortfall <b class=\"bad-text\">\(e(shortfall))</b>"
      }
      if trace.stepsTotal > trace.steps.count {
        out += "; \(trace.steps.count) of \(trace.stepsTotal) postings shown"
      }
      out +=
        "</figcaption>\n<table class=\"steps\">\n<thead><tr><th>date</th><th>kind</th><th>amount</th><th>balance</th><th>row</th></tr></thead>\n<tbody>\n"
      for (i, step) in trace.steps.enumerated() {
        var row = step.file.map { f in step.line.map { "\(f):\($0)" } ?? f } ?? ""
        if let id = step.entryId { row += " \(id)" }
        let failing = i == trace.firstFailure
        out +=
          "<tr\(failing ? " class=\"first-failure\"" : "")><td>\(e(step.date))</td><td>\(e(step.kind))</td>"
        out +=
          "<td class=\"num\">\(e(step.amount))</td><td class=\"num\">\(e(step.balance))</td><td>\(e(row))\(failing ? " <b>← first failure</b>" : "")</td></tr>\n"
      }
      out += "</tbody>\n</table>\n</figure>\n"
    }
    return out + "</section>\n\n"
  }

  private func waivers(_ report: Report) -> String {
    guard !report.waivers.isEmpty else { return "" }
    let e = Escape.xml
    var out = "<section id=\"waivers\">\n<h2>Waivers</h2>\n<table>\n"
    out +=
      "<thead><tr><th>id</th><th>target</th><th>status</th><th>matched</th><th>expires</th><th>approved by</th><th>reason</th></tr></thead>\n<tbody>\n"
    for w in report.waivers {
      out +=
        "<tr><td>\(e(w.id))</td><td>\(e(w.target))</td><td>\(e(w.status.rawValue))</td><td class=\"num\">\(w.matched)</td>"
      out += "<td>\(e(w.expires))</td><td>\(e(w.approvedBy))</td><td>\(e(w.reason))</td></tr>\n"
    }
    return out + "</tbody>\n</table>\n</section>\n\n"
  }

  private func footer(_ report: Report) -> String {
    let e = Escape.xml
    var out = "<footer>\n<p>\(e(report.tool.name)) \(e(report.tool.version))"
    if let at = report.generatedAt { out += " · generated \(e(at))" }
    out += " · report schema \(report.schemaVersion)</p>\n"
    if let integrity = report.integrity {
      out += "<details open><summary>Integrity digests</summary>\n<table>\n<tbody>\n"
      for name in integrity.sections.keys.sorted() {
        out +=
          "<tr><td>\(e(name))</td><td class=\"hash\">\(e(integrity.sections[name] ?? ""))</td></tr>\n"
      }
      out += "</tbody>\n</table>\n</details>\n"
    }
    if let signature = report.signature {
      out +=
        "<p>Signed (\(e(signature.algorithm))) with key \(e(signature.keyId)). Check with <code>custody verify</code> on the JSON report.</p>\n"
    }
    return out + "</footer>\n"
  }

  static let css = """

    :root { --bad: #b3261e; --ok: #1e6b34; --warn: #8a5a00; --line: #d0d4da; --muted: #5f6670; }
    * { box-sizing: border-box; }
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; margin: 0 auto; max-width: 1100px; padding: 24px; }
    h1 { font-size: 22px; margin: 0 0 8px; } h1 .version { color: var(--muted); font-weight: normal; }
    h2 { font-size: 18px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 28px; }
    h3 { font-size: 15px; margin: 0 0 4px; }
    .verdict { display: inline-block; font-weight: bold; font-size: 18px; padding: 6px 14px; border-radius: 4px; color: #fff; margin: 4px 0; }
    .verdict.ok { background: var(--ok); } .verdict.bad { background: var(--bad); }
    .summary, .meta, footer { color: var(--muted); }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
    th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
    th { background: #f3f4f6; }
    table.clauses td:nth-child(-n+3), table.steps td:nth-child(-n+2), table.evidence td:nth-child(-n+3) { white-space: nowrap; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; word-break: break-all; }
    tr.non_conformant .status { color: var(--bad); font-weight: bold; }
    tr.conformant .status { color: var(--ok); }
    tr.not_evaluated .status { color: var(--warn); font-weight: bold; }
    article.nc { border-left: 4px solid var(--warn); padding: 4px 12px; margin: 12px 0; }
    article.nc.major { border-left-color: var(--bad); }
    article.nc.waived { border-left-color: var(--line); }
    .badge { display: inline-block; font-size: 11px; text-transform: uppercase; padding: 1px 6px; border-radius: 3px; background: #eee; }
    .major .badge { background: var(--bad); color: #fff; } .minor .badge { background: #f1c40f; }
    .badge.waived { background: #ccc; color: #222; }
    .bad-text, .warn { color: var(--bad); }
    figure.account { margin: 12px 0 24px; }
    \(BalanceChart.css)
    @page { margin: 14mm; }
    @media print {
      body { max-width: none; padding: 0; font-size: 10pt; }
      .verdict { color: #000; background: none !important; border: 2px solid #000; }
      article.nc, figure.account, tr { break-inside: avoid; }
      h2 { break-after: avoid; }
      th { background: none; }
    }

    """
}
