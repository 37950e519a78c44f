import CustodyLanguage
import CustodyValues

/// Replays one collector's postings once for several non-percentage mass_balance checks.
///
/// Balances, lots and recorded postings depend only on the postings and the book's credit
/// lifetime, so checks on the same book (continuous, period_end, expiry) share one set of
/// accounts; each check observes them at the points its serial replay would (before a
/// posting: period closes; after it: overdraft and expiry) and keeps its own per-account
/// state and its own `ReplayLog`. Each log equals what a replay for that check alone gives.
final class BookReplay {
  let checks: [MassBalanceCheck]
  /// The checks each hook can concern (most postings reach no mode's judgement), held at +0
  /// (`checks` keeps them alive): iterating the arrays retained each check per posting.
  private let closing, increasing, decreasing, covering: [Unmanaged<MassBalanceCheck>]
  let collector: BookCollector
  let lifetimeMonths: Int?
  private let limit: Int
  private let keepTrace: Bool
  /// Merge spilled postings on another thread while posting (more than one thread allowed).
  private let mergeAhead: Bool
  // One replay on one thread: no run-time exclusivity check per posting.
  @exclusivity(unchecked) private var accounts: [Account?]
  private let accountOf: [Int32]
  /// Each book source's label and table (`Account.Recorded.source`).
  private let sources: [(label: String, table: String)]
  /// Per account: the first credit excluded only because a rule could not decide its row.
  private var undecided: [Int: String] = [:]
  private let coverTransfers: Bool
  /// The book's statement, when this replay makes it (the first replay of a collector).
  private let statement: StatementBuilder?

  /// `checks` share `collector` and have the same credit lifetime (see `compatible`).
  init(checks: [MassBalanceCheck], collector: BookCollector, run: RunContext) {
    self.checks = checks
    func hooks(_ modes: Set<MassBalanceMode>) -> [Unmanaged<MassBalanceCheck>] {
      checks.filter { modes.contains($0.spec.mode) }.map { Unmanaged.passUnretained($0) }
    }
    closing = hooks([.periodEnd])
    increasing = hooks([.continuous])
    decreasing = hooks([.continuous, .expiry])
    covering = hooks([.transferCover])
    // With a transfer_cover check a transfer moves only what the sender's unexpired credits
    // cover (the rest is that check's finding); without one, the uncovered part moves and
    // leaves the sender overdrawn (an overdraft finding), so it never passes unseen.
    coverTransfers = !covering.isEmpty
    self.collector = collector
    self.lifetimeMonths = checks.first?.spec.book.lifetimeMonths
    self.limit = run.options.evidenceLimit
    self.keepTrace = run.options.keepAccountTraces
    self.mergeAhead = run.options.threads > 1
    self.accounts = [Account?](repeating: nil, count: collector.accountCount)
    self.accountOf = collector.accountOf
    self.sources = collector.sourceLabels
    if collector.statementMade {
      statement = nil
    } else {
      collector.statementMade = true
      let periods = checks.lazy.compactMap { $0.spec.periods }.first.flatMap {
        run.periodIndexes[$0]
      }
      statement = StatementBuilder(book: collector.book, periods: periods, collector: collector)
    }
  }

  /// Whether two checks' replays build the same accounts (so one replay can serve both).
  static func compatible(_ a: MassBalanceCheck, _ b: MassBalanceCheck) -> Bool {
    a.spec.book.lifetimeMonths == b.spec.book.lifetimeMonths
  }

  private func account(_ keyID: Int32) -> Account {
    let id = Int(accountOf[Int(keyID)])
    if let a = accounts[id] { return a }
    let a = Account(
      key: collector.accountKeys[Int(keyID)], limit: limit, keepTrace: keepTrace,
      sources: sources)
    a.id = Int32(id)
    accounts[id] = a
    return a
  }

  /// Replays the collector's postings in order (`exclusion` says which credits create
  /// nothing); returns one log per check, in `checks` order.
  func run(_ exclusion: BookCollector.Exclusion) -> [ReplayLog] {
    for c in checks { c.beginReplay(accounts: accounts.count) }
    // Credit rows that could not even be evaluated, removed because a rule could not decide
    // them: their accounts' shortfalls are not shown either.
    for e in collector.deferredErrors where e.account >= 0 {
      let role = collector.compiled[Int(e.source)].role
      guard role == .credit || role == .opening,
        exclusion.excludes(source: e.source, line: e.line),
        exclusion.undecided(source: e.source, line: e.line)
      else { continue }
      let id = Int(accountOf[Int(e.account)])
      if undecided[id] == nil {
        undecided[id] =
          "the credits of \(collector.compiled[Int(e.source)].table) line \(e.line)\(e.entryID.map { " (\($0))" } ?? "") could not be decided"
      }
    }
    var evaluated = 0
    var failure: String?
    do throws(SpillError) {
      let body = { (p: RawPosting) -> Bool in
        if p.role == .inputTotal || p.role == .outputTotal { return true }
        evaluated += 1
        let excluded = exclusion.excludes(p)
        if excluded, exclusion.undecided(p) {
          let key = Int(self.accountOf[Int(p.account)])
          if self.undecided[key] == nil {
            let table = self.sources[Int(p.compiled)].table
            self.undecided[key] =
              "the credits of \(table) line \(p.line)\(p.entryID.map { " (\($0))" } ?? "") could not be decided"
          }
        }
        do {
          try self.post(p, excluded: excluded)
        } catch {
          // Where, not only what: the row, account and date whose posting broke the sum.
          let key = self.collector.accountKeys[Int(p.account)].map(Messages.show)
          failure =
            "\(error) posting \(self.sources[Int(p.compiled)].table) line \(p.line)"
            + (p.entryID.map { " (\($0))" } ?? "")
            + " to account \(key.joined(separator: "|")) on \(p.date)"
          return false
        }
        return true
      }
      if mergeAhead {
        try collector.forEachOrderedAhead(body)
      } else {
        try collector.forEachOrdered(body)
      }
    } catch {
      failure = "cannot read the book's postings back from disk (\(error))"
    }
    let sorted = MassBalanceCheck.sorted(accounts.compactMap { $0 })
    let made = failure == nil ? statement?.finish(sorted) : nil
    var first = true
    return checks.map { c in
      let log = c.endReplay(
        sorted, lastDate: collector.lastDate, evaluated: evaluated, error: failure)
      // Findings name their account by the key it was opened with.
      for (id, why) in undecided {
        if let a = accounts[id] { log.undecided[a.key] = why }
      }
      if first {
        // The statement goes with one check's output (the report shows it once per book).
        log.statement = made
        log.statement?.rule = c.instance.id
        if let why = statement?.failure { log.statementFailure = why }
        first = false
      }
      return log
    }
  }

