import CustodyLanguage
import CustodyLedger
import CustodyValues

/// A reference table held in memory and indexed by key: `table[key]` and `table[key @ date]`.
///
/// Rows are grouped by their key values (hash); each group is sorted by the start of its
/// validity window, so a dated lookup scans a short sorted list. Both window ends are included;
/// an empty end is open; a bound the ledger could not read (a cell error, a missing required
/// bound) covers no date. A lookup never guesses: when two rows cover the key and date it is
/// ambiguous (`Hit.ambiguous`), never the first of them.
public final class LookupIndex: Sendable {
  // Immutable after init.
  public let table: String
  /// The table's file (as the schema names it), for messages naming rows.
  public let file: String
  public let rows: [LedgerRow]
  /// Column indices matched by `table[k1, k2]`, in order.
  public let keyColumns: [Int]
  /// Validity window columns, if the table has one.
  public let window: (from: Int?, to: Int?)?
  /// Group id per one-column key value (`ValueIndex`: byte hash, no `Hasher` per probe) or per
  /// key array; a group's rows are `groupRows[groupStart[g]..<groupStart[g + 1]]`, flat, so a
  /// probe copies no array.
  // `let`, built in init: a probe through a `var` struct property of the class copied the
  // struct (a retain and release of each of its arrays) on every lookup.
  private let single: ValueIndex
  private let multi: [[Value]: Int]
  private let groupStart: [Int]
  private let groupRows: [Int]
  /// Each row's window as day numbers (open ends as the extremes): `covers` reads two integers.
  private let fromDay: [Int32]
  private let toDay: [Int32]

  /// Files rows under their keys while an index is built.
  fileprivate struct Builder {
    let columns: Int
    var single = ValueIndex()
    var multi: [[Value]: Int] = [:]
    var filed: [(row: Int32, group: Int32)] = []
    var groups = 0

    mutating func file(_ key: Value, row: Int) {
      let g = single.findOrInsert(key, groups).value
      add(g, row)
    }

    mutating func file(_ key: [Value], row: Int) {
      if columns == 1 { return file(key[0], row: row) }
      let g = multi[key] ?? groups
      if g == groups { multi[key] = g }
      add(g, row)
    }

    private mutating func add(_ g: Int, _ row: Int) {
      if g == groups { groups += 1 }
      filed.append((Int32(row), Int32(g)))
    }

    /// The groups laid out flat (a counting sort of `filed` by group, file order kept within
    /// a group): no array per group, which on a 700k-row documents table was 700k allocations.
    func flatten() -> (start: [Int], rows: [Int]) {
      var start = [Int](repeating: 0, count: groups + 1)
      for f in filed { start[Int(f.group) + 1] += 1 }
      for g in 0..<groups { start[g + 1] += start[g] }
      var next = start
      var flat = [Int](repeating: 0, count: filed.count)
      for f in filed {
        flat[next[Int(f.group)]] = Int(f.row)
        next[Int(f.group)] += 1
      }
      return (start, flat)
    }
  }

  private static func windows(_ rows: [LedgerRow], _ window: (from: Int?, to: Int?)?) -> (
    [Int32], [Int32]
  ) {
    var (from, to): ([Int32], [Int32]) = ([], [])
    for r in rows {
      let (f, t) = bounds(r, window)
      from.append(f)
      to.append(t)
    }
    return (from, to)
  }

  /// A row's window as day numbers: an empty end open; an unreadable bound (a cell error,
  /// which a missing required bound also is) covers no date at all.
  fileprivate static func bounds(_ row: borrowing LedgerRow, _ window: (from: Int?, to: Int?)?)
    -> (Int32, Int32)
  {
    guard let window else { return (Int32.min, Int32.max) }
    if !row.invalidColumns.isEmpty,
      row.invalidColumns.contains(where: { $0 == window.from || $0 == window.to })
    {
      return (Int32.max, Int32.min)
    }
    return (
      window.from.flatMap { row[$0].asDate?.dayNumber } ?? Int32.min,
      window.to.flatMap { row[$0].asDate?.dayNumber } ?? Int32.max
    )
  }

  /// Files a table's rows under their keys one by one, as they are read: the engine files a
  /// reference table's rows while the next batch is read on another thread (reading and
  /// indexing the 708k-row documents table of the 10M ledger one after the other took
  /// 0.55 + 0.28 s before the streaming could start). `LookupIndex(filing, rows:)` then lays
  /// the groups out.
  struct Filing {
    let table: String
    let file: String
    let keyColumns: [Int]
    let window: (from: Int?, to: Int?)?
    fileprivate var builder: Builder
    fileprivate var fromDay: [Int32] = []
    fileprivate var toDay: [Int32] = []

