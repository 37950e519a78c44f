import CustodyLanguage
import CustodyValues

/// What one mass-balance replay adds to its check's output, kept apart from the output: one
/// `BookReplay` serves every check sharing a collector, and each check applies its log when
/// the finisher reaches it (a check the finisher skips never touches its output). Applying
/// gives the output that replaying for the check alone, into its output, would give.
final class ReplayLog {
  let limit: Int
  var evaluated = 0
  /// Findings with their account key (a rule's message template is rendered when applied).
  private(set) var findings: [(finding: Finding, group: [Value])] = []
  /// Failures beyond `limit`: counted, not kept.
  private(set) var omitted = 0
  private(set) var failing: [(table: String, line: Int)] = []
  var error: String?
  var accounts: [AccountSummary] = []
  /// The book's statement, on the log of one check per replayed collector.
  var statement: Statement?
  var statementFailure: String?
  /// Accounts (by key) with a credit excluded only because a rule could not decide its row:
  /// a shortfall there is not shown (it may be that credit's), so it is an error, not a fail.
  var undecided: [[Value]: String] = [:]

  init(limit: Int) { self.limit = limit }

  func add(_ finding: Finding, group: [Value]) {
    if findings.count < limit {
      findings.append((finding, group))
    } else {
      omitted += 1
    }
  }

  func markFailing(_ table: String, _ line: Int) { failing.append((table, line)) }

  /// Adds the replay's counts, findings (in order) and failing rows to `out`.
  func apply(to out: RuleOutput, check: MassBalanceCheck) {
    out.counts.evaluated += evaluated
    for (table, line) in failing { out.markFailing(table, line) }
    var undecidedFailures = 0
    for (finding, group) in findings {
      var f = finding
      if let template = check.instance.message {
        f.message = Messages.render(template, Frame(group: group), run: check.run)
      }
      if f.status == .fail, let why = undecided[group] {
        undecidedFailures += 1
        f = Finding(
          ruleID: f.ruleID, clauseIDs: [], severity: nil, status: .error,
          code: nil,
          message: "\(f.message); not shown: \(why)", location: f.location,
          evidence: f.evidence, evidenceTotal: f.evidenceTotal, balance: f.balance, date: f.date,
          discriminator: group.map(Messages.show).joined(separator: "|"))
      }
      out.add(f)
    }
    // Only failures are logged; beyond the limit `RuleOutput.add` would count them so.
    out.counts.failed += omitted
    out.counts.findingsOmitted += omitted
    if let error {
      out.forcedStatus = .error
      out.firstError = error
    }
    out.accounts = accounts
    if let statement { out.statement = statement }
    if let statementFailure { out.notes.append(statementFailure) }
  }
}

/// A check registered with the collector it reads. Unowned, not weak: a weak reference
/// gives the check a side table and sends every retain and release of it (each hook call in
/// the replay) down the slow path. The collector is only reached through its checks, which
/// the engine keeps alive for the whole run, so a member never outlives its check's use.
struct Member {
  unowned let check: MassBalanceCheck
}
