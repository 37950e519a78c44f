import CustodyValues

/// The non-conformity list as CSV (RFC 4180: CRLF line ends, quoted fields where needed):
/// one row per evidence row, so a spreadsheet can filter by file or entry. A non-conformity
/// without evidence rows still gets one row with the evidence columns empty.
public struct CSVReporter: Sendable {
  public static let header = [
    "nonconformity", "clause", "rule", "severity", "waived", "summary", "requirement",
    "evidence_total",
    "file", "line", "entry_id", "column", "value",
  ]

  public init() {}

  public func render(_ report: Report) -> String {
    var out = row(Self.header)
    for nc in report.nonconformities {
      let head = [
        nc.id, nc.clause, nc.rule, nc.severity.rawValue, nc.waived ? "true" : "false", nc.summary,
        // The clause's requirement with its parameters bound (empty in reports without it).
        report.requirement(of: nc.clause) ?? "", "\(nc.evidenceTotal)",
      ]
      if nc.evidence.isEmpty {
        out += row(head + ["", "", "", "", ""])
      }
      for e in nc.evidence {
        out += row(head + [e.file, "\(e.line)", e.entryId ?? "", e.column ?? "", e.value ?? ""])
      }
    }
    // Ledger warnings (issue 19) as rows of their own, severity "warning".
    for warning in report.ledger.warnings ?? [] {
      out += row(["", "", "ledger", "warning", "false", warning, "", "0", "", "", "", "", ""])
    }
    return out
  }

  private func row(_ fields: [String]) -> String {
    fields.map(Escape.csv).joined(separator: ",") + "\r\n"
  }
}
