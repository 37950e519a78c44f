import CustodyLanguage
import CustodyValues

/// One credit account of a book while it is being replayed.
///
/// Two views run side by side, because the standard judges them separately:
/// - `balance`: credits created minus credits used (continuous and period_end modes);
/// - `lots`: unexpired credits, first in first out, with `deficit` for debits no lot covered
///   (expiry mode). A later credit first makes good the deficit, then becomes a lot.
/// A debit covered by `balance` but not by `lots` was covered only by expired credits.
final class Account {
  struct Lot {
    var created: CivilDate
    /// First day the lot can no longer be used (created + lifetime months); nil: never.
    var expires: CivilDate?
    var remaining: ExactDecimal
  }
  let key: [Value]
  // The stored state below is `@exclusivity(unchecked)`: an account is touched by one replay on
  // one thread, and the run-time exclusivity checks were ~15% of the replay.
  /// The account's index (`BookCollector.accountOf`), for per-check state.
  @exclusivity(unchecked) var id: Int32 = -1
  @exclusivity(unchecked) var balance: ExactDecimal = .zero
  @exclusivity(unchecked) var lots: [Lot] = []
  @exclusivity(unchecked) var head = 0
  @exclusivity(unchecked) var deficit: ExactDecimal = .zero
  @exclusivity(unchecked) var credits: ExactDecimal = .zero
  @exclusivity(unchecked) var debits: ExactDecimal = .zero
  @exclusivity(unchecked) var transfersIn: ExactDecimal = .zero
  @exclusivity(unchecked) var transfersOut: ExactDecimal = .zero
  @exclusivity(unchecked) var expired: ExactDecimal = .zero
  @exclusivity(unchecked) var postingCount = 0
  /// The last `limit` postings (the contributing slice of a finding).
  @exclusivity(unchecked) var recent: [Recorded] = []
  @exclusivity(unchecked) var recentStart = 0
  /// Every posting, when traces are kept.
  @exclusivity(unchecked) var trace: [Posting]?
  let limit: Int
  /// The label and table of each book source, by `Recorded.source`.
  let sources: [(label: String, table: String)]

  /// A posting as the replay records it: a `Posting` without its source's label and table,
  /// which are looked up only when a finding shows it (the replay made every posting's strings
  /// and stored them in the ring of recent postings; few are ever shown).
  struct Recorded {
    var date: CivilDate
    var kind: Posting.Kind
    var source: Int32
    var line: Int
    var entryID: String?
    var amount: ExactDecimal
    var balance: ExactDecimal
    var available: ExactDecimal?
  }

  init(
    key: [Value], limit: Int, keepTrace: Bool, sources: [(label: String, table: String)]
  ) {
    self.key = key
    self.limit = max(1, limit)
    self.trace = keepTrace ? [] : nil
    self.sources = sources
  }

  /// The posting `r` describes, with its source's label and table.
  func posting(_ r: Recorded) -> Posting {
    let s = sources[Int(r.source)]
    return Posting(
      date: r.date, kind: r.kind, label: s.label, table: s.table, file: "", line: r.line,
      entryID: r.entryID, amount: r.amount, balance: r.balance, available: r.available)
  }

  var shownKey: [String] { key.map { $0.isNull ? "" : Messages.show($0) } }

  /// Unexpired credits left in lots: the sum of `lots[head...]`, kept as a running total so a
  /// posting does not re-add every lot. The total is held at scale `maxScale`, with a count of
  /// live lots per scale so the result has the scale the plain sum would have (it is printed).
  var available: ExactDecimal {
    if lotTotalOverflowed { return summedLots }
    var scale = 0
    for s in stride(from: ExactDecimal.maxScale, to: 0, by: -1) where lotScales[s] > 0 {
      scale = s
      break
    }
    return ExactDecimal(
      mantissa: lotTotal / Account.pow10[ExactDecimal.maxScale - scale], scale: scale)
  }

  /// The plain sum (overflowing terms skipped), used once the running total overflowed.
  private var summedLots: ExactDecimal {
    var sum = ExactDecimal.zero
    for lot in lots[head...] { sum = (try? sum.adding(lot.remaining)) ?? sum }
    return sum
  }

  @exclusivity(unchecked) private var lotTotal: Int128 = 0
  @exclusivity(unchecked) private var lotScales = [Int](
    repeating: 0, count: ExactDecimal.maxScale + 1)
  @exclusivity(unchecked) private var lotTotalOverflowed = false
  private static let pow10: [Int128] = {
    var p: [Int128] = [1]
    for _ in 0..<ExactDecimal.maxScale { p.append(p[p.count - 1] * 10) }
    return p
  }()

