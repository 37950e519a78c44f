import CustodyDiagnostics
import CustodyValues

/// The compiled parameters of one check kind. Each kind's parameters are documented in
/// docs/rule-language.md and its evaluation lives in `CustodyEngine/Checks/<Kind>Check.swift`.
public enum CheckSpec: Sendable, Hashable {
  case row(RowCheckSpec)
  case unique(UniqueCheckSpec)
  case reference(ReferenceCheckSpec)
  case aggregate(AggregateCheckSpec)
  case periodCoverage(PeriodCoverageSpec)
  case massBalance(MassBalanceSpec)

  public var kind: String {
    switch self {
    case .row: "row"
    case .unique: "unique"
    case .reference: "reference"
    case .aggregate: "aggregate"
    case .periodCoverage: "period_coverage"
    case .massBalance: "mass_balance"
    }
  }

  /// The table a row or reference check judges row by row (nil for the other kinds).
  public var rowTable: String? {
    switch self {
    case .row(let s): s.table
    case .reference(let s): s.table
    default: nil
    }
  }

  /// Every table the check reads (for the plan and the graph).
  public var tables: [String] {
    switch self {
    case .row(let s): [s.table]
    case .unique(let s): s.sources.map(\.table)
    case .reference(let s): [s.table, s.target]
    case .aggregate(let s):
      [s.table] + s.also.map(\.table) + (s.periods.map { [$0.table] } ?? [])
    case .periodCoverage(let s): [s.periods.table] + s.entries.map(\.table)
    case .massBalance(let s):
      (s.book.credits + s.book.debits).map(\.table) + s.book.transfers.map(\.table)
        + (s.book.opening.map { [$0.table] } ?? []) + (s.periods.map { [$0.table] } ?? [])
        + (s.book.inputTotals + s.book.outputTotals).map(\.table)
    }
  }
}

/// `kind: row`: a predicate over each row of a table that passes a filter.
public struct RowCheckSpec: Sendable, Hashable {
  public var table: String
  public var filter: ExprNode?
  public var assertion: ExprNode
  public init(table: String, filter: ExprNode?, assertion: ExprNode) {
    self.table = table
    self.filter = filter
    self.assertion = assertion
  }
}

/// `kind: unique`: key values unique within a table, or across several tables.
public struct UniqueCheckSpec: Sendable, Hashable {
  public struct Source: Sendable, Hashable {
    public var table: String
    public var filter: ExprNode?
    public var key: [ExprNode]
    public init(table: String, filter: ExprNode?, key: [ExprNode]) {
      self.table = table
      self.filter = filter
      self.key = key
    }
  }
  public var sources: [Source]
  /// Rows whose key contains a null are ignored (a missing key is another rule's business).
  /// Which row of a repeated key keeps it: `.first` (`keep: first`) keeps the earliest row by
  /// entry date, then entry id, and only the later rows fail (for a book's `exclude_failing:`
  /// the first receipt of a document still creates credits); `.none`: every row fails.
  public enum Keep: String, Sendable, Hashable { case none, first }
  public var ignoreNulls: Bool
  public var keep: Keep
  public init(sources: [Source], ignoreNulls: Bool = true, keep: Keep = .none) {
    self.keep = keep
    self.sources = sources
    self.ignoreNulls = ignoreNulls
  }
}

/// `kind: reference`: a value of this row exists as a key of another table, optionally in a row
/// whose validity window covers a date of this row, and optionally meets a condition.
public struct ReferenceCheckSpec: Sendable, Hashable {
  public var table: String
  public var filter: ExprNode?
  /// Values of this row, matched against `targetKey` columns in order.
  public var key: [ExprNode]
  public var target: String
  /// Column indices in the target table's schema.
  public var targetKey: [Int]
  /// Date that the target row's validity window must cover (window columns from the schema).
  public var at: ExprNode?
  /// Condition over `ref.*` (the matched row) and this row's fields.
  public var condition: ExprNode?
  public init(
    table: String, filter: ExprNode?, key: [ExprNode], target: String, targetKey: [Int],
    at: ExprNode?, condition: ExprNode?
  ) {
    self.table = table
    self.filter = filter
    self.key = key
    self.target = target
    self.targetKey = targetKey
    self.at = at
    self.condition = condition
  }
}

/// Where periods come from: a table with a group column (site), start and end (inclusive).
public struct PeriodSource: Sendable, Hashable {
  public var table: String
  public var group: Int
  public var id: Int?
  public var start: Int
  public var end: Int
  public init(table: String, group: Int, id: Int?, start: Int, end: Int) {
    self.table = table
    self.group = group
    self.id = id
    self.start = start
    self.end = end
  }
}

