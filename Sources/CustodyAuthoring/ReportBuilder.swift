import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodyReports
import CustodyValues

/// Turns an engine result into the versioned `Report` every reporter renders.
public enum ReportBuilder {
  public struct Context: Sendable {
    public var ledgerPath: String
    public var profile: Report.FileDigest?
    /// major | minor | observation: non-conformities at or above it make the verdict fail.
    public var failOn: ClauseSeverity
    /// nil with `--deterministic`.
    public var generatedAt: String?
    public var toolVersion: String
    public init(
      ledgerPath: String, profile: Report.FileDigest?, failOn: ClauseSeverity,
      generatedAt: String?, toolVersion: String
    ) {
      self.ledgerPath = ledgerPath
      self.profile = profile
      self.failOn = failOn
      self.generatedAt = generatedAt
      self.toolVersion = toolVersion
    }
  }

  public static func build(_ r: EvaluationResult, standard s: CompiledStandard, context c: Context)
    -> Report
  {
    func evidence(_ e: EvidenceRow) -> Report.Evidence {
      Report.Evidence(
        file: e.file, line: e.line, entryId: e.entryID, column: e.column, value: e.value)
    }
    let parameters = s.parameters.map { p -> Report.Parameter in
      let origin: String
      switch p.origin {
      case .defaultValue: origin = "default"
      case .binding: origin = "binding"
      case .standardParameter(let n): origin = "standard:\(n)"
      case .override: origin = "override"
      }
      return Report.Parameter(name: p.name, value: p.value.description, origin: origin)
    }
    let standardInfo = Report.StandardInfo(
      id: s.id, title: s.title, version: s.version, file: s.file, sha256: s.sha256,
      graphSha256: s.graphDigest,
      inputs: s.inputs.map { Report.FileDigest(path: $0.path, sha256: $0.sha256) },
      parameters: parameters,
      severityLabels: s.severityLabels.isEmpty
        ? nil
        : Dictionary(uniqueKeysWithValues: s.severityLabels.map { ($0.key.rawValue, $0.value) }))
    let files = r.files.sorted { $0.table < $1.table }.map {
      Report.LedgerFile(
        table: $0.table, path: $0.path, sha256: $0.sha256, rows: $0.rows, absent: $0.absent)
    }
    let ledger = Report.LedgerInfo(
      path: c.ledgerPath, profile: c.profile, files: files, cellErrors: r.cellErrors.count)
    let requirements = Dictionary(
      s.clauses.map { ($0.id, $0.requirement(boundTo: s.parameters)) },
      uniquingKeysWith: { a, _ in a })
    let clauses = r.clauses.map {
      Report.ClauseEntry(
        id: $0.id, section: $0.section, title: $0.title, status: $0.status,
        severity: $0.severity, rules: $0.rules, reason: $0.reason,
        requirement: requirements[$0.id])
    }
    let rules = r.rules.map {
      Report.RuleEntry(
        id: $0.id, kind: $0.kind, status: $0.status, reason: $0.reason,
        rowsChecked: $0.counts.evaluated, rowsSkipped: $0.counts.skippedRows,
        findings: $0.counts.failed + $0.counts.errors)
    }
    var accounts: [Report.AccountTrace] = []
    let findings = r.findings.map { f -> Report.Finding in
      var account: String?
      if let slice = f.balance {
        account = slice.account.joined(separator: "|")
        accounts.append(
          Report.AccountTrace(
            rule: f.ruleID, account: account!,
            period: slice.periodEnd.map { "\(slice.periodStart?.description ?? "")..\($0)" },
            opening: slice.openingBalance.canonicalDescription,
            steps: slice.postings.map {
              Report.AccountTrace.Step(
                date: $0.date.description, kind: $0.kind.rawValue,
                amount: $0.amount.canonicalDescription,
                balance: $0.balance.canonicalDescription, file: $0.file.isEmpty ? nil : $0.file,
                line: $0.line > 0 ? $0.line : nil, entryId: $0.entryID)
            }, stepsTotal: slice.postings.count + slice.omitted, firstFailure: slice.failingIndex,
            shortfall: slice.shortfall.isZero ? nil : slice.shortfall.canonicalDescription))
      }
      return Report.Finding(
        id: f.id, rule: f.ruleID, clauses: f.clauseIDs, severity: f.severity,
        status: f.status.reportStatus, message: f.message, evidence: f.evidence.map(evidence),
        evidenceTotal: f.evidenceTotal, account: account, waiver: nil,
        suppressedBy: f.suppressedBy)
    }
    let nonconformities = r.nonConformities.map {
      Report.Nonconformity(
        id: $0.id, clause: $0.clause, rule: $0.rule, severity: $0.severity,
        summary: $0.summary, findings: $0.findings, findingsTotal: $0.findingsTotal,
        evidence: $0.evidence.map(evidence),
        evidenceTotal: $0.evidenceTotal, waived: false)
    }
    var report = Report(
      tool: .init(name: "custody", version: c.toolVersion), generatedAt: c.generatedAt,
      standard: standardInfo, ledger: ledger, verdict: .conformant, failOn: c.failOn,
      summary: .init(
        major: 0, minor: 0, observation: 0, findings: trueFindingCount(r), waived: 0),
      clauses: clauses, rules: rules, nonconformities: nonconformities, findings: findings,
      accounts: accounts, waivers: [])
    report.statement = statement(r)
    Waivers.recomputeVerdict(&report)
    return report
  }

  /// Every finding counted against a clause or blocking one, the finding cap's omissions
  /// included: the rules' failures and errors (suppressed ones excluded) and the
  /// data-integrity findings.
  static func trueFindingCount(_ r: EvaluationResult) -> Int {
    r.rules.reduce(0) { $0 + $1.counts.failed + $1.counts.errors }
      + r.findings.count { $0.ruleID == "data-integrity" }
  }
}

extension FindingStatus {
  /// The report's status for an engine finding (the report adds `waived`).
  var reportStatus: Report.Finding.Status {
    switch self {
    case .fail: .fail
    case .error: .error
    case .skipped: .skipped
    }
  }
}
