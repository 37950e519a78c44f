import CustodyLanguage
import CustodyLedger
import CustodyValues

/// `kind: mass_balance`: replays a credit book over the ledger and asserts one property of
/// its accounts.
///
/// The book (a `book:` file) says which rows create credits (`credits:`), use them
/// (`debits:`), move them (`transfers:`) and open accounts (`opening:`), each with a date, an
/// account key (e.g. site, pool, partner) and an amount expression. Postings are replayed in
/// date order; on one day `same_day: credits_first` (the default) applies openings, credits,
/// transfers, then debits. A credit row that fails a rule listed in `exclude_failing:` creates
/// nothing (it shows in the trace as `excluded`).
///
/// Modes:
/// - `continuous`: no account's balance (credits created minus used) is ever below
///   `-tolerance`. One finding per overdraft episode, citing the posting that went negative.
/// - `period_end`: at the close of every period (`periods:`, by the account's first key), the
///   balance is at least `-tolerance`. One finding per account and period.
/// - `expiry`: credits expire `lifetime_months` after the day that created them (usable on
///   days before created + N months) and are used first in, first out; a transfer keeps their
///   expiry. A debit that the balance covers but unexpired credits do not is covered only by
///   expired credits: a finding (an uncovered debit is an overdraft, not an expiry failure).
/// - `percentage`: per account and period, claimed output (debits) <= credited input share x
///   all output (`input_totals`, `output_totals`), unclaimed allowance carried forward.
///
/// A debit no credit covers leaves the account negative; later credits first make good the
/// deficit. Findings carry the contributing slice: the balance before it, each posting with
/// the balance after it, the failing posting and the shortfall.
///
/// ```yaml
/// check:
///   kind: mass_balance
///   book: cu-again-credits
///   mode: continuous
/// ```
final class MassBalanceCheck: CheckRunner {
  let spec: MassBalanceSpec
  let instance: RuleInstance
  let run: RunContext
  private(set) var collector: BookCollector
  /// False when another check collects the postings of the same book for this one.
  private(set) var collects = true
  var tables: [String] { collects ? collector.tables : [] }
  /// Percentage mode: accounts by `BookCollector.accountOf` id, created when first met.
  /// (The other modes replay on `BookReplay`'s accounts.)
  var accounts: [Account?] = []
  // Replay state, touched by the one replay that runs at a time (`@exclusivity(unchecked)`: no
  // run-time check per posting).
  @exclusivity(unchecked) var pendingOverdrafts: [Overdraft] = []
  /// The replay's effect on the output, computed by the first check sharing the collector
  /// to finish.
  private var prepared: ReplayLog?
  private var replayed = false

  struct Overdraft {
    var account: Account
    var posting: Posting
    var slice: (postings: [Posting], omitted: Int, opening: ExactDecimal)
    var lowest: ExactDecimal
    var recovered: CivilDate?
  }

  init(_ spec: MassBalanceSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    self.collector = BookCollector(book: spec.book, instance: instance, run: run)
    collector.members.append(Member(check: self))
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    if collects { collector.consume(table: table, row: row, frame: &frame, out: out) }
  }

  /// Uses `other`'s postings (a check on a book with the same sources): rows are evaluated once.
  func share(_ other: BookCollector) {
    collector = other
    collects = false
    other.members.append(Member(check: self))
  }

  /// The account of key id `keyID` (`RawPosting.account`); created with that key's spelling.
  func account(_ keyID: Int32) -> Account {
    let id = Int(collector.accountOf[Int(keyID)])
    if accounts.count <= id {
      accounts.append(contentsOf: repeatElement(nil, count: id + 1 - accounts.count))
    }
    if let a = accounts[id] { return a }
    let a = Account(
      key: collector.accountKeys[Int(keyID)], limit: run.options.evidenceLimit,
      keepTrace: run.options.keepAccountTraces, sources: collector.sourceLabels)
    a.id = Int32(id)
    accounts[id] = a
    return a
  }

  func inWindow(_ d: CivilDate) -> Bool {
    if let f = instance.effectiveFrom, d < f { return false }
    if let u = instance.effectiveUntil, u < d { return false }
    return true
  }