    init(table: TableSchema, keyColumns: [Int]? = nil) {
      self.table = table.name
      self.file = table.file
      let window = table.validityColumns
      self.window = window
      let windowColumns = [window?.from, window?.to].compactMap { $0 }
      let keyColumns =
        keyColumns
        ?? table.key.compactMap { table.columnIndex($0) }.filter { !windowColumns.contains($0) }
      self.keyColumns = keyColumns
      builder = Builder(columns: keyColumns.count)
    }

    /// Files the table's next row (rows are numbered in the order they are filed).
    mutating func file(_ row: borrowing LedgerRow) {
      let i = fromDay.count
      let (from, to) = LookupIndex.bounds(row, window)
      fromDay.append(from)
      toDay.append(to)
      if keyColumns.count == 1 {
        builder.file(LookupIndex.normalize(row[keyColumns[0]]), row: i)
      } else {
        builder.file(keyColumns.map { LookupIndex.normalize(row[$0]) }, row: i)
      }
    }
  }

  public convenience init(table: TableSchema, rows: [LedgerRow], keyColumns: [Int]? = nil) {
    var filing = Filing(table: table, keyColumns: keyColumns)
    filing.builder.filed.reserveCapacity(rows.count)
    for row in rows { filing.file(row) }
    self.init(filing, rows: rows)
  }

  /// The index of `rows`, every one of them filed in order by `filing`.
  init(_ filing: Filing, rows: [LedgerRow]) {
    precondition(filing.fromDay.count == rows.count, "every row is filed once")
    self.table = filing.table
    self.file = filing.file
    self.rows = rows
    let window = filing.window
    self.window = window
    self.keyColumns = filing.keyColumns
    let (fromDay, toDay) = (filing.fromDay, filing.toDay)
    let b = filing.builder
    var (groupStart, groupRows) = b.flatten()
    if window != nil {
      // By window start (open start first), then file order.
      for g in 0..<b.groups {
        groupRows[groupStart[g]..<groupStart[g + 1]].sort { a, c in
          fromDay[a] != fromDay[c] ? fromDay[a] < fromDay[c] : rows[a].line < rows[c].line
        }
      }
    }
    (self.single, self.multi, self.groupStart, self.groupRows) = (
      b.single, b.multi, groupStart, groupRows
    )
    (self.fromDay, self.toDay) = (fromDay, toDay)
  }

  /// An index on one column for `table[column = value]`: each row is filed under its cell, or,
  /// for a list cell, under each element. Groups keep file order (the first row in file order
  /// wins), whatever the window; the window only filters.
  public init(
    table: String, file: String = "", rows: [LedgerRow], window: (from: Int?, to: Int?)?,
    column: Int
  ) {
    self.table = table
    self.file = file
    self.rows = rows
    self.window = window
    self.keyColumns = [column]
    var b = Builder(columns: 1)
    for (i, row) in rows.enumerated() where column < row.values.count {
      switch row[column] {
      case .null: continue
      case .list(let items):
        var seen = Set<Value>()
        for item in items where item != .null && seen.insert(LookupIndex.normalize(item)).inserted {
          b.file(LookupIndex.normalize(item), row: i)
        }
      case let v: b.file(LookupIndex.normalize(v), row: i)
      }
    }
    (self.fromDay, self.toDay) = LookupIndex.windows(rows, window)
    (self.groupStart, self.groupRows) = b.flatten()
    (self.single, self.multi) = (b.single, b.multi)
  }

  /// Integers and decimals that are equal must hash equal as keys.
  static func normalize(_ v: Value) -> Value {
    if case .integer(let i) = v { return .decimal(ExactDecimal(mantissa: Int128(i), scale: 0)) }
    return v
  }

  /// The group of a full key, if any row has it.
  @inline(__always) private func groupOf(one key: Value) -> Int? {
    single.find(LookupIndex.normalize(key))
  }

  private func groupOf(_ key: [Value]) -> Int? {
    if key.count == 1, keyColumns.count == 1 { return groupOf(one: key[0]) }
    let k =
      key.contains { if case .integer = $0 { true } else { false } }
      ? key.map(LookupIndex.normalize) : key
    return multi[k]
  }

  /// True when row `i`'s validity window covers `date` (both ends included; empty ends open).
  @inline(__always) public func covers(row i: Int, _ date: CivilDate) -> Bool {
    let d = date.dayNumber
    return fromDay[i] <= d && d <= toDay[i]
  }

