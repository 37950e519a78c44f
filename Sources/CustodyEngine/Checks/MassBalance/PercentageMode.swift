import CustodyLanguage
import CustodyValues

/// The percentage method (ASI CoC Part 8): per account and accounting period,
/// `claimed <= carried + output_total x credited / input_total`, where `credited` sums the
/// book's credits, `input_total` its `input_totals`, `output_total` its `output_totals` and
/// `claimed` its debits in the period. The unclaimed allowance is carried forward to the next
/// period of the account; a failing period carries nothing. A posting in no period of its
/// account leaves the rule `skipped` (its clauses `not_evaluated`) unless a period failed.
/// Books with `transfers:` are refused at compile time (CUS2030): there are no credits to move.
struct PercentageMode {
  let check: MassBalanceCheck

  struct Tally {
    var credited: ExactDecimal = .zero
    var inputs: ExactDecimal = .zero
    var outputs: ExactDecimal = .zero
    var claimed: ExactDecimal = .zero
    /// Debits claimed in the period (their rows are found again if the period fails).
    var claims = 0
  }

  /// A period whose claims exceed its allowance.
  private struct Failure {
    let account: Account
    let period: PeriodIndex.Period
    let tally: Tally
    let share, carried, excess: ExactDecimal
    var evidence: [EvidenceRow] = []
  }

  /// The index of the period of `periods` holding the posting's date, by its account's site.
  private func period(of p: RawPosting, _ periods: PeriodIndex) -> Int? {
    guard let site = check.collector.accountKeys[Int(p.account)].first,
      let list = periods.byGroup[LookupIndex.normalize(site)]
    else { return nil }
    return list.firstIndex(where: { $0.start <= p.date && p.date <= $0.end })
  }

  /// Judges the collector's postings (in replay order), skipping the credits `exclusion`
  /// excludes. Tallies per account and period in one pass; if a period fails, a second pass
  /// finds its claims (no posting is held for the judgement, so memory does not grow with
  /// the rows).
  func judge(_ exclusion: BookCollector.Exclusion, out: RuleOutput) {
    guard let source = check.spec.periods, let periods = check.run.periodIndexes[source] else {
      out.forcedStatus = .error
      out.firstError = "percentage mode needs `periods:`"
      return
    }
    // account id -> period index -> tally
    var tallies: [Int32: [Int: Tally]] = [:]
    // Postings in no accounting period, per account key id: activity that cannot be judged.
    var unperiodised: [Int32: Int] = [:]
    var failure: (any Error)?
    do throws(SpillError) {
      try check.collector.forEachOrdered { p in
        if exclusion.excludes(p) { return true }
        guard let index = period(of: p, periods) else {
          out.counts.skippedRows += 1
          unperiodised[p.account, default: 0] += 1
          return true
        }
        out.counts.evaluated += 1
        let a = check.account(p.account)
        let amount = check.collector.amount(of: p)
        do {
          // In place: a copied tally would be copied on every posting.
          try PercentageMode.add(
            p, amount, to: &tallies[a.id, default: [:]][index, default: Tally()])
          switch p.role {
          case .credit, .opening: a.credits = try a.credits.adding(amount)
          case .debit: a.debits = try a.debits.adding(amount)
          case .inputTotal, .outputTotal, .transfer: break
          }
        } catch {
          failure = error
          return false
        }
        return true
      }
    } catch {
      failure = error
    }
    var failures: [Failure] = []
    do {
      if let failure { throw failure }
      for a in MassBalanceCheck.sorted(check.accounts.compactMap { $0 }) {
        guard let site = a.key.first, let list = periods.byGroup[LookupIndex.normalize(site)],
          let byPeriod = tallies[a.id]
        else { continue }
        var carried = ExactDecimal.zero
        for index in byPeriod.keys.sorted() {
          guard let t = byPeriod[index] else { continue }
          let share = t.inputs.isZero ? ExactDecimal.zero : try t.credited.divided(by: t.inputs)
          let allowed = try carried.adding(try t.outputs.multiplied(by: share))
          let excess = try t.claimed.subtracting(allowed)
          if excess > check.spec.tolerance.magnitude, check.inWindow(list[index].end) {
            failures.append(
              Failure(
                account: a, period: list[index], tally: t, share: share, carried: carried,
                excess: excess))
            carried = .zero
          } else {
            carried = max(.zero, try allowed.subtracting(t.claimed))
          }
          a.balance = carried
        }
      }
      try collectClaims(&failures, periods, exclusion, out)
    } catch {
      out.forcedStatus = .error
      out.firstError = "\(error)"
      return
    }
    for f in failures { emit(f, out) }
    undecided(unperiodised, out)
  }

