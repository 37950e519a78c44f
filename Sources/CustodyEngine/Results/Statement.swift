import CustodyValues

/// The mass-balance statement of one credit book: what every account's balance did in every
/// period, and the physical copper in and out per site and period, on every run (conformant
/// or not). Built by the same replay that judges the book, so it costs no second pass.
///
/// Per account and period the lines add up exactly:
/// `closing = opening + credits - debits + transfersIn - transfersOut - expired`.
/// `closing` is unexpired credits net of any overdraft (credits created minus used, minus
/// expired credits); with no overdraft it is the sum of `closingLots` at the end.
public struct Statement: Sendable, Hashable, Codable {
  public var book: String
  /// The mass_balance rule instance whose replay made it.
  public var rule: String
  /// The account key's column names (`["site", "pool", "partner"]`).
  public var accountKey: [String]
  /// Credit lifetime in months; nil: credits never expire.
  public var lifetimeMonths: Int?
  /// The periods table the statement is cut by (grouped by the account's first key), or nil:
  /// one span over the run.
  public var periodsTable: String?
  /// Sorted by account key.
  public var accounts: [StatementAccount]
  /// Physical copper per site (the account's first key) and period, from the book's
  /// `input_totals` and `output_totals` (every row, claimed or not). Sorted by site, start.
  public var physical: [PhysicalLine]
  /// Input and output rows whose date, site or copper could not be read: not in `physical`
  /// (their own rules report them).
  public var physicalRowsUnread: Int = 0

  public init(
    book: String, rule: String = "", accountKey: [String], lifetimeMonths: Int?,
    periodsTable: String?, accounts: [StatementAccount], physical: [PhysicalLine]
  ) {
    self.book = book
    self.rule = rule
    self.accountKey = accountKey
    self.lifetimeMonths = lifetimeMonths
    self.periodsTable = periodsTable
    self.accounts = accounts
    self.physical = physical
  }
}

/// One period of a statement (a row of the periods table, or the run's span).
public struct StatementPeriod: Sendable, Hashable, Codable {
  /// The period's id; nil for the run's span or postings after the last period.
  public var id: String?
  public var start: CivilDate
  public var end: CivilDate
  public init(id: String?, start: CivilDate, end: CivilDate) {
    self.id = id
    self.start = start
    self.end = end
  }
}

/// One account's statement lines per period, and its closing lots.
public struct StatementAccount: Sendable, Hashable, Codable {
  public struct Lines: Sendable, Hashable, Codable {
    public var period: StatementPeriod
    /// The balance carried in, plus opening balances posted in this period (`opening:`).
    public var opening: ExactDecimal
    /// Credits created by credit rows (excluded rows create none).
    public var credits: ExactDecimal
    /// The copper of the rows that created credits (the source's `copper:`), nil when the book
    /// does not say.
    public var creditedCopper: ExactDecimal?
    /// The distinct factors behind the credits (the source's `factor:`), ascending.
    public var factors: [ExactDecimal]
    /// Credits used by claims.
    public var debits: ExactDecimal
    public var transfersIn: ExactDecimal
    public var transfersOut: ExactDecimal
    /// Transfers the sender's unexpired credits did not cover: not moved (transfer_cover).
    public var transfersRefused: ExactDecimal
    public var expired: ExactDecimal
    public var closing: ExactDecimal
    public init(
      period: StatementPeriod, opening: ExactDecimal, credits: ExactDecimal,
      creditedCopper: ExactDecimal?, factors: [ExactDecimal], debits: ExactDecimal,
      transfersIn: ExactDecimal, transfersOut: ExactDecimal, transfersRefused: ExactDecimal,
      expired: ExactDecimal, closing: ExactDecimal
    ) {
      self.period = period
      self.opening = opening
      self.credits = credits
      self.creditedCopper = creditedCopper
      self.factors = factors
      self.debits = debits
      self.transfersIn = transfersIn
      self.transfersOut = transfersOut
      self.transfersRefused = transfersRefused
      self.expired = expired
      self.closing = closing
    }
  }
  /// Unexpired credits left at the end, by creation date: what a next period opens from.
  public struct Lot: Sendable, Hashable, Codable {
    public var created: CivilDate
    public var expires: CivilDate?
    public var remaining: ExactDecimal
    public init(created: CivilDate, expires: CivilDate?, remaining: ExactDecimal) {
      self.created = created
      self.expires = expires
      self.remaining = remaining
    }
  }
  /// The key values (`["S1", "PCL", "P1"]`), nulls as empty strings.
  public var account: [String]
  public var periods: [Lines]
  /// Lots as of the day after the last period's end (expired ones dropped), oldest first;
  /// lots created the same day are merged.
  public var closingLots: [Lot]
  /// Debits no unexpired credit covered, outstanding at the end (positive), else zero.
  public var deficit: ExactDecimal
  public init(account: [String], periods: [Lines], closingLots: [Lot], deficit: ExactDecimal) {
    self.account = account
    self.periods = periods
    self.closingLots = closingLots
    self.deficit = deficit
  }
}

/// Physical copper of one site in one period: every input and output row, claimed or not.
public struct PhysicalLine: Sendable, Hashable, Codable {
  public var site: String
  public var period: StatementPeriod
  public var copperIn: ExactDecimal
  public var copperOut: ExactDecimal
  public init(
    site: String, period: StatementPeriod, copperIn: ExactDecimal, copperOut: ExactDecimal
  ) {
    self.site = site
    self.period = period
    self.copperIn = copperIn
    self.copperOut = copperOut
  }
}
