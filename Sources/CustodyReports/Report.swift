import CustodyValues

/// The versioned report: the one model every reporter renders and `verify` re-checks.
///
/// Its JSON form is described by docs/report-schema.json (`schema_version` 3: 2 added `incomplete` verdicts and `suppressed_by`, 3 the mass-balance `statement`). Field names are
/// snake_case in JSON. Quantities are exact decimal strings, never JSON floats, so no reader can
/// round them.
public struct Report: Sendable, Hashable, Codable {
  public static let schemaVersion = 3

  /// The verdict as printed: CONFORMANT, NON-CONFORMANT, or INCOMPLETE (no open
  /// non-conformity, but a clause could not be evaluated, so conformity is not shown).
  public var verdictHeadline: String { verdict.headline }

  public var schemaVersion: Int
  public var tool: Tool
  /// Omitted with `--deterministic` so identical inputs give identical bytes.
  public var generatedAt: String?
  public var standard: StandardInfo
  public var ledger: LedgerInfo
  /// How the run was made beyond its input files (evidence limit, as-of, waivers): what
  /// `verify` needs to recompute it without being told again.
  public var run: RunSettings?
  public var verdict: Verdict
  /// The `--fail-on` level the verdict was judged at.
  public var failOn: ClauseSeverity
  public var summary: Summary
  public var clauses: [ClauseEntry]
  public var rules: [RuleEntry]
  public var nonconformities: [Nonconformity]
  public var findings: [Finding]
  public var accounts: [AccountTrace]
  public var waivers: [WaiverEntry]
  /// The mass-balance statement of every credit book (Report+Statement.swift); absent in
  /// reports before schema 3 and when no book was replayed.
  public var statement: [StatementBook]?
  public var integrity: Integrity?
  public var signature: Signature?

  public struct Tool: Sendable, Hashable, Codable {
    public var name: String
    public var version: String
    public init(name: String, version: String) {
      self.name = name
      self.version = version
    }
  }

