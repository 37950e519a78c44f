import CustodyValues

/// One posting to a credit account and the balance after it.
public struct Posting: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable {
    case opening, credit, debit
    case transferIn = "transfer_in", transferOut = "transfer_out"
    /// Credits that reached the end of their lifetime unused (expiry mode).
    case expiry
    /// A credit row that did not pass an `exclude_failing` rule and created nothing, or a
    /// debit or transfer whose row failed an `unless_failing` prerequisite: not posted.
    case excluded
  }
  public var date: CivilDate
  public var kind: Kind
  /// The book source's label (`receipt`, `MR100/mb shipment`).
  public var label: String
  public var table: String
  public var file: String
  public var line: Int
  public var entryID: String?
  /// Positive for what comes in, negative for what goes out.
  public var amount: ExactDecimal
  /// Credits created minus credits used, after this posting.
  public var balance: ExactDecimal
  /// Unexpired credits available after this posting (expiry mode), else nil.
  public var available: ExactDecimal?

  public init(
    date: CivilDate, kind: Kind, label: String, table: String, file: String, line: Int,
    entryID: String?, amount: ExactDecimal, balance: ExactDecimal, available: ExactDecimal? = nil
  ) {
    self.date = date
    self.kind = kind
    self.label = label
    self.table = table
    self.file = file
    self.line = line
    self.entryID = entryID
    self.amount = amount
    self.balance = balance
    self.available = available
  }

  enum CodingKeys: String, CodingKey {
    case date, kind, label, table, file, line, entryID = "entry_id", amount, balance, available
  }
}

/// The contributing slice of an account for a balance finding: the balance before the first
/// shown posting, each posting with the balance after it, the row where it went wrong and the
/// shortfall.
public struct BalanceSlice: Sendable, Hashable, Codable {
  /// The account key values (`["S1", "PCL", "P1"]`), nulls as empty strings.
  public var account: [String]
  public var openingBalance: ExactDecimal
  public var postings: [Posting]
  /// Postings of the slice not shown (the evidence limit keeps the most recent ones).
  public var omitted: Int
  /// Index in `postings` of the row where the property broke.
  public var failingIndex: Int?
  /// How much is missing (positive).
  public var shortfall: ExactDecimal
  /// The period judged (period_end and percentage modes).
  public var periodStart: CivilDate?
  public var periodEnd: CivilDate?
  public init(
    account: [String], openingBalance: ExactDecimal, postings: [Posting], omitted: Int,
    failingIndex: Int?, shortfall: ExactDecimal, periodStart: CivilDate? = nil,
    periodEnd: CivilDate? = nil
  ) {
    self.account = account
    self.openingBalance = openingBalance
    self.postings = postings
    self.omitted = omitted
    self.failingIndex = failingIndex
    self.shortfall = shortfall
    self.periodStart = periodStart
    self.periodEnd = periodEnd
  }
}

/// A credit account at the end of the run (every account of every book, for reports).
public struct AccountSummary: Sendable, Hashable, Codable {
  public var ruleID: String
  public var book: String
  public var account: [String]
  public var credits: ExactDecimal
  public var debits: ExactDecimal
  public var transfersIn: ExactDecimal
  public var transfersOut: ExactDecimal
  public var expired: ExactDecimal
  public var balance: ExactDecimal
  public var postings: Int
  /// Every posting, only when `EngineOptions.keepAccountTraces` is set.
  public var trace: [Posting]?
  public init(
    ruleID: String, book: String, account: [String], credits: ExactDecimal, debits: ExactDecimal,
    transfersIn: ExactDecimal, transfersOut: ExactDecimal, expired: ExactDecimal,
    balance: ExactDecimal, postings: Int, trace: [Posting]?
  ) {
    self.ruleID = ruleID
    self.book = book
    self.account = account
    self.credits = credits
    self.debits = debits
    self.transfersIn = transfersIn
    self.transfersOut = transfersOut
    self.expired = expired
    self.balance = balance
    self.postings = postings
    self.trace = trace
  }
}
