/// The grades every layer shares: the standard's severities, the engine's statuses, the
/// report's verdict. They live here, below the language, the engine and the reports, so each
/// of them (and every reporter) compares enums, never strings. Raw values are the JSON words.

/// How serious a clause's non-conformity is (ASI / ISO 17021 grading). The one severity
/// order: `--fail-on`, judgement, sorting and SARIF levels all use `<`.
public enum ClauseSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable,
  CustomStringConvertible
{
  case major, minor, observation

  private var rank: Int {
    switch self {
    case .major: 0
    case .minor: 1
    case .observation: 2
    }
  }
  /// `major < minor`: sorts majors first.
  public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// The standard's verdict.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable,
  CustomStringConvertible
{
  case conformant
  case nonConformant = "non_conformant"
  /// No open non-conformity at the `fail_on` level, but some clause could not be evaluated
  /// (unreadable rows it needs, errors, skipped rules): conformity is not shown.
  case incomplete

  /// As printed: CONFORMANT, NON-CONFORMANT, INCOMPLETE.
  public var headline: String {
    switch self {
    case .conformant: "CONFORMANT"
    case .nonConformant: "NON-CONFORMANT"
    case .incomplete: "INCOMPLETE"
    }
  }
}

/// The outcome of one clause of the standard.
public enum ClauseStatus: String, Sendable, Hashable, Codable, CaseIterable,
  CustomStringConvertible
{
  case conformant
  case nonConformant = "non_conformant"
  /// Nothing in scope for any of its rules (or outside its effective dates).
  case notApplicable = "not_applicable"
  /// Evidenced outside the ledger.
  case documentary
  /// Blocked: a rule errored or was skipped; `reason` says which and why.
  case notEvaluated = "not_evaluated"
}

/// The outcome of one rule instance.
public enum RuleStatus: String, Sendable, Hashable, Codable, CaseIterable,
  CustomStringConvertible
{
  case pass, fail, error, skipped
  /// Nothing in scope: no row passed the filter or the effective-date window.
  case notApplicable = "not_applicable"
}

// Interpolated, each prints its JSON word (`not_evaluated`, not `notEvaluated`).
extension ClauseSeverity { public var description: String { rawValue } }
extension Verdict { public var description: String { rawValue } }
extension ClauseStatus { public var description: String { rawValue } }
extension RuleStatus { public var description: String { rawValue } }
