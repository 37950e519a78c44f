import Foundation

/// A reporting period as submissions name it (`2025`, `2025-H2`, `2025-Q1`, `2025-03`), with
/// the arithmetic the timeline and the overdue list need.
struct ReportingPeriod: Hashable, Comparable, Sendable {
  enum Kind: Int, Sendable {
    // Periods per year.
    case year = 1, half = 2, quarter = 4, month = 12
  }
  var kind: Kind
  var year: Int
  /// 1-based within the year.
  var index: Int

  /// Days after a period ends before a missing submission for it is overdue.
  static let dueAfterDays = 90

  init(kind: Kind, year: Int, index: Int) {
    self.kind = kind
    self.year = year
    self.index = index
  }

  init?(_ text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard let first = parts.first, first.count == 4, let year = Int(first), year >= 1 else {
      return nil
    }
    self.year = year
    if parts.count == 1 {
      kind = .year
      index = 1
      return
    }
    guard parts.count == 2 else { return nil }
    let tail = parts[1]
    if tail.hasPrefix("Q"), let q = Int(tail.dropFirst()), (1...4).contains(q), tail.count == 2 {
      kind = .quarter
      index = q
    } else if tail.hasPrefix("H"), let h = Int(tail.dropFirst()), (1...2).contains(h),
      tail.count == 2
    {
      kind = .half
      index = h
    } else if tail.count == 2, let m = Int(tail), (1...12).contains(m) {
      kind = .month
      index = m
    } else {
      return nil
    }
  }

  var label: String {
    switch kind {
    case .year: String(format: "%04d", year)
    case .half: String(format: "%04d-H%d", year, index)
    case .quarter: String(format: "%04d-Q%d", year, index)
    case .month: String(format: "%04d-%02d", year, index)
    }
  }

  /// Months in the period.
  private var months: Int { 12 / kind.rawValue }

  /// First month (1-12) of the period.
  private var firstMonth: Int { (index - 1) * months + 1 }

  /// Periods since year 0 of this kind: consecutive periods differ by one.
  var ordinal: Int { year * kind.rawValue + index - 1 }

  init(kind: Kind, ordinal: Int) {
    self.kind = kind
    year = ordinal / kind.rawValue
    index = ordinal % kind.rawValue + 1
  }

  /// The first day after the period, UTC.
  var end: Date {
    var month = firstMonth + months
    var year = self.year
    if month > 12 {
      month -= 12
      year += 1
    }
    return Self.calendar.date(from: DateComponents(year: year, month: month, day: 1))
      ?? .distantFuture
  }

  var start: Date {
    Self.calendar.date(from: DateComponents(year: year, month: firstMonth, day: 1)) ?? .distantPast
  }

  /// The day from which a missing submission for this period is overdue.
  var due: Date { end.addingTimeInterval(Double(Self.dueAfterDays) * 86_400) }

  static func < (a: ReportingPeriod, b: ReportingPeriod) -> Bool {
    if a.start != b.start { return a.start < b.start }
    return a.kind.rawValue < b.kind.rawValue
  }

  static let calendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }()

  /// The timeline of an organisation: every submitted period, plus every period of the kind
  /// it submitted last between its first submission of that kind and the last period already
  /// due. `overdue` are the missing ones past their due date. Bounded to the last 60 periods
  /// of that kind, so a submission for year 0001 cannot make a page of thousands.
  static func timeline(submitted: [(period: String, at: String)], today: Date) -> (
    periods: [ReportingPeriod], overdue: [ReportingPeriod]
  ) {
    let parsed = submitted.compactMap { item in
      ReportingPeriod(item.period).map { (period: $0, at: item.at) }
    }
    var all = Set(parsed.map(\.period))
    guard let latest = parsed.max(by: { $0.at < $1.at })?.period else { return ([], []) }
    let kind = latest.kind
    let ofKind = parsed.map(\.period).filter { $0.kind == kind }
    let first = ofKind.map(\.ordinal).min() ?? latest.ordinal
    var lastDue = latest.ordinal
    var probe = ReportingPeriod(kind: kind, ordinal: lastDue + 1)
    while probe.due <= today, probe.ordinal - first < 10_000 {
      lastDue = probe.ordinal
      probe = ReportingPeriod(kind: kind, ordinal: lastDue + 1)
    }
    let last = max(lastDue, ofKind.map(\.ordinal).max() ?? lastDue)
    let from = max(first, last - 59)
    var overdue: [ReportingPeriod] = []
    if from <= last {
      for ordinal in from...last {
        let period = ReportingPeriod(kind: kind, ordinal: ordinal)
        if !all.contains(period) {
          all.insert(period)
          if period.due <= today { overdue.append(period) }
        }
      }
    }
    return (all.sorted(), overdue)
  }
}