  public struct StandardInfo: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var version: String
    public var file: String
    public var sha256: String
    /// sha256 of the compiled rule graph.
    public var graphSha256: String
    /// Every file compiled in (standard, schema, rules, books) with its sha256.
    public var inputs: [FileDigest]
    public var parameters: [Parameter]
    /// The standard's display names of its severity levels (`severity_labels:`); absent when
    /// it names none. Every `severity` field keeps the level.
    public var severityLabels: [String: String]?
    public init(
      id: String, title: String, version: String, file: String, sha256: String,
      graphSha256: String, inputs: [FileDigest], parameters: [Parameter],
      severityLabels: [String: String]? = nil
    ) {
      self.severityLabels = severityLabels
      self.id = id
      self.title = title
      self.version = version
      self.file = file
      self.sha256 = sha256
      self.graphSha256 = graphSha256
      self.inputs = inputs
      self.parameters = parameters
    }
  }

  public struct Parameter: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public var origin: String
    public init(name: String, value: String, origin: String) {
      self.name = name
      self.value = value
      self.origin = origin
    }
  }

  public struct FileDigest: Sendable, Hashable, Codable {
    public var path: String
    public var sha256: String
    public init(path: String, sha256: String) {
      self.path = path
      self.sha256 = sha256
    }
  }

  public struct RunSettings: Sendable, Hashable, Codable {
    /// Evidence rows kept per finding and non-conformity (`--evidence-limit`).
    public var evidenceLimit: Int
    /// Findings kept per rule (counts are exact beyond it).
    public var findingLimit: Int
    /// The date waivers were judged on (`--as-of`); present only with waivers, the one thing
    /// that depends on the date.
    public var asOf: String?
    /// The waivers file, by the path given and its sha256.
    public var waivers: FileDigest?
    public init(evidenceLimit: Int, findingLimit: Int, asOf: String?, waivers: FileDigest?) {
      self.evidenceLimit = evidenceLimit
      self.findingLimit = findingLimit
      self.asOf = asOf
      self.waivers = waivers
    }
  }

  public struct LedgerInfo: Sendable, Hashable, Codable {
    public var path: String
    public var profile: FileDigest?
    public var files: [LedgerFile]
    public var cellErrors: Int
    /// Warnings about the files handed over (issue 19): files no table reads, tables whose
    /// dates stop short of the others'. Absent when there are none.
    public var warnings: [String]?
    public init(path: String, profile: FileDigest?, files: [LedgerFile], cellErrors: Int) {
      self.path = path
      self.profile = profile
      self.files = files
      self.cellErrors = cellErrors
    }
  }

  public struct LedgerFile: Sendable, Hashable, Codable {
    public var table: String
    public var path: String
    public var sha256: String
    public var rows: Int
    public var absent: Bool
    public init(table: String, path: String, sha256: String, rows: Int, absent: Bool) {
      self.table = table
      self.path = path
      self.sha256 = sha256
      self.rows = rows
      self.absent = absent
    }
  }

  public struct Summary: Sendable, Hashable, Codable {
    public var major: Int
    public var minor: Int
    public var observation: Int
    public var findings: Int
    public var waived: Int
    public init(major: Int, minor: Int, observation: Int, findings: Int, waived: Int) {
      self.major = major
      self.minor = minor
      self.observation = observation
      self.findings = findings
      self.waived = waived
    }
  }

  public struct ClauseEntry: Sendable, Hashable, Codable {
    public var id: String
    public var section: String
    public var title: String
    public var status: ClauseStatus
    public var severity: ClauseSeverity
    public var rules: [String]
    /// Why: for not_evaluated / not_applicable / documentary, and positive evidence for
    /// conformant clauses (rows considered).
    public var reason: String?
    /// The requirement text with the standard's `{$param}` bound to this run's values.
    public var requirement: String?
    public init(
      id: String, section: String, title: String, status: ClauseStatus,
      severity: ClauseSeverity, rules: [String], reason: String?, requirement: String? = nil
    ) {
      self.requirement = requirement
      self.id = id
      self.section = section
      self.title = title
      self.status = status
      self.severity = severity
      self.rules = rules
      self.reason = reason
    }
  }

  public struct RuleEntry: Sendable, Hashable, Codable {
    public var id: String
    public var kind: String
    public var status: RuleStatus
    public var reason: String?
    /// Rows the rule looked at, and rows it could not judge because a cell was unreadable.
    public var rowsChecked: Int
    public var rowsSkipped: Int
    public var findings: Int
    public init(
      id: String, kind: String, status: RuleStatus, reason: String?, rowsChecked: Int,
      rowsSkipped: Int, findings: Int
    ) {
      self.id = id
      self.kind = kind
      self.status = status
      self.reason = reason
      self.rowsChecked = rowsChecked
      self.rowsSkipped = rowsSkipped
      self.findings = findings
    }
  }

  public struct Evidence: Sendable, Hashable, Codable {
    public var file: String
    public var line: Int
    public var entryId: String?
    public var column: String?
    public var value: String?
    public init(file: String, line: Int, entryId: String?, column: String?, value: String?) {
      self.file = file
      self.line = line
      self.entryId = entryId
      self.column = column
      self.value = value
    }
  }

  public struct Nonconformity: Sendable, Hashable, Codable {
    public var id: String
    public var clause: String
    public var rule: String
    public var severity: ClauseSeverity
    public var summary: String
    /// Ids of the findings behind it (at most the finding limit per rule).
    public var findings: [String]
    /// The true number of findings behind it.
    public var findingsTotal: Int
    public var evidence: [Evidence]
    public var evidenceTotal: Int
    public var waived: Bool
    public init(
      id: String, clause: String, rule: String, severity: ClauseSeverity, summary: String,
      findings: [String], findingsTotal: Int? = nil, evidence: [Evidence], evidenceTotal: Int,
      waived: Bool
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
      self.waived = waived
    }
  }

  public struct Finding: Sendable, Hashable, Codable {
    public var id: String
    public var rule: String
    public var clauses: [String]
    /// The most severe severity among its clauses; absent when no clause lists the rule (a
    /// suppressed finding, a rule no clause binds): such a finding is "unclassified", never
    /// passed off as minor.
    public var severity: ClauseSeverity?
    public var status: Status
    public var message: String
    public var evidence: [Evidence]
    public var evidenceTotal: Int
    /// The account a balance finding is about (`SGN|PCL|P-01`).
    public var account: String?
    public var waiver: String?
    /// The root finding this one is a consequence of: it has no clauses and counts nowhere.
    public var suppressedBy: String?
    public init(
      id: String, rule: String, clauses: [String], severity: ClauseSeverity?, status: Status,
      message: String, evidence: [Evidence], evidenceTotal: Int, account: String?,
      waiver: String?, suppressedBy: String? = nil
    ) {
      self.suppressedBy = suppressedBy
      self.id = id
      self.rule = rule
      self.clauses = clauses
      self.severity = severity
      self.status = status
      self.message = message
      self.evidence = evidence
      self.evidenceTotal = evidenceTotal
      self.account = account
      self.waiver = waiver
    }

    /// The engine's finding statuses plus `waived`.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
      case fail, error, skipped, waived
    }

    /// The severity as shown: its name, or "unclassified" when no clause grades it.
    public var severityLabel: String { severity?.rawValue ?? "unclassified" }
  }

  /// The running balance of an account with a finding, for the auditor (and the HTML chart).
  public struct AccountTrace: Sendable, Hashable, Codable {
    public var rule: String
    public var account: String
    /// The accounting period a period-close finding is about (`2025-01-01..2025-03-31`).
    public var period: String?
    public var opening: String
    public var steps: [Step]
    public var stepsTotal: Int
    /// Index in `steps` of the first posting that broke the rule, if shown.
    public var firstFailure: Int?
    public var shortfall: String?

    public struct Step: Sendable, Hashable, Codable {
      public var date: String
      /// credit | debit | transfer_in | transfer_out | expiry | period_close | opening
      public var kind: String
      public var amount: String
      public var balance: String
      public var file: String?
      public var line: Int?
      public var entryId: String?
      public init(
        date: String, kind: String, amount: String, balance: String, file: String?, line: Int?,
        entryId: String?
      ) {
        self.date = date
        self.kind = kind
        self.amount = amount
        self.balance = balance
        self.file = file
        self.line = line
        self.entryId = entryId
      }
    }

    public init(
      rule: String, account: String, period: String? = nil, opening: String, steps: [Step],
      stepsTotal: Int, firstFailure: Int?, shortfall: String?
    ) {
      self.rule = rule
      self.account = account
      self.period = period
      self.opening = opening
      self.steps = steps
      self.stepsTotal = stepsTotal
      self.firstFailure = firstFailure
      self.shortfall = shortfall
    }
  }

  public struct WaiverEntry: Sendable, Hashable, Codable {
    public var id: String
    public var target: String
    public var status: Status
    public var reason: String
    public var approvedBy: String
    public var expires: String
    public var matched: Int
    public init(
      id: String, target: String, status: Status, reason: String, approvedBy: String,
      expires: String, matched: Int
    ) {
      self.id = id
      self.target = target
      self.status = status
      self.reason = reason
      self.approvedBy = approvedBy
      self.expires = expires
      self.matched = matched
    }

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
      case applied, expired, unmatched
    }
  }

  /// sha256 of each section's canonical JSON, so `verify` can name the part that changed.
  public struct Integrity: Sendable, Hashable, Codable {
    public var sections: [String: String]
    public init(sections: [String: String]) { self.sections = sections }
  }

  public struct Signature: Sendable, Hashable, Codable {
    public var algorithm: String
    /// sha256 of the raw public key, to pick the right key.
    public var keyId: String
    /// Base64 Ed25519 signature over the canonical JSON of `integrity`.
    public var value: String
    public init(algorithm: String, keyId: String, value: String) {
      self.algorithm = algorithm
      self.keyId = keyId
      self.value = value
    }
  }

  public init(
    tool: Tool, generatedAt: String?, standard: StandardInfo, ledger: LedgerInfo,
    verdict: Verdict, failOn: ClauseSeverity, summary: Summary, clauses: [ClauseEntry],
    rules: [RuleEntry], nonconformities: [Nonconformity], findings: [Finding],
    accounts: [AccountTrace], waivers: [WaiverEntry]
  ) {
    self.schemaVersion = Report.schemaVersion
    self.tool = tool
    self.generatedAt = generatedAt
    self.standard = standard
    self.ledger = ledger
    self.verdict = verdict
    self.failOn = failOn
    self.summary = summary
    self.clauses = clauses
    self.rules = rules
    self.nonconformities = nonconformities
    self.findings = findings
    self.accounts = accounts
    self.waivers = waivers
  }
}