  /// Whether some row of group `g` (in window order) covering `at` satisfies `body`.
  @inline(__always) private func scan<E: Error>(
    _ g: Int, at: CivilDate?, _ body: (Int) throws(E) -> Bool
  ) throws(E) -> Bool {
    for j in groupStart[g]..<groupStart[g + 1] {
      let i = groupRows[j]
      if at == nil || covers(row: i, at!), try body(i) { return true }
    }
    return false
  }

  /// What a lookup found: no row, one row, or more than one (the first two, in window order):
  /// an ambiguous lookup, which the caller reports and never resolves by picking one.
  public enum Hit: Sendable, Equatable {
    case none
    case one(Int)
    case ambiguous(Int, Int)
    /// No row, or one, covers the date, but row `Int` of the key has an unreadable validity
    /// bound: it might cover the date too, so the lookup cannot be decided.
    case undecidable(Int)

    /// Adds row `i` to what was found so far.
    @inline(__always) mutating func add(_ i: Int) -> Bool {
      switch self {
      case .none:
        self = .one(i)
        return false
      case .one(let a):
        self = .ambiguous(a, i)
        return true
      case .ambiguous, .undecidable: return true
      }
    }
  }

  /// The rows of group `g` whose window covers `at` (every row when nil), up to two.
  @inline(__always) private func hit(in g: Int, at: CivilDate?) -> Hit {
    var hit = Hit.none
    _ = scan(g, at: at) { (i: Int) -> Bool in hit.add(i) }
    if at != nil, window != nil {
      switch hit {
      case .none, .one:
        for j in groupStart[g]..<groupStart[g + 1] where unreadableWindow(groupRows[j]) {
          return .undecidable(groupRows[j])
        }
      case .ambiguous, .undecidable: break
      }
    }
    return hit
  }

  /// Whether row `i`'s validity window had an unreadable bound (it covers no date).
  @inline(__always) private func unreadableWindow(_ i: Int) -> Bool {
    fromDay[i] == Int32.max && toDay[i] == Int32.min
  }

  /// `conversion_factors.csv:4 has an unreadable validity bound`: the message of an
  /// undecidable lookup.
  public func undecidable(_ i: Int) -> String {
    "\(file.isEmpty ? table : file):\(rows[i].line) has an unreadable validity bound"
  }

  /// The rows with this one-column key whose window covers `at`.
  public func find(one key: Value, at: CivilDate?) -> Hit {
    guard keyColumns.count == 1 else { return find([key], at: at) }
    guard let g = groupOf(one: key) else { return .none }
    return hit(in: g, at: at)
  }

  /// The rows with this key (whose window covers `at`, when given).
  public func find(_ key: [Value], at: CivilDate?) -> Hit {
    if key.count == keyColumns.count {
      guard let g = groupOf(key) else { return .none }
      return hit(in: g, at: at)
    }
    var hit = Hit.none
    for i in candidateIndices(key) where at == nil || covers(row: i, at!) {
      if hit.add(i) { break }
    }
    return hit
  }

  /// `suppliers.csv:12 and :31 both cover 2025-03-03`: the message of an ambiguous lookup.
  public func ambiguity(_ a: Int, _ b: Int, at: CivilDate?) -> String {
    let name = file.isEmpty ? table : file
    let (x, y) = (rows[a].line, rows[b].line)
    let lines = "\(name):\(min(x, y)) and :\(max(x, y))"
    return at.map { "\(lines) both cover \($0)" } ?? "\(lines) both match"
  }

  /// Row indices whose key equals `key` (a prefix of the key columns), in window order.
  public func candidateIndices(_ key: [Value]) -> [Int] {
    if key.count == keyColumns.count {
      guard let g = groupOf(key) else { return [] }
      return Array(groupRows[groupStart[g]..<groupStart[g + 1]])
    }
    // A shorter key matches on a prefix of the key columns (rare; linear).
    let k = key.map(LookupIndex.normalize)
    return rows.indices.filter { i in
      zip(k, keyColumns).allSatisfy { LookupIndex.normalize(rows[i][$0.1]) == $0.0 }
    }
  }
}

extension TableSchema {
  /// The validity window columns (`valid: [from, to]` in the schema), both ends included.
  public var validityColumns: (from: Int?, to: Int?)? {
    let from = validFrom.flatMap(columnIndex)
    let to = validTo.flatMap(columnIndex)
    return from == nil && to == nil ? nil : (from, to)
  }
}