  func finish(_ ctx: any FinishContext, out: RuleOutput) {
    let exclusion = collector.exclusion(ctx)
    if !exclusion.undecided.isEmpty {
      // Which receipts may create credits is unknown: no balance can be shown.
      out.forcedStatus = .skipped
      out.notes.append(
        "exclude_failing rule\(exclusion.undecided.count == 1 ? "" : "s") "
          + exclusion.undecided.joined(separator: ", ")
          + " could not be evaluated, so no credit is proven")
      return
    }
    for e in collector.deferredErrors
    where !exclusion.excludes(source: e.source, line: e.line) {
      let table = collector.compiled[Int(e.source)].table
      out.error(e.error, table: table, line: e.line, entryID: e.entryID, date: e.date)
    }
    if let why = collector.spillFailure, !out.notes.contains(why) { out.notes.append(why) }
    if spec.mode == .percentage {
      PercentageMode(check: self).judge(exclusion, out: out)
      out.accounts = summaries(MassBalanceCheck.sorted(accounts.compactMap { $0 }))
      return
    }
    if prepared == nil {
      // One replay for this check and every check sharing the collector that can share it;
      // each applies its own log when the finisher reaches it.
      let group = collector.members.map(\.check).filter {
        $0 === self
          || ($0.spec.mode != .percentage && !$0.replayed && $0.prepared == nil
            && BookReplay.compatible($0, self))
      }
      let logs = BookReplay(checks: group, collector: collector, run: run).run(exclusion)
      for (c, log) in zip(group, logs) { c.prepared = log }
    }
    let log = prepared ?? ReplayLog(limit: run.options.findingLimit)
    prepared = nil
    replayed = true
    log.apply(to: out, check: self)
  }

  /// Per account (by id), what this check's mode tracks while the book is replayed.
  struct AccountState {
    /// Index into `pendingOverdrafts` of the open overdraft episode.
    var overdraft: Int?
    var expiryOpen = false
    var periodCursor = 0
    var periodStartBalance: ExactDecimal = .zero
    /// The account's posting count at the last period close (postings since: the difference).
    var periodStartCount = 0
    /// Day number of the end of the next period to close (`.max`: none left; `.min`: not
    /// looked up yet): a posting on or before it closes nothing, so most postings skip the
    /// lookup of the site's periods.
    var nextPeriodEnd: Int32 = .min
  }
  @exclusivity(unchecked) private var states: [AccountState] = []
  @exclusivity(unchecked) private var log = ReplayLog(limit: 0)
  @exclusivity(unchecked) private var periods: PeriodIndex?

  func beginReplay(accounts: Int) {
    states = [AccountState](repeating: AccountState(), count: accounts)
    pendingOverdrafts = []
    log = ReplayLog(limit: run.options.findingLimit)
    periods = spec.mode == .periodEnd ? spec.periods.flatMap { run.periodIndexes[$0] } : nil
  }

  /// Before a posting to `a` on `date`: closes its periods that ended earlier.
  func willPost(_ a: Account, on date: CivilDate) {
    if let periods { closePeriods(a, before: date, periods) }
  }

  func endReplay(_ sorted: [Account], lastDate: CivilDate?, evaluated: Int, error: String?)
    -> ReplayLog
  {
    log.evaluated = evaluated
    log.error = error
    if let periods, let lastDate {
      for a in sorted { closePeriods(a, before: lastDate.addingDays(1), periods, final: true) }
    }
    // By date and entry id (never file position): which findings the cap keeps does not
    // depend on the order of the rows.
    for o in pendingOverdrafts.sorted(by: {
      ($0.posting.date, $0.posting.entryID ?? "", $0.posting.line) < (
        $1.posting.date, $1.posting.entryID ?? "", $1.posting.line
      )
    }) {
      emitOverdraft(o, log)
    }
    log.accounts = summaries(sorted)
    let done = log
    log = ReplayLog(limit: 0)
    states = []
    pendingOverdrafts = []
    return done
  }

  /// Accounts in key order (the order of summaries and final period closes).
  static func sorted(_ accounts: [Account]) -> [Account] {
    accounts.sorted {
      a, b in
      for (x, y) in zip(a.key, b.key) where x != y { return Value.orderedBefore(x, y) }
      return a.key.count < b.key.count
    }
  }

  private var negativeLimit: ExactDecimal { spec.tolerance.magnitude.negated }

  /// After credits came into `a` (a credit, opening or incoming transfer).
  func afterIncrease(_ a: Account, _ p: RawPosting) {
    guard let i = states[Int(a.id)].overdraft else { return }
    if a.balance >= negativeLimit {
      pendingOverdrafts[i].recovered = p.date
      states[Int(a.id)].overdraft = nil
    }
  }