/// `kind: aggregate`: group rows by keys (and optionally by the period of the row's date),
/// compute sums/counts/min/max, and assert an expression per group.
public struct AggregateCheckSpec: Sendable, Hashable {
  public struct Computed: Sendable, Hashable {
    public var name: String
    public var function: AggregateFunction
    public var argument: ExprNode?
    public init(name: String, function: AggregateFunction, argument: ExprNode?) {
      self.name = name
      self.function = function
      self.argument = argument
    }
  }
  /// More rows feeding the same groups (`also:`): another table (or the same table with
  /// another filter) whose rows are grouped by the same `group_by` and `per_period`
  /// expressions, compiled on that table, with aggregations of their own. The physical copper
  /// balance (CUA-4.8) sums shipments and receipts per site and period in one group.
  public struct Also: Sendable, Hashable {
    public var table: String
    public var filter: ExprNode?
    /// The main `group_by` expressions, in order, compiled on this table.
    public var groupBy: [ExprNode]
    public var periodGroup: ExprNode?
    public var periodDate: ExprNode?
    public var compute: [Computed]
    public init(
      table: String, filter: ExprNode?, groupBy: [ExprNode], periodGroup: ExprNode?,
      periodDate: ExprNode?, compute: [Computed]
    ) {
      self.table = table
      self.filter = filter
      self.groupBy = groupBy
      self.periodGroup = periodGroup
      self.periodDate = periodDate
      self.compute = compute
    }
  }
  public var table: String
  public var filter: ExprNode?
  /// Group keys: name and the expression over the row that gives it.
  public var groupBy: [(name: String, expr: ExprNode)]
  /// When set, rows are also grouped by the period (of `periodGroup`) that contains `periodDate`.
  public var periods: PeriodSource?
  public var periodGroup: ExprNode?
  public var periodDate: ExprNode?
  public var compute: [Computed]
  /// Over `.group` fields: group keys first (in order), then computed values (the main
  /// table's, then each `also` source's), then `period` start/end when grouped by period.
  public var assertion: ExprNode
  public var also: [Also] = []

  public init(
    table: String, filter: ExprNode?, groupBy: [(name: String, expr: ExprNode)],
    periods: PeriodSource?, periodGroup: ExprNode?, periodDate: ExprNode?, compute: [Computed],
    assertion: ExprNode, also: [Also] = []
  ) {
    self.also = also
    self.table = table
    self.filter = filter
    self.groupBy = groupBy
    self.periods = periods
    self.periodGroup = periodGroup
    self.periodDate = periodDate
    self.compute = compute
    self.assertion = assertion
  }

  public static func == (a: Self, b: Self) -> Bool {
    a.table == b.table && a.filter == b.filter && a.groupBy.map(\.name) == b.groupBy.map(\.name)
      && a.groupBy.map(\.expr) == b.groupBy.map(\.expr) && a.periods == b.periods
      && a.periodGroup == b.periodGroup && a.periodDate == b.periodDate && a.compute == b.compute
      && a.assertion == b.assertion && a.also == b.also
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(table)
    hasher.combine(filter)
    for g in groupBy {
      hasher.combine(g.name)
      hasher.combine(g.expr)
    }
    hasher.combine(periods)
    hasher.combine(compute)
    hasher.combine(assertion)
    hasher.combine(also)
  }
}

/// `kind: period_coverage`: periods per group are contiguous, do not overlap, last at most
/// `maxMonths`; every dated entry falls in exactly one period of its group.
public struct PeriodCoverageSpec: Sendable, Hashable {
  public struct Entries: Sendable, Hashable {
    public var table: String
    public var filter: ExprNode?
    public var group: ExprNode
    public var date: ExprNode
    public init(table: String, filter: ExprNode?, group: ExprNode, date: ExprNode) {
      self.table = table
      self.filter = filter
      self.group = group
      self.date = date
    }
  }
  public var periods: PeriodSource
  public var maxMonths: Int?
  public var contiguous: Bool
  public var entries: [Entries]
  public init(periods: PeriodSource, maxMonths: Int?, contiguous: Bool, entries: [Entries]) {
    self.periods = periods
    self.maxMonths = maxMonths
    self.contiguous = contiguous
    self.entries = entries
  }
}

/// What a `mass_balance` check asserts about the accounts of its book.
public enum MassBalanceMode: String, Sendable, Hashable, CaseIterable {
  /// No account balance is ever below zero (after same-day ordering).
  case continuous
  /// Every account's balance at the close of every period is zero or more.
  case periodEnd = "period_end"
  /// No debit is covered only because expired credits were counted (credit lifetime, FIFO).
  case expiry
  /// Per period: claimed output share <= credited input share (ASI percentage method).
  case percentage
  /// A transfer moves only the sender's unexpired credits: the part they do not cover is a
  /// finding, and is neither moved nor credited at the receiver.
  case transferCover = "transfer_cover"
}

