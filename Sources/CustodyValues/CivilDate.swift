#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A calendar date without a time zone (ledger dates are site-local days).
///
/// Stored as days since 1970-01-01 so comparison and day arithmetic are integer operations.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
  public var dayNumber: Int32

  public init(dayNumber: Int32) { self.dayNumber = dayNumber }

  /// Today in UTC: the default `--as-of` of validate and verify.
  public static var today: CivilDate {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return CivilDate(dayNumber: Int32(now.tv_sec / 86_400))
  }

  /// nil when the date does not exist (2023-02-30) or the year is outside 1..9999.
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...CivilDate.daysInMonth(year: year, month: month)).contains(day)
    else { return nil }
    dayNumber = Int32(CivilDate.daysFromCivil(year, month, day))
  }

  public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  // Howard Hinnant's days_from_civil / civil_from_days.
  static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  public var components: (year: Int, month: Int, day: Int) {
    let z = Int(dayNumber) + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
  }

  public var year: Int { components.year }
  public var month: Int { components.month }
  public var day: Int { components.day }
  public var quarter: Int { (components.month - 1) / 3 + 1 }

  /// The first and last dates custody handles (years 1-9999, as `init(year:month:day:)`).
  public static let earliest = CivilDate(year: 1, month: 1, day: 1)!
  public static let latest = CivilDate(year: 9999, month: 12, day: 31)!

  /// `self` plus `days`; nil when the result leaves years 1-9999 (never traps, for any Int).
  public func adding(days: Int) -> CivilDate? {
    let (sum, overflow) = Int(dayNumber).addingReportingOverflow(days)
    guard !overflow,
      (Int(CivilDate.earliest.dayNumber)...Int(CivilDate.latest.dayNumber))
        .contains(sum)
    else { return nil }
    return CivilDate(dayNumber: Int32(sum))
  }

  /// Calendar-month arithmetic: 2024-01-31 + 1 month = 2024-02-29 (clamped to the month's end);
  /// negative months go back (2024-03-31 - 1 month = 2024-02-29). nil when the result leaves
  /// years 1-9999 (never traps, for any Int).
  public func adding(months: Int) -> CivilDate? {
    let (y, m, d) = components
    let (total, overflow) = (y * 12 + (m - 1)).addingReportingOverflow(months)
    guard !overflow else { return nil }
    // Floor division: month -1 of year y is December of year y-1.
    let ny = total >= 0 ? total / 12 : (total - 11) / 12
    let nm = total - ny * 12 + 1
    guard (1...9999).contains(ny) else { return nil }
    return CivilDate(year: ny, month: nm, day: min(d, CivilDate.daysInMonth(year: ny, month: nm)))
  }

  /// `adding(days:)`, clamped to `earliest...latest` (for callers whose offsets are small by
  /// construction: sample data, period bounds). Expressions and books use the checked form.
  public func addingDays(_ days: Int) -> CivilDate {
    adding(days: days) ?? (days < 0 ? CivilDate.earliest : CivilDate.latest)
  }

  /// `adding(months:)`, clamped to `earliest...latest`.
  public func addingMonths(_ months: Int) -> CivilDate {
    adding(months: months) ?? (months < 0 ? CivilDate.earliest : CivilDate.latest)
  }

  /// Days from `self` to `other` (positive when `other` is later).
  public func days(to other: CivilDate) -> Int { Int(other.dayNumber - dayNumber) }

  public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }

  /// ISO 8601 `YYYY-MM-DD`.
  public var description: String {
    let (y, m, d) = components
    func pad(_ v: Int, _ n: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, n - s.count)) + s
    }
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
  }

  /// Strict `YYYY-MM-DD`.
  public static func parseISO(_ text: some StringProtocol) -> CivilDate? {
    let b = Array(text.utf8)
    return b.withUnsafeBufferPointer { parseISO(bytes: $0) }
  }

  /// Byte-level strict `YYYY-MM-DD` parser for the CSV hot loop.
  public static func parseISO(bytes b: UnsafeBufferPointer<UInt8>) -> CivilDate? {
    guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
    func num(_ range: Range<Int>) -> Int? {
      var v = 0
      for i in range {
        let c = b[i]
        guard c >= 48 && c <= 57 else { return nil }
        v = v * 10 + Int(c - 48)
      }
      return v
    }
    guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
    return CivilDate(year: y, month: m, day: d)
  }

  /// Parses a date in a pattern made of `yyyy`, `MM`, `dd` and literal separators
  /// (`dd.MM.yyyy`, `MM/dd/yyyy`, `yyyyMMdd`), as mapping profiles declare.
  public static func parse(_ text: some StringProtocol, format: String) -> CivilDate? {
    if format == "yyyy-MM-dd" { return parseISO(text) }
    let t = Array(text.unicodeScalars)
    let f = Array(format.unicodeScalars)
    var year: Int?
    var month: Int?
    var day: Int?
    var i = 0
    var j = 0
    while j < f.count {
      func field(_ letter: Unicode.Scalar, _ width: Int) -> Int? {
        guard i + width <= t.count else { return nil }
        var v = 0
        for k in i..<(i + width) {
          guard let digit = t[k].properties.numericType == .decimal ? Int(String(t[k])) : nil
          else { return nil }
          v = v * 10 + digit
        }
        i += width
        return v
      }
      if f[j...].starts(with: "yyyy".unicodeScalars) {
        year = field("y", 4)
        if year == nil { return nil }
        j += 4
      } else if f[j...].starts(with: "MM".unicodeScalars) {
        month = field("M", 2)
        if month == nil { return nil }
        j += 2
      } else if f[j...].starts(with: "dd".unicodeScalars) {
        day = field("d", 2)
        if day == nil { return nil }
        j += 2
      } else {
        guard i < t.count, t[i] == f[j] else { return nil }
        i += 1
        j += 1
      }
    }
    guard i == t.count, let y = year, let m = month, let d = day else { return nil }
    return CivilDate(year: y, month: m, day: d)
  }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let date = CivilDate.parseISO(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
    }
    self = date
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
