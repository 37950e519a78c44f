import CustodyLanguage
import CustodyValues

/// What one mass-balance replay adds to its check's output, kept apart from the output so
/// the replays of checks sharing one collector can run on several threads; each check applies
/// its log when the finisher reaches it. Applying gives the output a serial replay would give.
final class ReplayLog {
  let limit: Int
  var evaluated = 0
  /// Findings with their account key (a rule's message template is rendered when applied:
  /// template evaluation uses the run's shared compiler, which is not thread-safe).
  private(set) var findings: [(finding: Finding, group: [Value])] = []
  /// Failures beyond `limit`: counted, not kept.
  private(set) var omitted = 0
  private(set) var failing: [(table: String, line: Int)] = []
  var error: String?
  var accounts: [AccountSummary] = []

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
    for (finding, group) in findings {
      var f = finding
      if let template = check.instance.message {
        f.message = Messages.render(template, Frame(group: group), run: check.run)
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
  }
}

/// A check registered with the collector it reads (weak: the collector outlives no check).
struct Member {
  weak var check: MassBalanceCheck?
}

/// Replays of several checks over the same postings, one per `run(_:)` call; each call
/// touches only its own check (its accounts and its prepared log), so calls may run
/// concurrently. The postings, flags and collector are only read.
final class ParallelReplay: @unchecked Sendable {
  let checks: [MassBalanceCheck]
  let postings: [RawPosting]
  let excluded: [Bool]

  init(checks: [MassBalanceCheck], postings: [RawPosting], excluded: [Bool]) {
    (self.checks, self.postings, self.excluded) = (checks, postings, excluded)
  }

  func run(_ i: Int) { checks[i].prepare(postings, excluded) }
}
