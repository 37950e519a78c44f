import CustodyLanguage
import CustodyValues

/// The percentage method (ASI CoC Part 8): per account and accounting period,
/// `claimed <= carried + output_total x credited / input_total`, where `credited` sums the
/// book's credits, `input_total` its `input_totals`, `output_total` its `output_totals` and
/// `claimed` its debits in the period. The unclaimed allowance is carried forward to the next
/// period of the account; a failing period carries nothing.
struct PercentageMode {
  let check: MassBalanceCheck

  struct Tally {
    var credited: ExactDecimal = .zero
    var inputs: ExactDecimal = .zero
    var outputs: ExactDecimal = .zero
    var claimed: ExactDecimal = .zero
    /// The debits, as indexes into the postings.
    var claims: [Int] = []
  }

  /// Judges `postings` (in replay order), skipping those `excluded` flags.
  func judge(_ postings: [RawPosting], excluded: [Bool], out: RuleOutput) {
    guard let source = check.spec.periods, let periods = check.run.periodIndexes[source] else {
      out.forcedStatus = .error
      out.firstError = "percentage mode needs `periods:`"
      return
    }
    // account id -> period index -> tally
    var tallies: [Int32: [Int: Tally]] = [:]
    do {
      for (i, p) in postings.enumerated() where !excluded[i] {
        guard let site = check.collector.accountKeys[Int(p.account)].first,
          let list = periods.byGroup[LookupIndex.normalize(site)],
          let index = list.firstIndex(where: { $0.start <= p.date && p.date <= $0.end })
        else {
          out.counts.skippedRows += 1
          continue
        }
        out.counts.evaluated += 1
        let a = check.account(p.account)
        let amount = check.collector.amount(of: p)
        // In place: a copied tally would copy its claims on every append.
        try PercentageMode.add(
          p, amount, i, to: &tallies[a.id, default: [:]][index, default: Tally()])
        switch p.role {
        case .credit, .opening: a.credits = try a.credits.adding(amount)
        case .debit: a.debits = try a.debits.adding(amount)
        case .inputTotal, .outputTotal, .transfer: break
        }
      }
      for a in MassBalanceCheck.sorted(check.accounts.compactMap { $0 }) {
        guard let site = a.key.first, let list = periods.byGroup[LookupIndex.normalize(site)],
          let byPeriod = tallies[a.id]
        else { continue }
        var carried = ExactDecimal.zero
        for index in byPeriod.keys.sorted() {
          guard let t = byPeriod[index] else { continue }
          let period = list[index]
          let share = t.inputs.isZero ? ExactDecimal.zero : try t.credited.divided(by: t.inputs)
          let allowed = try carried.adding(try t.outputs.multiplied(by: share))
          let excess = try t.claimed.subtracting(allowed)
          if excess > check.spec.tolerance.magnitude, check.inWindow(period.end) {
            emit(a, period, t, postings, share, carried, excess, out)
            carried = .zero
          } else {
            carried = max(.zero, try allowed.subtracting(t.claimed))
          }
          a.balance = carried
        }
      }
    } catch {
      out.forcedStatus = .error
      out.firstError = "\(error)"
    }
  }

  private static func add(
    _ p: RawPosting, _ amount: ExactDecimal, _ i: Int, to t: inout Tally
  ) throws(ExactDecimal
    .ArithmeticError)
  {
    switch p.role {
    case .credit, .opening: t.credited = try t.credited.adding(amount)
    case .inputTotal: t.inputs = try t.inputs.adding(amount)
    case .outputTotal: t.outputs = try t.outputs.adding(amount)
    case .debit:
      t.claimed = try t.claimed.adding(amount)
      t.claims.append(i)
    case .transfer: break
    }
  }

  private func emit(
    _ a: Account, _ period: PeriodIndex.Period, _ t: Tally, _ postings: [RawPosting],
    _ share: ExactDecimal,
    _ carried: ExactDecimal, _ excess: ExactDecimal, _ out: RuleOutput
  ) {
    let claimedShare =
      t.outputs.isZero ? ExactDecimal.zero : ((try? t.claimed.divided(by: t.outputs)) ?? .zero)
    let evidence = t.claims.prefix(check.run.options.evidenceLimit).map { i in
      let p = postings[i]
      return EvidenceRow(
        table: check.collector.source(of: p).table, file: "", line: p.line, entryID: p.entryID,
        column: "amount",
        value: check.collector.amount(of: p).description)
    }
    for i in t.claims {
      let p = postings[i]
      out.markFailing(check.collector.source(of: p).table, p.line)
    }
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
        location: check.instance.span, evidence: evidence, evidenceTotal: t.claims.count,
        balance: BalanceSlice(
          account: a.shownKey, openingBalance: carried, postings: [], omitted: 0, failingIndex: nil,
          shortfall: excess, periodStart: period.start, periodEnd: period.end),
        date: period.end, discriminator: a.shownKey.joined(separator: "/") + "|" + period.id))
  }
}
