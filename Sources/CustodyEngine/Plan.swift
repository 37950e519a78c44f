import CustodyLanguage
import CustodyValues

/// What a check reads, worked out from its compiled spec before any row is read.
struct CheckReads {
  /// Row-scope expressions per table they are evaluated on.
  var expressions: [String: [ExprNode]] = [:]
  /// Tables that must be in memory first: lookups, reference targets, period tables.
  var indexed: Set<String> = []
  var periodSources: [PeriodSource] = []

  init(_ instance: RuleInstance) {
    func add(_ table: String, _ nodes: [ExprNode?]) {
      expressions[table, default: []] += nodes.compactMap { $0 }
    }
    func period(_ p: PeriodSource?) {
      guard let p else { return }
      indexed.insert(p.table)
      periodSources.append(p)
    }
    switch instance.check {
    case .row(let s): add(s.table, [s.filter, s.assertion])
    case .unique(let s): for src in s.sources { add(src.table, [src.filter] + src.key) }
    case .reference(let s):
      add(s.table, [s.filter, s.at, s.condition] + s.key)
      indexed.insert(s.target)
    case .aggregate(let s):
      add(
        s.table,
        [s.filter, s.periodGroup, s.periodDate] + s.groupBy.map(\.expr) + s.compute.map(\.argument))
      for a in s.also {
        add(
          a.table, [a.filter, a.periodGroup, a.periodDate] + a.groupBy + a.compute.map(\.argument))
      }
      period(s.periods)
      s.assertion.collectLookupTables(into: &indexed)
    case .periodCoverage(let s):
      for e in s.entries { add(e.table, [e.filter, e.group, e.date]) }
      period(s.periods)
    case .massBalance(let s):
      let b = s.book
      for src in b.credits + b.debits + b.inputTotals + b.outputTotals
        + (b.opening.map { [$0] } ?? [])
      {
        add(src.table, [src.filter, src.date, src.amount] + src.account)
      }
      for t in b.transfers { add(t.table, [t.filter, t.date, t.amount] + t.from + t.to) }
      period(s.periods)
    }
    for nodes in expressions.values {
      for n in nodes { n.collectLookupTables(into: &indexed) }
    }
    for part in instance.message?.parts ?? [] {
      if case .expression(let e) = part { e.collectLookupTables(into: &indexed) }
    }
  }

  /// Row columns read per table (for mapping unreadable cells to the rules they block).
  var columns: [String: Set<Int>] {
    expressions.mapValues { nodes in
      var set = Set<Int>()
      for n in nodes { n.collectRowColumns(into: &set) }
      return set
    }
  }
}