  /// Applies one posting to its account (and a transfer's receiving account).
  private func post(_ p: RawPosting, excluded: Bool) throws {
    let amount = collector.amount(of: p)
    let a = account(p.account)
    for c in closing { c._withUnsafeGuaranteedRef { $0.willPost(a, on: p.date) } }
    statement?.willPost(a, on: p.date)
    switch p.role {
    case .opening, .credit:
      if excluded {
        a.record(posting(p, .excluded, amount, a))
        return
      }
      a.expire(on: p.date)
      a.balance = try a.balance.adding(amount)
      a.credits = try a.credits.adding(amount)
      try a.addLot(lot(p.date, amount))
      a.record(posting(p, p.role == .opening ? .opening : .credit, amount, a))
      if p.role == .opening {
        statement?.opening(a, amount)
      } else {
        statement?.credit(a, amount, p)
      }
      for c in increasing { c._withUnsafeGuaranteedRef { $0.afterIncrease(a, p) } }
    case .debit:
      if excluded {
        a.record(posting(p, .excluded, amount, a))
        return
      }
      a.expire(on: p.date)
      a.balance = try a.balance.subtracting(amount)
      a.debits = try a.debits.adding(amount)
      _ = try a.take(amount, keep: false)
      a.record(posting(p, .debit, amount.negated, a))
      statement?.debit(a, amount)
      for c in decreasing { c._withUnsafeGuaranteedRef { $0.afterDecrease(a, p) } }
    case .transfer:
      if excluded {
        a.record(posting(p, .excluded, amount, a))
        return
      }
      a.expire(on: p.date)
      // transfer_cover: only the sender's unexpired credits move (an overdrawn sender has
      // none: its credits first make good the deficit).
      let held = coverTransfers ? a.available : amount
      let moved = coverTransfers && held < amount ? held : amount
      let refused = try amount.subtracting(moved)
      if refused.mantissa > 0 {
        for c in covering {
          c._withUnsafeGuaranteedRef { $0.refusedTransfer(a, p, amount: amount, held: held) }
        }
      }
      a.balance = try a.balance.subtracting(moved)
      a.transfersOut = try a.transfersOut.adding(moved)
      let (taken, uncovered) = try a.take(moved)
      a.record(posting(p, .transferOut, moved.negated, a))
      for c in decreasing { c._withUnsafeGuaranteedRef { $0.afterDecrease(a, p) } }
      let b = account(p.to >= 0 ? p.to : p.account)  // every transfer source has `to:`
      // The sender's credits could not all be decided, so neither can what the transfer
      // should have moved: the receiver's shortfalls are not shown either.
      if refused.mantissa > 0, let why = undecided[Int(a.id)], undecided[Int(b.id)] == nil {
        undecided[Int(b.id)] =
          "transfer \(p.entryID ?? "line \(p.line)") came from \(a.shownKey.joined(separator: "/")), where \(why)"
      }
      for c in closing { c._withUnsafeGuaranteedRef { $0.willPost(b, on: p.date) } }
      statement?.willPost(b, on: p.date)
      b.expire(on: p.date)
      b.balance = try b.balance.adding(moved)
      b.transfersIn = try b.transfersIn.adding(moved)
      // Transferred credits keep their creation date and expiry. Without transfer_cover, the
      // part the sender did not hold moves as credits dated the transfer (the sender's
      // overdraft is the finding).
      for t in taken { try b.addLot(t) }
      if uncovered > .zero { try b.addLot(lot(p.date, uncovered)) }
      b.record(posting(p, .transferIn, moved, b))
      statement?.transfer(from: a, to: b, moved: moved, refused: refused)
      for c in increasing { c._withUnsafeGuaranteedRef { $0.afterIncrease(b, p) } }
    case .inputTotal, .outputTotal: break
    }
  }

  private func lot(_ date: CivilDate, _ amount: ExactDecimal) -> Account.Lot {
    Account.Lot(
      created: date, expires: lifetimeMonths.map { date.addingMonths($0) }, remaining: amount)
  }

  private func posting(
    _ p: RawPosting, _ kind: Posting.Kind, _ amount: ExactDecimal, _ a: Account
  ) -> Account.Recorded {
    Account.Recorded(
      date: p.date, kind: kind, source: Int32(p.compiled), line: p.line, entryID: p.entryID,
      amount: amount, balance: a.balance, available: lifetimeMonths == nil ? nil : a.available)
  }
}
