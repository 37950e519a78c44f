import Crypto
import CustodyDiagnostics
import CustodyLanguage
import CustodyValues
import Foundation

/// One ledger row (or one cell of it) cited as evidence.
public struct EvidenceRow: Sendable, Hashable, Codable {
  public var table: String
  /// The file the row was read from (ledger folder + file name).
  public var file: String
  public var line: Int
  public var entryID: String?
  /// The column that matters, when one does (a bad cell, the amount of a posting).
  public var column: String?
  /// That column's value as written in the ledger.
  public var value: String?
  public init(
    table: String, file: String, line: Int, entryID: String?, column: String? = nil,
    value: String? = nil
  ) {
    self.table = table
    self.file = file
    self.line = line
    self.entryID = entryID
    self.column = column
    self.value = value
  }

  /// `entry_id` when the row has one, else `line:N`: the key used in finding ids and tests.
  public var key: String { entryID ?? "line:\(line)" }

  enum CodingKeys: String, CodingKey {
    case table, file, line, entryID = "entry_id", column, value
  }
}

/// What a finding says about its rule.
public enum FindingStatus: String, Sendable, Hashable, Codable, Comparable {
  /// The ledger breaks the rule.
  case fail
  /// The rule could not be evaluated on this evidence (a run-time expression error).
  case error
  /// The evidence was not judged (an unreadable cell; a required rule failed).
  case skipped

  private var rank: Int {
    switch self {
    case .fail: 0
    case .error: 1
    case .skipped: 2
    }
  }
  public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One problem found in the ledger, with the rows that show it.
public struct Finding: Sendable, Hashable, Codable {
  /// Stable: sha256 of the rule instance, the status and the evidence keys (16 hex digits).
  public var id: String
  /// The rule instance id (`rule-id` or `rule-id#2`), or `data-integrity` for cell errors.
  public var ruleID: String
  public var clauseIDs: [String]
  /// The most severe clause severity among `clauseIDs` (nil when no clause lists the rule).
  public var severity: ClauseSeverity?
  public var status: FindingStatus
  /// The diagnostic code, for run-time errors and cell errors.
  public var code: String?
  /// Actual and expected values, rendered from the rule's message template or a default.
  public var message: String
  /// Where in the YAML the failing expression is (run-time errors) or the rule's check.
  public var location: SourceSpan?
  /// The evidence rows, at most the engine's evidence limit; `evidenceTotal` counts them all.
  public var evidence: [EvidenceRow]
  public var evidenceTotal: Int
  /// For a balance finding: the account and the postings that lead to it.
  public var balance: BalanceSlice?
  /// The ledger date the finding is about (for effective-date windows and waivers).
  public var date: CivilDate?
  /// The id of the root finding this one is a consequence of: a prerequisite's failure
  /// (`unless_failing:`) or the unreadable cells a rule could not judge. A suppressed finding
  /// is kept for `explain` and the JSON report but belongs to no clause and makes no
  /// non-conformity or count.
  public var suppressedBy: String?

  public init(
    ruleID: String, clauseIDs: [String], severity: ClauseSeverity?, status: FindingStatus,
    code: String? = nil, message: String, location: SourceSpan? = nil, evidence: [EvidenceRow],
    evidenceTotal: Int? = nil, balance: BalanceSlice? = nil, date: CivilDate? = nil,
    discriminator: String = ""
  ) {
    self.ruleID = ruleID
    self.clauseIDs = clauseIDs
    self.severity = severity
    self.status = status
    self.code = code
    self.message = message
    self.location = location
    self.evidence = evidence
    self.evidenceTotal = evidenceTotal ?? evidence.count
    self.balance = balance
    self.date = date
    self.id = Finding.makeID(
      ruleID, status, evidence.map { "\($0.table):\($0.key)" }, discriminator + (code ?? ""))
  }

  /// sha256 over the rule, status, evidence keys and a discriminator (the account, the group).
  static func makeID(
    _ rule: String, _ status: FindingStatus, _ keys: [String], _ extra: String
  ) -> String {
    let text = ([rule, status.rawValue, extra] + keys).joined(separator: "\u{1F}")
    let digest = SHA256.hash(data: Data(text.utf8))
    return Hex.lowercase(digest.prefix(8))
  }

  /// Output order: rule, status, first evidence file and line, then id.
  static func ordered(_ a: Finding, _ b: Finding) -> Bool {
    if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
    if a.status != b.status { return a.status < b.status }
    let (ea, eb) = (a.evidence.first, b.evidence.first)
    if ea?.file != eb?.file { return (ea?.file ?? "") < (eb?.file ?? "") }
    if ea?.line != eb?.line { return (ea?.line ?? 0) < (eb?.line ?? 0) }
    return a.id < b.id
  }
}
