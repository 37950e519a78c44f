import CustodyLanguage
import CustodyLedger
import CustodyValues

/// A reference table held in memory and indexed by key: `table[key]` and `table[key @ date]`.
///
/// Rows are grouped by their key values (hash); each group is sorted by the start of its
/// validity window, so a dated lookup scans a short sorted list. Both window ends are included;
/// an empty end is open.
public final class LookupIndex: @unchecked Sendable {
  // Immutable after init.
  public let table: String
  public let rows: [LedgerRow]
  /// Column indices matched by `table[k1, k2]`, in order.
  public let keyColumns: [Int]
  /// Validity window columns, if the table has one.
  public let window: (from: Int?, to: Int?)?
  private var groups: [[Value]: [Int]] = [:]
  /// The same groups by the single key value, when there is one key column (the common case):
  /// a lookup then hashes one value and builds no key array.
  private var single: [Value: [Int]] = [:]

  public init(table: TableSchema, rows: [LedgerRow], keyColumns: [Int]? = nil) {
    self.table = table.name
    self.rows = rows
    self.window = table.validityColumns
    let windowColumns = [window?.from, window?.to].compactMap { $0 }
    self.keyColumns =
      keyColumns
      ?? table.key.compactMap { table.columnIndex($0) }.filter { !windowColumns.contains($0) }
    for (i, row) in rows.enumerated() {
      groups[self.keyColumns.map { LookupIndex.normalize(row[$0]) }, default: []].append(i)
    }
    if let window {
      for (key, list) in groups {
        groups[key] = list.sorted { a, b in
          let fa = window.from.flatMap { rows[a][$0].asDate }
          let fb = window.from.flatMap { rows[b][$0].asDate }
          if fa != fb { return (fa?.dayNumber ?? Int32.min) < (fb?.dayNumber ?? Int32.min) }
          return rows[a].line < rows[b].line
        }
      }
    }
    if self.keyColumns.count == 1 {
      for (key, list) in groups { single[key[0]] = list }
    }
  }

  /// `find([key], at:)` for a one-column key, without building a key array.
  public func find(one key: Value, at: CivilDate?) -> LedgerRow? {
    guard keyColumns.count == 1 else { return find([key], at: at) }
    guard let list = single[LookupIndex.normalize(key)] else { return nil }
    for i in list where at == nil || covers(rows[i], at!) { return rows[i] }
    return nil
  }

  /// An index on one column for `table[column = value]`: each row is filed under its cell, or,
  /// for a list cell, under each element. Groups keep file order (the first row in file order
  /// wins), whatever the window; the window only filters.
  public init(
    table: String, rows: [LedgerRow], window: (from: Int?, to: Int?)?, column: Int
  ) {
    self.table = table
    self.rows = rows
    self.window = window
    self.keyColumns = [column]
    for (i, row) in rows.enumerated() where column < row.values.count {
      switch row[column] {
      case .null: continue
      case .list(let items):
        var seen = Set<Value>()
        for item in items where item != .null && seen.insert(LookupIndex.normalize(item)).inserted {
          groups[[LookupIndex.normalize(item)], default: []].append(i)
        }
      case let v: groups[[LookupIndex.normalize(v)], default: []].append(i)
      }
    }
    // `find(one:at:)` reads `single`, as for one-column keys.
    for (key, list) in groups { single[key[0]] = list }
  }

  /// Integers and decimals that are equal must hash equal as keys.
  static func normalize(_ v: Value) -> Value {
    if case .integer(let i) = v { return .decimal(ExactDecimal(mantissa: Int128(i), scale: 0)) }
    return v
  }

  /// Rows whose key equals `key` (a prefix of the key columns), in window order.
  public func candidates(_ key: [Value]) -> [LedgerRow] {
    let k = key.map(LookupIndex.normalize)
    if k.count == keyColumns.count { return (groups[k] ?? []).map { rows[$0] } }
    // A shorter key matches on a prefix of the key columns (rare; linear).
    return rows.filter { row in
      zip(k, keyColumns).allSatisfy { LookupIndex.normalize(row[$0.1]) == $0.0 }
    }
  }

  /// Whether some row with key `key` (in `candidates` order), whose window covers `at` when
  /// given, satisfies `body`; stops at the first that does. Builds no arrays for full keys.
  /// Rows that do not satisfy `body` are evaluated in order, as a caller scanning
  /// `candidates(key)` would.
  public func firstMatch<E: Error>(
    _ key: [Value], at: CivilDate?, where body: (LedgerRow) throws(E) -> Bool
  ) throws(E) -> Bool {
    if key.count == keyColumns.count {
      let list: [Int]
      if key.count == 1 {
        guard let found = single[LookupIndex.normalize(key[0])] else { return false }
        list = found
      } else {
        let k =
          key.contains { if case .integer = $0 { true } else { false } }
          ? key.map(LookupIndex.normalize) : key
        guard let found = groups[k] else { return false }
        list = found
      }
      for i in list where at == nil || covers(rows[i], at!) {
        if try body(rows[i]) { return true }
      }
      return false
    }
    for row in candidates(key) where at == nil || covers(row, at!) {
      if try body(row) { return true }
    }
    return false
  }

  /// True when the row's validity window covers `date` (both ends included; empty ends open).
  public func covers(_ row: LedgerRow, _ date: CivilDate) -> Bool {
    guard let window else { return true }
    if let f = window.from, let from = row[f].asDate, date < from { return false }
    if let t = window.to, let to = row[t].asDate, to < date { return false }
    return true
  }

  /// The first row with this key (whose window covers `at`, when given), or nil.
  public func find(_ key: [Value], at: CivilDate?) -> LedgerRow? {
    if key.count == keyColumns.count {
      let k =
        key.contains { if case .integer = $0 { true } else { false } }
        ? key.map(LookupIndex.normalize) : key
      guard let list = groups[k] else { return nil }
      for i in list where at == nil || covers(rows[i], at!) { return rows[i] }
      return nil
    }
    let list = candidates(key)
    guard let at else { return list.first }
    return list.first { covers($0, at) }
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
