import CustodyValues

/// The distinct account keys of a book, as written, each with an id, and the account each
/// belongs to. Keys equal under `Value ==` but spelled differently (`1.0` and `1.00`, NFC
/// variants) get their own id and share one account, so a replay can show the spelling it
/// meets first, as when accounts were keyed by `[Value]` directly.
///
/// Looked up once per posting: an open-addressing table over a seeded hash of the key
/// (no `Hasher`, no key array kept), verified with `same`; the `==` dictionary is consulted
/// only when a new spelling appears.
struct AccountKeyTable {
  /// Keys by id, as written.
  private(set) var keys: [[Value]] = []
  /// The account of each key id (below `accountCount`).
  private(set) var accountOf: [Int32] = []
  private var hashes: [Int] = []
  private var slots = [Int32](repeating: -1, count: 64)
  private var spellings: [[Int32]] = []
  private var accounts: [[Value]: Int32] = [:]

  var accountCount: Int { spellings.count }

  /// The id of `key`'s spelling, added when new.
  mutating func id(of key: [Value]) -> Int32 {
    let h = AccountKeyTable.hash(key)
    let mask = slots.count - 1
    var i = h & mask
    while slots[i] >= 0 {
      let id = slots[i]
      if hashes[Int(id)] == h, AccountKeyTable.same(keys[Int(id)], key) { return id }
      i = (i + 1) & mask
    }
    return insert(key, hash: h)
  }

  private mutating func insert(_ key: [Value], hash h: Int) -> Int32 {
    let account: Int32
    if let known = accounts[key] {
      account = known
    } else {
      account = Int32(spellings.count)
      spellings.append([])
      accounts[key] = account
    }
    let id = Int32(keys.count)
    keys.append(key)
    hashes.append(h)
    accountOf.append(account)
    spellings[Int(account)].append(id)
    if keys.count * 2 > slots.count {
      slots = [Int32](repeating: -1, count: slots.count * 2)
      for (k, kh) in hashes.enumerated() { place(Int32(k), kh) }
    } else {
      place(id, h)
    }
    return id
  }

  private mutating func place(_ id: Int32, _ h: Int) {
    let mask = slots.count - 1
    var i = h & mask
    while slots[i] >= 0 { i = (i + 1) & mask }
    slots[i] = id
  }

  /// Keys that are `same` (or merely `==`) hash alike.
  /// Seeded per process (`ValueHash`), so a hostile ledger cannot choose account keys that
  /// collide in advance and make every lookup scan.
  static func hash(_ key: [Value]) -> Int {
    var h: UInt64 = ValueHash.seed
    for v in key {
      h = (h ^ ValueHash.hash(v)) &* 0x9E37_79B9_7F4A_7C15
      h ^= h >> 29
    }
    return Int(truncatingIfNeeded: h ^ (h >> 31))
  }

  /// Equal and spelled the same (`==` alone equates `1.0` and `1.00`, or NFC variants).
  static func same(_ a: [Value], _ b: [Value]) -> Bool {
    guard a.count == b.count else { return false }
    for i in a.indices where !same(a[i], b[i]) { return false }
    return true
  }

  private static func same(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): ValueHash.identical(x, y) || x.utf8.elementsEqual(y.utf8)
    case (.decimal(let x), .decimal(let y)): x.mantissa == y.mantissa && x.scale == y.scale
    case (.list(let x), .list(let y)): same(x, y)
    default: a == b
    }
  }
}