/// `kind: mass_balance`: evaluates a credit book and asserts one property of its accounts.
public struct MassBalanceSpec: Sendable, Hashable {
  public var book: CompiledBook
  public var mode: MassBalanceMode
  /// Periods for `period_end` and `percentage` (grouped by the first account key, the site).
  public var periods: PeriodSource?
  /// Amounts whose magnitude is at most this are treated as zero (rounding tolerance).
  public var tolerance: ExactDecimal
  public init(
    book: CompiledBook, mode: MassBalanceMode, periods: PeriodSource?, tolerance: ExactDecimal
  ) {
    self.book = book
    self.mode = mode
    self.periods = periods
    self.tolerance = tolerance
  }
}

/// A credit book (`book:` files): how rows create, use and move credits between accounts.
public struct CompiledBook: Sendable, Hashable {
  /// Rows of one table that create (credits) or use (debits) credits.
  public struct Source: Sendable, Hashable {
    public var table: String
    public var filter: ExprNode?
    public var date: ExprNode
    /// One expression per account key component.
    public var account: [ExprNode]
    public var amount: ExprNode
    /// Rule instance ids a row must pass to be posted (positive eligibility): a row one of
    /// them failed, or could not decide (unreadable cell, run-time error, ambiguous lookup),
    /// is not posted.
    public var excludeFailing: [String]
    /// Prerequisites: rule instance ids whose failing rows (judged non-conformant) are not
    /// posted; a row they could not decide is posted.
    public var unlessFailing: [String]
    public var label: String
    /// For the mass-balance statement, on a credit source: the copper behind a row's credits
    /// (`copper:`, e.g. `cu_t`) and the factor that turned it into credits (`factor:`).
    public var copper: ExprNode?
    public var factor: ExprNode?
    public init(
      table: String, filter: ExprNode?, date: ExprNode, account: [ExprNode], amount: ExprNode,
      excludeFailing: [String] = [], unlessFailing: [String] = [], label: String,
      copper: ExprNode? = nil, factor: ExprNode? = nil
    ) {
      self.copper = copper
      self.factor = factor
      self.unlessFailing = unlessFailing
      self.table = table
      self.filter = filter
      self.date = date
      self.account = account
      self.amount = amount
      self.excludeFailing = excludeFailing
      self.label = label
    }
  }
  /// Rows that move credits from one account to another (FIFO, keeping expiry).
  public struct Transfer: Sendable, Hashable {
    public var table: String
    public var filter: ExprNode?
    public var date: ExprNode
    public var from: [ExprNode]
    public var to: [ExprNode]
    public var amount: ExprNode
    /// Prerequisites: rule instance ids whose failing rows move nothing.
    public var unlessFailing: [String]
    public init(
      table: String, filter: ExprNode?, date: ExprNode, from: [ExprNode], to: [ExprNode],
      amount: ExprNode, unlessFailing: [String] = []
    ) {
      self.unlessFailing = unlessFailing
      self.table = table
      self.filter = filter
      self.date = date
      self.from = from
      self.to = to
      self.amount = amount
    }
  }
  /// Same-day order of postings.
  public enum SameDay: String, Sendable, Hashable {
    case creditsFirst = "credits_first", debitsFirst = "debits_first"
  }

  public var id: String
  public var title: String
  public var accountKey: [String]
  public var credits: [Source]
  public var debits: [Source]
  public var transfers: [Transfer]
  /// Opening balances: a table whose rows give an account and an amount on a date.
  public var opening: Source?
  public var sameDay: SameDay
  /// Credits expire this many calendar months after the date that created them.
  public var lifetimeMonths: Int?
  /// For `percentage` mode: all inputs and all outputs (claimed or not) per account group.
  public var inputTotals: [Source]
  public var outputTotals: [Source]
  public var span: SourceSpan?

  public init(
    id: String, title: String, accountKey: [String], credits: [Source], debits: [Source],
    transfers: [Transfer], opening: Source?, sameDay: SameDay, lifetimeMonths: Int?,
    inputTotals: [Source] = [], outputTotals: [Source] = [], span: SourceSpan?
  ) {
    self.id = id
    self.title = title
    self.accountKey = accountKey
    self.credits = credits
    self.debits = debits
    self.transfers = transfers
    self.opening = opening
    self.sameDay = sameDay
    self.lifetimeMonths = lifetimeMonths
    self.inputTotals = inputTotals
    self.outputTotals = outputTotals
    self.span = span
  }
}
