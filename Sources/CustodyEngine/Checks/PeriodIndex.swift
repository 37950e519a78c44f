import CustodyLanguage
import CustodyLedger
import CustodyValues

/// Accounting periods from a period table, per group (site), sorted by start.
final class PeriodIndex {
  struct Period {
    var group: Value
    var id: String
    var start: CivilDate
    var end: CivilDate
    var row: LedgerRow
  }
  let source: PeriodSource
  /// Periods per group, sorted by start then line.
  private(set) var byGroup: [Value: [Period]] = [:]
  /// Rows with a null or unreadable group, start or end.
  private(set) var unusable: [LedgerRow] = []
  /// The same periods as day numbers in flat arrays (group g's are `spanStart[g]..<spanStart[g
  /// + 1]`), for the per-row count: no dictionary, no `Period` copied.
  // `let`, built in init: a probe through a `var` struct property copied the struct (a
  // retain and release of each of its arrays) on every row.
  private let groupIndex: ValueIndex
  private let spanStart: [Int]
  private let startDays: [Int32]
  private let endDays: [Int32]
  private let flat: [Period]

  init(source: PeriodSource, rows: [LedgerRow]) {
    self.source = source
    for row in rows {
      let g = LookupIndex.normalize(row[source.group])
      guard !g.isNull, let s = row[source.start].asDate, let e = row[source.end].asDate else {
        unusable.append(row)
        continue
      }
      let id = source.id.map { Messages.show(row[$0]) } ?? "\(s)..\(e)"
      byGroup[g, default: []].append(Period(group: g, id: id, start: s, end: e, row: row))
    }
    for (g, list) in byGroup {
      byGroup[g] = list.sorted { ($0.start, $0.row.line) < ($1.start, $1.row.line) }
    }
    var groupIndex = ValueIndex()
    var spanStart = [0]
    var startDays: [Int32] = []
    var endDays: [Int32] = []
    var flat: [Period] = []
    for (g, list) in byGroup {
      _ = groupIndex.findOrInsert(g, spanStart.count - 1)
      startDays += list.map(\.start.dayNumber)
      endDays += list.map(\.end.dayNumber)
      flat += list
      spanStart.append(startDays.count)
    }
    (self.groupIndex, self.spanStart, self.startDays, self.endDays, self.flat) = (
      groupIndex, spanStart, startDays, endDays, flat
    )
  }

  /// Visits the flat index of every period of `group` covering `date` (both ends included),
  /// latest start first. Sorted by start: binary-search the last start <= date, then scan
  /// back for overlaps.
  @inline(__always)
  private func visitCovering(_ group: Value, _ date: CivilDate, _ visit: (Int) -> Void) {
    guard let g = groupIndex.find(LookupIndex.normalize(group)) else { return }
    let d = date.dayNumber
    let first = spanStart[g]
    var lo = first
    var hi = spanStart[g + 1]
    while lo < hi {
      let mid = (lo + hi) / 2
      if startDays[mid] <= d { lo = mid + 1 } else { hi = mid }
    }
    var i = lo - 1
    while i >= first {
      if endDays[i] >= d { visit(i) }
      i -= 1
    }
  }

  /// How many periods `covering` would return, without building the list (the per-row path).
  func coveringCount(_ group: Value, _ date: CivilDate) -> Int {
    var count = 0
    visitCovering(group, date) { _ in count += 1 }
    return count
  }

  /// Every period of `group` whose days (both ends included) cover `date`, by start.
  func covering(_ group: Value, _ date: CivilDate) -> [Period] {
    var out: [Period] = []
    visitCovering(group, date) { out.append(flat[$0]) }
    return out.reversed()
  }

  /// The earliest-starting period of `group` covering `date`: `covering(group, date).first`
  /// without building the list (the aggregate check's per-row path).
  func firstCovering(_ group: Value, _ date: CivilDate) -> Period? {
    var found: Int?
    visitCovering(group, date) { found = $0 }  // latest start first: the last is the earliest
    return found.map { flat[$0] }
  }

  /// Groups in a deterministic order.
  var groups: [Value] { byGroup.keys.sorted(by: Value.orderedBefore) }
}
