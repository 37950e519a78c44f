import CustodyValues

/// JUnit XML for CI servers (the Apache Ant / Jenkins schema): one `testsuite` per clause
/// section, one `testcase` per clause. A non-conformant clause is a `failure` holding the
/// non-conformity summaries and their evidence rows; a clause that could not be evaluated is an
/// `error`; not applicable and documentary clauses are `skipped`.
///
/// Deterministic: the timestamp comes from the report (1970-01-01T00:00:00 when the report has
/// none, as with `--deterministic`), the host is `localhost` and times are 0.
public struct JUnitReporter: Sendable {
  public init() {}

  public func render(_ report: Report) -> String {
    var sections: [String] = []
    var bySection: [String: [Report.ClauseEntry]] = [:]
    for clause in report.clauses {
      if bySection[clause.section] == nil { sections.append(clause.section) }
      bySection[clause.section, default: []].append(clause)
    }
    let timestamp = junitTimestamp(report.generatedAt)
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
    for (index, section) in sections.enumerated() {
      let clauses = bySection[section] ?? []
      let failures = clauses.count { $0.status == .nonConformant }
      let errors = clauses.count { $0.status == .notEvaluated }
      let skipped = clauses.count { [.notApplicable, .documentary].contains($0.status) }
      let name = section.isEmpty ? "clauses" : section
      out +=
        "  <testsuite name=\"\(attr(name))\" package=\"\(attr(report.standard.id))\" id=\"\(index)\""
      out += " timestamp=\"\(timestamp)\" hostname=\"localhost\" tests=\"\(clauses.count)\""
      out += " failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"0\">\n"
      out += "    <properties>\n"
      for (key, value) in properties(report) {
        out += "      <property name=\"\(attr(key))\" value=\"\(attr(value))\"/>\n"
      }
      out += "    </properties>\n"
      for clause in clauses { out += testcase(clause, report) }
      out += "    <system-out>\(Escape.xml(systemOut(clauses, report)))</system-out>\n"
      out += "    <system-err></system-err>\n"
      out += "  </testsuite>\n"
    }
    out += "</testsuites>\n"
    return out
  }

  private func testcase(_ clause: Report.ClauseEntry, _ report: Report) -> String {
    let classname = "\(report.standard.id).\(clause.section.isEmpty ? "clauses" : clause.section)"
    var out =
      "    <testcase name=\"\(attr(clause.id + " " + clause.title))\" classname=\"\(attr(classname))\" time=\"0\""
    switch clause.status {
    case .nonConformant:
      let ncs = report.nonconformities.filter { $0.clause == clause.id && !$0.waived }
      let message = ncs.map(\.summary).joined(separator: "; ")
      var body = ""
      for nc in ncs {
        body += "[\(nc.severity.rawValue)] \(nc.rule): \(nc.summary) (id \(nc.id))\n"
        if let requirement = report.requirement(of: nc.clause) {
          body += "  requirement: \(requirement)\n"
        }
        for e in nc.evidence { body += "  \(evidenceLine(e))\n" }
        if nc.evidenceTotal > nc.evidence.count {
          body += "  ... \(nc.evidenceTotal - nc.evidence.count) more rows\n"
        }
      }
      out += ">\n      <failure message=\"\(attr(message.isEmpty ? "non-conformant" : message))\""
      out +=
        " type=\"\(attr(clause.severity.rawValue))\">\(Escape.xml(body))</failure>\n    </testcase>\n"
    case .notEvaluated:
      out +=
        ">\n      <error message=\"\(attr(clause.reason ?? "not evaluated"))\" type=\"not_evaluated\"/>\n"
      out += "    </testcase>\n"
    case .notApplicable, .documentary:
      out +=
        ">\n      <skipped message=\"\(attr(clause.status.rawValue + (clause.reason.map { ": " + $0 } ?? "")))\"/>\n"
      out += "    </testcase>\n"
    case .conformant:
      out += "/>\n"
    }
    return out
  }

  /// Waived non-conformities in these clauses: not failures, but on record.
  private func systemOut(_ clauses: [Report.ClauseEntry], _ report: Report) -> String {
    let ids = Set(clauses.map(\.id))
    var out = ""
    for nc in report.nonconformities where nc.waived && ids.contains(nc.clause) {
      out +=
        "waived [\(nc.severity.rawValue)] \(nc.clause) \(nc.rule): \(nc.summary) (id \(nc.id))\n"
    }
    return out
  }

  private func properties(_ report: Report) -> [(String, String)] {
    [
      ("standard", "\(report.standard.id) \(report.standard.version)"),
      ("standard.sha256", report.standard.sha256),
      ("standard.graph_sha256", report.standard.graphSha256),
      ("ledger", report.ledger.path),
      ("verdict", report.verdict.rawValue),
      ("fail_on", report.failOn.rawValue),
      ("tool", "\(report.tool.name) \(report.tool.version)"),
    ] + (report.ledger.warnings ?? []).map { ("ledger.warning", $0) }
  }

  private func evidenceLine(_ e: Report.Evidence) -> String {
    var line = "\(e.file):\(e.line)"
    if let id = e.entryId { line += " \(id)" }
    if let column = e.column { line += " \(column)=\(e.value ?? "")" }
    return line
  }

  /// `YYYY-MM-DDTHH:MM:SS` without a zone, as the schema demands.
  private func junitTimestamp(_ generatedAt: String?) -> String {
    guard let text = generatedAt, text.count >= 19 else { return "1970-01-01T00:00:00" }
    let head = String(text.prefix(19))
    let shape = head.enumerated().allSatisfy { i, ch in
      [4, 7].contains(i)
        ? ch == "-"
        : i == 10 ? ch == "T" : [13, 16].contains(i) ? ch == ":" : ch.isASCII && ch.isNumber
    }
    return shape ? head : "1970-01-01T00:00:00"
  }

  private func attr(_ s: String) -> String { Escape.xmlAttribute(s) }
}
