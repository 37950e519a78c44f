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
  var balance: ExactDecimal = .zero
  var lots: [Lot] = []
  var head = 0
  var deficit: ExactDecimal = .zero
  var credits: ExactDecimal = .zero
  var debits: ExactDecimal = .zero
  var transfersIn: ExactDecimal = .zero
  var transfersOut: ExactDecimal = .zero
  var expired: ExactDecimal = .zero
  var postingCount = 0
  /// The last `limit` postings (the contributing slice of a finding).
  var recent: [Posting] = []
  var recentStart = 0
  /// Every posting, when traces are kept.
  var trace: [Posting]?
  let limit: Int

  // Mode state.
  var overdraft: Int?  // index into `findings` of the open overdraft episode
  var expiryOpen = false
  var periodCursor = 0
  var periodStartBalance: ExactDecimal = .zero
  var periodPostings = 0

  init(key: [Value], limit: Int, keepTrace: Bool) {
    self.key = key
    self.limit = max(1, limit)
    self.trace = keepTrace ? [] : nil
  }

  var shownKey: [String] { key.map { $0.isNull ? "" : Messages.show($0) } }

  /// Unexpired credits left in lots.
  var available: ExactDecimal {
    var sum = ExactDecimal.zero
    for lot in lots[head...] { sum = (try? sum.adding(lot.remaining)) ?? sum }
    return sum
  }

  func record(_ p: Posting) {
    postingCount += 1
    periodPostings += 1
    if recent.count < limit {
      recent.append(p)
    } else {
      recent[recentStart] = p
      recentStart = (recentStart + 1) % limit
    }
    trace?.append(p)
  }

  /// The last `n` postings, oldest first, and how many earlier postings are not shown.
  func slice(last n: Int) -> (postings: [Posting], omitted: Int, opening: ExactDecimal) {
    let ordered = Array(recent[recentStart...] + recent[..<recentStart])
    let shown = Array(ordered.suffix(min(n, ordered.count)))
    let omitted = postingCount - shown.count
    let opening: ExactDecimal
    if let first = shown.first {
      opening = (try? first.balance.subtracting(first.kind == .excluded || first.kind == .expiry ? .zero : first.amount)) ?? .zero
    } else {
      opening = balance
    }
    return (shown, omitted, opening)
  }

  /// Drops lots whose lifetime ended on or before `date`.
  func expire(on date: CivilDate) {
    while head < lots.count, let e = lots[head].expires, e <= date {
      expired = (try? expired.adding(lots[head].remaining)) ?? expired
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
    if deficit > .zero {
      let cover = min(deficit, lot.remaining)
      deficit = try deficit.subtracting(cover)
      lot.remaining = try lot.remaining.subtracting(cover)
    }
    guard lot.remaining > .zero else { return }
    var i = lots.count
    while i > head, lots[i - 1].created > lot.created { i -= 1 }
    lots.insert(lot, at: i)
  }

  /// Takes `amount` from the lots, first in first out; returns what was taken and adds any
  /// uncovered remainder to the deficit.
  func take(_ amount: ExactDecimal) throws(ExactDecimal.ArithmeticError) -> (taken: [Lot], uncovered: ExactDecimal) {
    var need = amount
    var taken: [Lot] = []
    while need > .zero, head < lots.count {
      let use = min(need, lots[head].remaining)
      taken.append(Lot(created: lots[head].created, expires: lots[head].expires, remaining: use))
      lots[head].remaining = try lots[head].remaining.subtracting(use)
      need = try need.subtracting(use)
      if lots[head].remaining <= .zero { head += 1 }
    }
    if need > .zero { deficit = try deficit.adding(need) }
    return (taken, need)
  }

  /// How much of the lot deficit is due to expiry rather than overdraft.
  var expiryShortfall: ExactDecimal {
    let overdraftPart = balance < .zero ? balance.negated : .zero
    return (try? deficit.subtracting(overdraftPart)) ?? .zero
  }
}