  /// After credits left `a` (a debit or outgoing transfer).
  func afterDecrease(_ a: Account, _ p: RawPosting) {
    let id = Int(a.id)
    if spec.mode == .continuous {
      if let i = states[id].overdraft {
        pendingOverdrafts[i].lowest = min(pendingOverdrafts[i].lowest, a.balance)
      } else if a.balance < negativeLimit, inWindow(p.date) {
        let slice = a.slice(last: run.options.evidenceLimit)
        guard let last = slice.postings.last else { return }
        states[id].overdraft = pendingOverdrafts.count
        pendingOverdrafts.append(
          Overdraft(account: a, posting: last, slice: slice, lowest: a.balance, recovered: nil))
      }
    }
    if spec.mode == .expiry, spec.book.lifetimeMonths != nil {
      let short = a.expiryShortfall
      if short > spec.tolerance.magnitude {
        if !states[id].expiryOpen, inWindow(p.date) {
          states[id].expiryOpen = true
          emitExpiry(a, p, short, log)
        }
      } else {
        states[id].expiryOpen = false
      }
    }
  }

  /// transfer_cover: a transfer asked to move `amount` from `a`, which held only `held`
  /// unexpired credits; the rest is not moved (and not credited at the receiver).
  func refusedTransfer(_ a: Account, _ p: RawPosting, amount: ExactDecimal, held: ExactDecimal) {
    guard inWindow(p.date), let short = try? amount.subtracting(held),
      short > spec.tolerance.magnitude
    else { return }
    let source = collector.source(of: p)
    log.markFailing(source.table, p.line)
    let to = collector.accountKeys[Int(p.to >= 0 ? p.to : p.account)].map {
      $0.isNull ? "" : Messages.show($0)
    }
    let slice = a.slice(last: run.options.evidenceLimit)
    let message =
      "transfer \(p.entryID ?? "line \(p.line)") on \(p.date) moves \(amount) from account \(a.shownKey.joined(separator: "/")) to \(to.joined(separator: "/")), but the sender holds only \(held) unexpired credits: \(short) not moved and not credited at the receiver"
    log.add(
      Finding(
        ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail,
        message: message, location: instance.span,
        evidence: [
          EvidenceRow(
            table: source.table, file: "", line: p.line, entryID: p.entryID, column: "amount",
            value: amount.description)
        ],
        balance: BalanceSlice(
          account: a.shownKey, openingBalance: slice.opening, postings: slice.postings,
          omitted: slice.omitted, failingIndex: nil, shortfall: short),
        date: p.date, discriminator: a.shownKey.joined(separator: "/")), group: a.key)
  }

  private func emitOverdraft(_ o: Overdraft, _ out: ReplayLog) {
    let a = o.account
    let p = o.posting
    out.markFailing(p.table, p.line)
    let shortfall = p.balance.negated
    let end =
      o.recovered.map { "recovered on \($0)" } ?? "still \(a.balance) at the end of the ledger"
    let message =
      "account \(a.shownKey.joined(separator: "/")) went negative on \(p.date): \(p.label) \(p.entryID ?? "line \(p.line)") of \(p.amount.magnitude) left a balance of \(p.balance) (shortfall \(shortfall)); lowest \(o.lowest), \(end)"
    out.add(
      Finding(
        ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail,
        message: message,
        location: instance.span, evidence: [evidence(p)],
        balance: BalanceSlice(
          account: a.shownKey, openingBalance: o.slice.opening, postings: o.slice.postings,
          omitted: o.slice.omitted, failingIndex: o.slice.postings.count - 1, shortfall: shortfall),
        date: p.date, discriminator: a.shownKey.joined(separator: "/")), group: a.key)
  }

  private func emitExpiry(
    _ a: Account, _ p: RawPosting, _ short: ExactDecimal, _ out: ReplayLog
  ) {
    let slice = a.slice(last: run.options.evidenceLimit)
    let source = collector.source(of: p)
    let amount = collector.amount(of: p)
    out.markFailing(source.table, p.line)
    let message =
      "account \(a.shownKey.joined(separator: "/")): \(source.label) \(p.entryID ?? "line \(p.line)") of \(amount) on \(p.date) is covered only by expired credits: \(short) short of unexpired credits (balance \(a.balance), expired so far \(a.expired))"
    out.add(
      Finding(
        ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail,
        message: message,
        location: instance.span,
        evidence: [
          EvidenceRow(
            table: source.table, file: "", line: p.line, entryID: p.entryID, column: "amount",
            value: amount.description)
        ],
        balance: BalanceSlice(
          account: a.shownKey, openingBalance: slice.opening, postings: slice.postings,
          omitted: slice.omitted, failingIndex: slice.postings.count - 1, shortfall: short),
        date: p.date, discriminator: a.shownKey.joined(separator: "/")), group: a.key)
  }

  func evidence(_ p: Posting) -> EvidenceRow {
    EvidenceRow(
      table: p.table, file: "", line: p.line, entryID: p.entryID, column: "amount",
      value: p.amount.magnitude.description)
  }

