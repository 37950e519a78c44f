extension Report {
  /// The findings a reader sees under a non-conformity: id and message of the first ones,
  /// as many as the run's evidence limit (20 for a report that does not record it), and how
  /// many more there are (the true total, the finding cap included).
  public func findingLines(of nc: Nonconformity) -> (
    lines: [(id: String, message: String)], more: Int
  ) {
    let limit = run?.evidenceLimit ?? 20
    let byID = Dictionary(findings.map { ($0.id, $0.message) }, uniquingKeysWith: { a, _ in a })
    let lines = nc.findings.prefix(limit).map { (id: $0, message: byID[$0] ?? "") }
    return (lines, max(0, nc.findingsTotal - lines.count))
  }
}

extension Report {
  /// The bound requirement text of a clause, when the report carries it.
  public func requirement(of clauseID: String) -> String? {
    clauses.first { $0.id == clauseID }?.requirement
  }
}