  /// Activity outside every accounting period of its account: no share can be computed for
  /// it, so the balance is not shown to hold. The rule is `skipped` (its clauses
  /// `not_evaluated`, never `not_applicable`) unless a period already failed.
  private func undecided(_ unperiodised: [Int32: Int], _ out: RuleOutput) {
    guard !unperiodised.isEmpty else { return }
    var counts: [Int32: Int] = [:]
    var byID: [Int32: Account] = [:]
    for (keyID, n) in unperiodised {
      let a = check.account(keyID)
      counts[a.id, default: 0] += n
      byID[a.id] = a
    }
    for a in MassBalanceCheck.sorted(Array(byID.values)) {
      let n = counts[a.id] ?? 0
      out.notes.append(
        "account \(a.shownKey.joined(separator: "/")): \(n) posting\(n == 1 ? "" : "s") in no accounting period, not judged"
      )
    }
    if out.counts.failed == 0 { out.forcedStatus = .skipped }
  }

  /// Second pass: the evidence (capped) of each failing period's claims, and every claim's
  /// row marked failing.
  private func collectClaims(
    _ failures: inout [Failure], _ periods: PeriodIndex, _ exclusion: BookCollector.Exclusion,
    _ out: RuleOutput
  ) throws(SpillError) {
    if failures.isEmpty { return }
    var failing: [Int32: [Int: Int]] = [:]  // account id -> period index -> failure
    for (i, f) in failures.enumerated() {
      guard let list = f.account.key.first.flatMap({ periods.byGroup[LookupIndex.normalize($0)] }),
        let index = list.firstIndex(where: { $0.id == f.period.id && $0.start == f.period.start })
      else { continue }
      failing[f.account.id, default: [:]][index] = i
    }
    let limit = check.run.options.evidenceLimit
    try check.collector.forEachOrdered { p in
      guard p.role == .debit, !exclusion.excludes(p),
        let byPeriod = failing[check.collector.accountOf[Int(p.account)]],
        let index = period(of: p, periods), let i = byPeriod[index]
      else { return true }
      let table = check.collector.source(of: p).table
      out.markFailing(table, p.line)
      if failures[i].evidence.count < limit {
        failures[i].evidence.append(
          EvidenceRow(
            table: table, file: "", line: p.line, entryID: p.entryID, column: "amount",
            value: check.collector.amount(of: p).description))
      }
      return true
    }
  }

  private static func add(
    _ p: RawPosting, _ amount: ExactDecimal, to t: inout Tally
  ) throws(ExactDecimal.ArithmeticError) {
    switch p.role {
    case .credit, .opening: t.credited = try t.credited.adding(amount)
    case .inputTotal: t.inputs = try t.inputs.adding(amount)
    case .outputTotal: t.outputs = try t.outputs.adding(amount)
    case .debit:
      t.claimed = try t.claimed.adding(amount)
      t.claims += 1
    case .transfer: break
    }
  }

  private func emit(_ f: Failure, _ out: RuleOutput) {
    let (a, period, t, share, carried, excess) = (
      f.account, f.period, f.tally, f.share, f.carried, f.excess
    )
    let claimedShare =
      t.outputs.isZero ? ExactDecimal.zero : ((try? t.claimed.divided(by: t.outputs)) ?? .zero)
    let pct = { (d: ExactDecimal) in
      ((try? d.multiplied(by: 100)) ?? d).rounded(scale: 2).description + "%"
    }
    let message =
      "account \(a.shownKey.joined(separator: "/")) period \(period.id) (\(period.start)..\(period.end)): claimed \(t.claimed) of \(t.outputs) output (\(pct(claimedShare))) exceeds the credited input share \(t.credited) of \(t.inputs) (\(pct(share))) plus \(carried) carried forward by \(excess)"
    out.add(
      Finding(
        ruleID: check.instance.id, clauseIDs: [], severity: nil, status: .fail,
        message: check.instance.message.map {
          Messages.render($0, Frame(group: a.key), run: check.run)
        } ?? message,
        location: check.instance.span, evidence: f.evidence, evidenceTotal: t.claims,
        balance: BalanceSlice(
          account: a.shownKey, openingBalance: carried, postings: [], omitted: 0, failingIndex: nil,
          shortfall: excess, periodStart: period.start, periodEnd: period.end),
        date: period.end, discriminator: a.shownKey.joined(separator: "/") + "|" + period.id))
  }
}
