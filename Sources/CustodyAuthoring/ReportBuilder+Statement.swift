import CustodyEngine
import CustodyReports
import CustodyValues

extension ReportBuilder {
  /// The engine's statements as the report's (exact decimal strings); nil when no book ran.
  static func statement(_ r: EvaluationResult) -> [Report.StatementBook]? {
    guard !r.statements.isEmpty else { return nil }
    func d(_ x: ExactDecimal) -> String { x.canonicalDescription }
    func period(_ p: StatementPeriod) -> Report.StatementBook.Period {
      .init(id: p.id, start: p.start.description, end: p.end.description)
    }
    return r.statements.map { s in
      var book = Report.StatementBook(
        book: s.book, rule: s.rule, accountKey: s.accountKey, lifetimeMonths: s.lifetimeMonths,
        periodsTable: s.periodsTable,
        accounts: s.accounts.map { a in
          Report.StatementBook.Account(
            account: a.account,
            periods: a.periods.map { l in
              Report.StatementBook.Lines(
                period: period(l.period), opening: d(l.opening), credits: d(l.credits),
                creditedCopper: l.creditedCopper.map(d), factors: l.factors.map(d),
                debits: d(l.debits), transfersIn: d(l.transfersIn),
                transfersOut: d(l.transfersOut), transfersRefused: d(l.transfersRefused),
                expired: d(l.expired), closing: d(l.closing))
            },
            closingLots: a.closingLots.map {
              .init(
                created: $0.created.description, expires: $0.expires?.description,
                remaining: d($0.remaining))
            }, deficit: d(a.deficit))
        },
        physical: s.physical.map {
          .init(
            site: $0.site, period: period($0.period), copperIn: d($0.copperIn),
            copperOut: d($0.copperOut))
        })
      book.physicalRowsUnread = s.physicalRowsUnread > 0 ? s.physicalRowsUnread : nil
      return book
    }
  }
}
