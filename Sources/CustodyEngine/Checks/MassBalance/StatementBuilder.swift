import CustodyLanguage
import CustodyValues

/// Builds a book's `Statement` inside the replay that judges it (`BookReplay` calls it before
/// and after every posting), so the statement costs a few additions per posting, not a
/// second pass over the ledger.
///
/// Periods: the book's checks' `periods:` table, by the account's first key (the site);
/// a site without periods, or a book without a periods table, has one span over the run
/// (first to last date of any posting or physical row). A posting after a site's last period
/// goes to a trailing span without id; one in a gap between periods goes to the next period.
/// At each period's close the account's credits that expire by the next day are dropped, so
/// `expired` and `closing` are as of the end of the period.
final class StatementBuilder {
  private let book: CompiledBook
  private let periods: PeriodIndex?
  private let span: StatementPeriod
  private let collector: BookCollector

  private struct Open {
    var list: [StatementPeriod]
    var cursor = 0
    /// Day number of the end of the current period (a posting on or before it closes none).
    var currentEnd: Int32
    var carried = ExactDecimal.zero
    var startExpired = ExactDecimal.zero
    var opening = ExactDecimal.zero
    var credits = ExactDecimal.zero
    var copper: ExactDecimal?
    var factors: Set<ExactDecimal> = []
    var debits = ExactDecimal.zero
    var transfersIn = ExactDecimal.zero
    var transfersOut = ExactDecimal.zero
    var refused = ExactDecimal.zero
    var lines: [StatementAccount.Lines] = []
  }
  // One replay on one thread.
  @exclusivity(unchecked) private var open: [Open?]
  /// Sums kept exact; a sum that overflows 38 digits is reported, never rounded.
  private(set) var failure: String?

  init(book: CompiledBook, periods: PeriodIndex?, collector: BookCollector) {
    self.book = book
    self.periods = periods
    self.collector = collector
    var first = collector.firstDate
    var last = collector.lastDate
    if let p = collector.physicalSpan {
      first = min(first ?? p.lowerBound, p.lowerBound)
      last = max(last ?? p.upperBound, p.upperBound)
    }
    let today = CivilDate(dayNumber: 0)
    span = StatementPeriod(id: nil, start: first ?? today, end: last ?? first ?? today)
    open = [Open?](repeating: nil, count: collector.accountCount)
  }

  /// The statement periods of a site: its rows in the periods table, else the run's span.
  private func list(for site: Value?) -> [StatementPeriod] {
    guard let site, let rows = periods?.byGroup[site], !rows.isEmpty else { return [span] }
    return rows.map { StatementPeriod(id: $0.id, start: $0.start, end: $0.end) }
  }

  /// The account's state, moved out of `open` (written back by the caller): while `open`
  /// still held it, the first change to its `factors` or `lines` copied the whole container,
  /// once per posting.
  private func takeState(_ a: Account) -> Open {
    let id = Int(a.id)
    if let s = open[id] {
      open[id] = nil
      return s
    }
    let l = list(for: a.key.first)
    return Open(list: l, currentEnd: l[0].end.dayNumber)
  }

  /// Before a posting to `a` on `date`: closes the account's periods that ended before it.
  @inline(__always) func willPost(_ a: Account, on date: CivilDate) {
    let id = Int(a.id)
    if let s = open[id], date.dayNumber <= s.currentEnd { return }
    var s = takeState(a)
    while date.dayNumber > s.currentEnd {
      if s.cursor == s.list.count - 1, s.list[s.cursor].id != nil {
        // After the site's last period: a trailing span to the end of the run.
        let start = s.list[s.cursor].end.addingDays(1)
        s.list.append(StatementPeriod(id: nil, start: start, end: max(span.end, start)))
      }
      close(a, &s)
    }
    open[id] = s
  }

  private func close(_ a: Account, _ s: inout Open) {
    let p = s.list[s.cursor]
    a.expire(on: p.end.addingDays(1))
    let closing = sum { try a.balance.subtracting(a.expired) }
    let expired = sum { try a.expired.subtracting(s.startExpired) }
    s.lines.append(
      StatementAccount.Lines(
        period: p, opening: sum { try s.carried.adding(s.opening) }, credits: s.credits,
        creditedCopper: s.copper, factors: s.factors.sorted(), debits: s.debits,
        transfersIn: s.transfersIn, transfersOut: s.transfersOut, transfersRefused: s.refused,
        expired: expired, closing: closing))
    s.carried = closing
    s.startExpired = a.expired
    (s.opening, s.credits, s.copper, s.factors) = (.zero, .zero, nil, [])
    (s.debits, s.transfersIn, s.transfersOut, s.refused) = (.zero, .zero, .zero, .zero)
    s.cursor += 1
    // Past the last span: nothing more is posted (the run's span ends on its last date).
    s.currentEnd = s.cursor < s.list.count ? s.list[s.cursor].end.dayNumber : .max
  }