  /// Adds (`sign` 1) or removes (-1) a live lot's remaining amount from the running total.
  private func track(_ amount: ExactDecimal, _ sign: Int) {
    guard !lotTotalOverflowed else { return }
    guard amount.scale >= 0, amount.scale <= ExactDecimal.maxScale else {
      lotTotalOverflowed = true
      return
    }
    lotScales[amount.scale] += sign
    let (m, o1) = amount.mantissa.multipliedReportingOverflow(
      by: Account.pow10[ExactDecimal.maxScale - amount.scale])
    let (t, o2) =
      sign > 0 ? lotTotal.addingReportingOverflow(m) : lotTotal.subtractingReportingOverflow(m)
    if o1 || o2 { lotTotalOverflowed = true } else { lotTotal = t }
  }

  /// A lot's remainder went from `before` to `after` (`before - taken`): what `track(before,
  /// -1)` then `track(after, 1)` do, with one scaled subtraction.
  private func retrack(_ before: ExactDecimal, _ after: ExactDecimal, taken: ExactDecimal) {
    guard !lotTotalOverflowed else { return }
    let range = 0...ExactDecimal.maxScale
    guard range.contains(before.scale), range.contains(after.scale), range.contains(taken.scale)
    else {
      lotTotalOverflowed = true
      return
    }
    lotScales[before.scale] -= 1
    lotScales[after.scale] += 1
    let (m, o1) = taken.mantissa.multipliedReportingOverflow(
      by: Account.pow10[ExactDecimal.maxScale - taken.scale])
    let (t, o2) = lotTotal.subtractingReportingOverflow(m)
    if o1 || o2 { lotTotalOverflowed = true } else { lotTotal = t }
  }

  func record(_ p: Recorded) {
    postingCount += 1
    if recent.count < limit {
      recent.append(p)
    } else {
      recent[recentStart] = p
      recentStart = (recentStart + 1) % limit
    }
    if trace != nil { trace?.append(posting(p)) }
  }

  /// The last `n` postings, oldest first, and how many earlier postings are not shown.
  func slice(last n: Int) -> (postings: [Posting], omitted: Int, opening: ExactDecimal) {
    let ordered = Array(recent[recentStart...] + recent[..<recentStart])
    let shown = ordered.suffix(min(n, ordered.count)).map(posting)
    let omitted = postingCount - shown.count
    let opening: ExactDecimal
    if let first = shown.first {
      opening =
        (try? first.balance.subtracting(
          first.kind == .excluded || first.kind == .expiry ? .zero : first.amount)) ?? .zero
    } else {
      opening = balance
    }
    return (shown, omitted, opening)
  }

  /// Drops lots whose lifetime ended on or before `date`.
  func expire(on date: CivilDate) {
    while head < lots.count, let e = lots[head].expires, e <= date {
      expired = (try? expired.adding(lots[head].remaining)) ?? expired
      track(lots[head].remaining, -1)
      head += 1
    }
    if head > 64, head * 2 > lots.count {
      lots.removeFirst(head)
      head = 0
    }
  }

  /// Adds credits: first to the deficit, the rest as a lot (kept sorted by creation date).
  func addLot(_ lot: Lot) throws(ExactDecimal.ArithmeticError) {
    var lot = lot
    if deficit.mantissa > 0 {
      let cover = min(deficit, lot.remaining)
      deficit = try deficit.subtracting(cover)
      lot.remaining = try lot.remaining.subtracting(cover)
    }
    guard lot.remaining.mantissa > 0 else { return }
    var i = lots.count
    while i > head, lots[i - 1].created > lot.created { i -= 1 }
    lots.insert(lot, at: i)
    track(lot.remaining, 1)
  }

  /// Takes `amount` from the lots, first in first out; returns what was taken and adds any
  /// uncovered remainder to the deficit.
  /// `keep: false` (a debit) builds no list of what was taken.
  func take(_ amount: ExactDecimal, keep: Bool = true) throws(ExactDecimal.ArithmeticError) -> (
    taken: [Lot], uncovered: ExactDecimal
  ) {
    var need = amount
    var taken: [Lot] = []
    // Signs are read from mantissas (comparing with `.zero` aligned scales at every step), and
    // the running total moves by what was taken, not out by the lot's old remainder and back
    // in by its new one.
    while need.mantissa > 0, head < lots.count {
      let remaining = lots[head].remaining
      let use = remaining < need ? remaining : need  // `min(need, remaining)`
      if keep {
        taken.append(
          Lot(created: lots[head].created, expires: lots[head].expires, remaining: use))
      }
      let left = try remaining.subtracting(use)
      retrack(remaining, left, taken: use)
      lots[head].remaining = left
      need = try need.subtracting(use)
      if left.mantissa <= 0 {
        track(left, -1)
        head += 1
      }
    }
    if need.mantissa > 0 { deficit = try deficit.adding(need) }
    return (taken, need)
  }

  /// How much of the lot deficit is due to expiry rather than overdraft.
  var expiryShortfall: ExactDecimal {
    let overdraftPart = balance < .zero ? balance.negated : .zero
    return (try? deficit.subtracting(overdraftPart)) ?? .zero
  }
}
