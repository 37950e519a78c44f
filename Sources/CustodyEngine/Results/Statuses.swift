import CustodyDiagnostics
import CustodyLanguage
import CustodyValues

/// The outcome of one rule instance.
public struct RuleResult: Sendable, Hashable, Codable {
  public typealias Status = RuleStatus
  /// Row counts: how much the rule looked at and what it made of it.
  public struct Counts: Sendable, Hashable, Codable {
    /// Rows (or groups, periods, accounts) judged.
    public var evaluated = 0
    public var failed = 0
    public var errors = 0
    /// Rows not judged because a cell the rule reads could not be read (or no period).
    public var skippedRows = 0
    /// Of `skippedRows`, those with an unreadable cell the rule needs: the rule could not
    /// decide them, so its clauses are `not_evaluated` (never a silent pass).
    public var unreadableRows = 0
    /// Rows outside the rule's effective dates.
    public var outOfWindow = 0
    /// Findings not kept because of `EngineOptions.findingLimit` (counts stay exact).
    public var findingsOmitted = 0
    /// Findings on rows a prerequisite (`unless_failing:`) judged non-conformant: kept with
    /// `suppressedBy`, not in `failed` or `errors`, no non-conformity.
    public var suppressed = 0
    public init() {}
  }
  public var id: String
  public var ruleID: String
  public var kind: String
  public var status: Status
  /// Why: the required rule that failed, the skipped rows, the first error.
  public var reason: String?
  public var counts: Counts
  public var clauseIDs: [String]
  public init(
    id: String, ruleID: String, kind: String, status: Status, reason: String?, counts: Counts,
    clauseIDs: [String]
  ) {
    self.id = id
    self.ruleID = ruleID
    self.kind = kind
    self.status = status
    self.reason = reason
    self.counts = counts
    self.clauseIDs = clauseIDs
  }
}

/// The outcome of one clause of the standard.
public struct ClauseResult: Sendable, Hashable, Codable {
  public typealias Status = ClauseStatus
  public var id: String
  public var section: String
  public var title: String
  public var severity: ClauseSeverity
  public var status: Status
  public var reason: String?
  public var rules: [String]
  /// Ids of the failing findings that count against this clause.
  public var findings: [String]
  public init(
    id: String, section: String, title: String, severity: ClauseSeverity, status: Status,
    reason: String?, rules: [String], findings: [String]
  ) {
    self.id = id
    self.section = section
    self.title = title
    self.severity = severity
    self.status = status
    self.reason = reason
    self.rules = rules
    self.findings = findings
  }
}

/// One entry of the non-conformity list: a failing clause and one of its failing rules.
public struct NonConformity: Sendable, Hashable, Codable {
  /// `CUA-4.3/mb-continuous`: clause and rule instance.
  public var id: String
  public var clause: String
  public var rule: String
  public var severity: ClauseSeverity
  /// One line: the clause title and how many findings.
  public var summary: String
  /// Finding ids, in output order (at most the finding limit).
  public var findings: [String]
  /// The true number of findings behind it (beyond the finding limit too).
  public var findingsTotal: Int
  /// The evidence of those findings, capped at the evidence limit.
  public var evidence: [EvidenceRow]
  public var evidenceTotal: Int
  public init(
    id: String, clause: String, rule: String, severity: ClauseSeverity, summary: String,
    findings: [String], findingsTotal: Int? = nil, evidence: [EvidenceRow], evidenceTotal: Int
  ) {
    self.findingsTotal = findingsTotal ?? findings.count
    self.id = id
    self.clause = clause
    self.rule = rule
    self.severity = severity
    self.summary = summary
    self.findings = findings
    self.evidence = evidence
    self.evidenceTotal = evidenceTotal
  }
}

/// The one verdict function: the engine's result, every report (after waivers), `verify` and
/// `custody test` all judge through it, so they cannot disagree.
public enum Judgement {
  /// A non-conformity open (not waived) at or above `failOn` makes the verdict
  /// `non_conformant`; otherwise a clause that could not be evaluated makes it `incomplete`;
  /// otherwise `conformant`.
  public static func verdict(
    openNonConformities: some Sequence<ClauseSeverity>,
    clauses: some Sequence<ClauseResult.Status>, failOn: ClauseSeverity
  ) -> Verdict {
    if openNonConformities.contains(where: { $0 <= failOn }) { return .nonConformant }
    if clauses.contains(.notEvaluated) { return .incomplete }
    return .conformant
  }

  /// Open non-conformities per severity (every severity present, zero included).
  public static func summary(openNonConformities: some Sequence<ClauseSeverity>)
    -> [ClauseSeverity: Int]
  {
    var summary: [ClauseSeverity: Int] = [.major: 0, .minor: 0, .observation: 0]
    for s in openNonConformities { summary[s, default: 0] += 1 }
    return summary
  }
}
