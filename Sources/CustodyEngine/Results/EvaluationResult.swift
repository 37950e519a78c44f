import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues

/// Everything a run found. Reports render it; they never re-evaluate. Every array is sorted,
/// so two runs over the same inputs are equal (and encode to identical bytes).
public struct EvaluationResult: Sendable, Hashable {
  public var standardID: String
  public var standardVersion: String
  public var verdict: Verdict
  /// Number of non-conformities per clause severity.
  public var summary: [ClauseSeverity: Int]
  /// In the standard's clause order.
  public var clauses: [ClauseResult]
  /// In the graph's order.
  public var rules: [RuleResult]
  /// Majors first, then by clause id and rule id.
  public var nonConformities: [NonConformity]
  /// Sorted by rule, status, evidence position.
  public var findings: [Finding]
  /// Every credit account of every mass_balance rule, sorted by rule and account.
  public var accounts: [AccountSummary]
  /// The mass-balance statement of every replayed book, sorted by book id.
  public var statements: [Statement]
  /// Files read, sorted by table.
  public var files: [LedgerFileInfo]
  /// Unreadable cells, in file order (also reported as `data-integrity` findings).
  public var cellErrors: [CellError]

  public init(
    standardID: String, standardVersion: String, verdict: Verdict,
    summary: [ClauseSeverity: Int], clauses: [ClauseResult], rules: [RuleResult],
    nonConformities: [NonConformity], findings: [Finding], accounts: [AccountSummary],
    files: [LedgerFileInfo], cellErrors: [CellError], statements: [Statement] = []
  ) {
    self.statements = statements
    self.standardID = standardID
    self.standardVersion = standardVersion
    self.verdict = verdict
    self.summary = summary
    self.clauses = clauses
    self.rules = rules
    self.nonConformities = nonConformities
    self.findings = findings
    self.accounts = accounts
    self.files = files
    self.cellErrors = cellErrors
  }

  public func rule(_ id: String) -> RuleResult? { rules.first { $0.id == id } }
  public func clause(_ id: String) -> ClauseResult? { clauses.first { $0.id == id } }
  public func findings(for ruleID: String) -> [Finding] { findings.filter { $0.ruleID == ruleID } }
}

/// How the engine runs.
public struct EngineOptions: Sendable, Hashable {
  /// Evidence rows kept per finding (the total is always counted).
  public var evidenceLimit: Int
  /// Findings kept per rule instance (counts stay exact); guards memory on a broken ledger.
  public var findingLimit: Int
  /// Keep every posting of every account in `EvaluationResult.accounts` (for `explain`).
  public var keepAccountTraces: Bool
  /// Threads that evaluate the checks of a streamed table side by side (each check sees every
  /// row in file order, so results do not depend on it). 1 runs everything on the caller.
  public var threads: Int
  /// Keys (unique checks) or postings (books) a check keeps in memory before it writes them
  /// to a temporary file as a sorted run, merged when the check finishes: memory stays
  /// bounded however long the ledger. Results do not depend on it.
  public var spillThreshold: Int
  /// Where spill files go (created and unlinked at once); nil: `TMPDIR`, else /tmp.
  public var spillDirectory: String?
  public init(
    evidenceLimit: Int = 20, findingLimit: Int = 1000, keepAccountTraces: Bool = false,
    threads: Int = 2, spillThreshold: Int = EngineOptions.defaultSpillThreshold,
    spillDirectory: String? = nil
  ) {
    self.evidenceLimit = evidenceLimit
    self.findingLimit = findingLimit
    self.keepAccountTraces = keepAccountTraces
    self.threads = max(1, threads)
    self.spillThreshold = max(1, spillThreshold)
    self.spillDirectory = spillDirectory
  }

  /// About 3-4 MB per check at its fullest (a unique check's key and first row: 48 bytes, plus
  /// hash slots; a book's posting: 56). Measured on 1M rows, 64k costs no more time than 256k
  /// or 1M. Keys that arrive in order are written out but never read back.
  public static let defaultSpillThreshold = 1 << 16
}