  /// Judges the balance at the close of every period of the account's site that ends before
  /// `date`.
  private func closePeriods(
    _ a: Account, before date: CivilDate, _ periods: PeriodIndex, final: Bool = false
  ) {
    let id = Int(a.id)
    if !final, date.dayNumber <= states[id].nextPeriodEnd { return }
    guard let site = a.key.first, let list = periods.byGroup[site] else {
      states[id].nextPeriodEnd = .max
      return
    }
    defer {
      let cursor = states[id].periodCursor
      states[id].nextPeriodEnd = cursor < list.count ? list[cursor].end.dayNumber : .max
    }
    while states[id].periodCursor < list.count,
      list[states[id].periodCursor].end < date
        || (final && list[states[id].periodCursor].start < date)
    {
      let period = list[states[id].periodCursor]
      states[id].periodCursor += 1
      let periodPostings = a.postingCount - states[id].periodStartCount
      let periodStartBalance = states[id].periodStartBalance
      defer {
        states[id].periodStartBalance = a.balance
        states[id].periodStartCount = a.postingCount
      }
      guard a.balance < negativeLimit, inWindow(period.end) else { continue }
      let slice = a.slice(last: min(periodPostings, run.options.evidenceLimit))
      // Cite the posting that last took the balance below zero in this period, else the period.
      var cited: EvidenceRow?
      var previous = slice.opening
      for p in slice.postings {
        if p.balance < negativeLimit, previous >= negativeLimit { cited = evidence(p) }
        previous = p.balance
      }
      let row =
        cited
        ?? EvidenceRow(
          table: periods.source.table, file: "", line: period.row.line,
          entryID: period.row.entryID ?? period.id)
      log.markFailing(row.table, row.line)
      let message =
        "account \(a.shownKey.joined(separator: "/")) closes period \(period.id) (\(period.start)..\(period.end)) at \(a.balance): shortfall \(a.balance.negated)"
      log.add(
        Finding(
          ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail,
          message: message,
          location: instance.span, evidence: [row],
          balance: BalanceSlice(
            account: a.shownKey,
            openingBalance: periodPostings > slice.postings.count
              ? slice.opening : periodStartBalance,
            postings: slice.postings, omitted: periodPostings - slice.postings.count,
            failingIndex: slice.postings.isEmpty ? nil : slice.postings.count - 1,
            shortfall: a.balance.negated, periodStart: period.start, periodEnd: period.end),
          date: period.end, discriminator: a.shownKey.joined(separator: "/") + "|" + period.id),
        group: a.key)
    }
  }

  func summaries(_ sorted: [Account]) -> [AccountSummary] {
    sorted.map { a in
      AccountSummary(
        ruleID: instance.id, book: spec.book.id, account: a.shownKey, credits: a.credits,
        debits: a.debits, transfersIn: a.transfersIn, transfersOut: a.transfersOut,
        expired: a.expired, balance: a.balance, postings: a.postingCount, trace: a.trace)
    }
  }
}

extension MassBalanceCheck {
  /// Overdraft, negative period close and expiry, on the example credit book.
  static let examples: [CheckExample] = {
    let receipts: [[String: String]] = [
      ["entry_id": "R1", "date": "2024-01-10", "site": "S1", "pool": "MR", "cu_t": "10"],
      ["entry_id": "R2", "date": "2024-01-20", "site": "S1", "pool": "MR", "cu_t": "5"],
    ]
    let periods: [[String: String]] = [
      ["period_id": "P1", "site": "S1", "start": "2024-01-01", "end": "2024-01-31"]
    ]
    let overdraft: [String: [[String: String]]] = [
      "receipts": receipts, "periods": periods,
      "shipments": [
        ["entry_id": "S1", "date": "2024-01-15", "site": "S1", "claim": "MR100/mb", "cu_t": "12"]
      ],
    ]
    return [
      CheckExample(
        "continuous: 10 in, 12 out on the 15th, negative until the 20th",
        check: ExampleBook.check(.continuous),
        rows: overdraft, expect: .fail, rows: ["S1"]),
      CheckExample(
        "period_end: the same ledger closes January at 3",
        check: ExampleBook.check(.periodEnd, periods: true),
        rows: overdraft, expect: .pass),
      CheckExample(
        "expiry: 24-month credits used on the day they expire",
        check: ExampleBook.check(.expiry, book: ExampleBook.book(lifetimeMonths: 24)),
        rows: [
          "receipts": [receipts[0]],
          "shipments": [
            [
              "entry_id": "S1", "date": "2026-01-10", "site": "S1", "claim": "MR100/mb",
              "cu_t": "4",
            ]
          ],
        ], expect: .fail, rows: ["S1"]),
    ]
  }()
}