  private func sum(_ f: () throws -> ExactDecimal) -> ExactDecimal {
    do { return try f() } catch {
      if failure == nil { failure = "the statement's sums overflow (\(error))" }
      return .zero
    }
  }

  private func update(_ a: Account, _ f: (inout Open) throws -> Void) {
    var s = takeState(a)
    do { try f(&s) } catch {
      if failure == nil { failure = "the statement's sums overflow (\(error))" }
    }
    open[Int(a.id)] = s
  }

  func opening(_ a: Account, _ amount: ExactDecimal) {
    update(a) { (s: inout Open) in
      s.opening = try s.opening.adding(amount)
    }
  }

  func credit(_ a: Account, _ amount: ExactDecimal, _ p: RawPosting) {
    let detail =
      p.to >= 0 && Int(p.to) < collector.creditDetails.count
      ? collector.creditDetails[Int(p.to)] : nil
    update(a) { (s: inout Open) in
      s.credits = try s.credits.adding(amount)
      if let c = detail?.copper { s.copper = try (s.copper ?? .zero).adding(c) }
      if let f = detail?.factor { s.factors.insert(f.normalized) }
    }
  }

  func debit(_ a: Account, _ amount: ExactDecimal) {
    update(a) { (s: inout Open) in
      s.debits = try s.debits.adding(amount)
    }
  }

  func transfer(from a: Account, to b: Account, moved: ExactDecimal, refused: ExactDecimal) {
    update(a) { (s: inout Open) in
      s.transfersOut = try s.transfersOut.adding(moved)
      s.refused = try s.refused.adding(refused)
    }
    update(b) { (s: inout Open) in
      s.transfersIn = try s.transfersIn.adding(moved)
    }
  }

  /// Closes every account's remaining periods and returns the statement.
  func finish(_ sorted: [Account]) -> Statement {
    var accounts: [StatementAccount] = []
    for a in sorted {
      var s = takeState(a)
      while s.cursor < s.list.count { close(a, &s) }
      open[Int(a.id)] = s
      var lots: [StatementAccount.Lot] = []
      for lot in a.lots[a.head...] where lot.remaining.mantissa > 0 {
        if let last = lots.last, last.created == lot.created, last.expires == lot.expires {
          lots[lots.count - 1].remaining = sum { try last.remaining.adding(lot.remaining) }
        } else {
          lots.append(
            StatementAccount.Lot(
              created: lot.created, expires: lot.expires, remaining: lot.remaining))
        }
      }
      accounts.append(
        StatementAccount(
          account: a.shownKey, periods: s.lines, closingLots: lots, deficit: a.deficit))
    }
    var s = Statement(
      book: book.id, accountKey: book.accountKey, lifetimeMonths: book.lifetimeMonths,
      periodsTable: periods?.source.table, accounts: accounts, physical: physicalLines())
    s.physicalRowsUnread = collector.physicalUnread
    return s
  }

  /// The physical copper per site, summed into the site's statement periods.
  private func physicalLines() -> [PhysicalLine] {
    var out: [PhysicalLine] = []
    let sites = collector.physical.keys.sorted { Value.orderedBefore($0, $1) }
    for site in sites {
      guard let days = collector.physical[site] else { continue }
      var l = list(for: site)
      var copperIn = [ExactDecimal](repeating: .zero, count: l.count)
      var copperOut = copperIn
      var cursor = 0
      for day in days.keys.sorted() {
        while cursor < l.count, l[cursor].end.dayNumber < day { cursor += 1 }
        if cursor == l.count {
          let start = l[l.count - 1].end.addingDays(1)
          l.append(StatementPeriod(id: nil, start: start, end: max(span.end, start)))
          copperIn.append(.zero)
          copperOut.append(.zero)
        }
        let d = days[day]!
        copperIn[cursor] = sum { try copperIn[cursor].adding(d.copperIn) }
        copperOut[cursor] = sum { try copperOut[cursor].adding(d.copperOut) }
      }
      let shown = Messages.show(site)
      for i in l.indices {
        out.append(
          PhysicalLine(site: shown, period: l[i], copperIn: copperIn[i], copperOut: copperOut[i]))
      }
    }
    return out
  }
}
