import CustodyValues
import Foundation

/// A find-or-insert map from a `Value` to an `Int`, for per-row keys (lookups, periods).
typealias ValueIndex = ValueMap<Int>

/// A find-or-insert map from a `Value` to a payload, for per-row keys (unique checks keep
/// their per-key state as the payload: no separate index array per key).
///
/// Swift's `Dictionary<Value, Int>` hashes through a seeded `Hasher` per lookup; on a
/// million-row table that was a tenth of the run. This table hashes string bytes directly with
/// a per-process random seed (so a hostile ledger cannot choose colliding keys in advance) and
/// probes linearly. Keys are equal exactly when `Value ==` says so (other kinds hash via
/// `Hasher`). Each slot holds the entry's index and 32 bits of its hash, so a probe reads one
/// slot and compares keys only when those bits match: one cache miss per new key.
///
/// Keys inserted with `entry(_:inserting:)` in strictly ascending order (a ledger sorted by
/// entry id or document id) need no hash at all: a key above the last one cannot equal any
/// earlier key, so it is appended without hashing or probing, and the table keeps no slots.
/// The first key out of order (or any other operation) builds the slots once. On a 10M-row
/// ledger the three unique checks' tables were 128 MB of slots each, and a cache miss per key.
struct ValueMap<Payload> {
  private(set) var keys: [Value] = []
  private(set) var values: [Payload] = []
  /// Per slot: the high 32 bits of the hash, then entry index + 1; 0 is empty. Power-of-two
  /// size, at most half full. Empty while `ascending`.
  private var slots: [UInt64] = []
  /// Every key so far is above the one before it (strings or decimals): no slots yet.
  private(set) var ascending = true
  /// A key every key of this map must be above to stay `ascending` (the last key of the run a
  /// unique check spilled before this map): keys ascending across runs cannot repeat.
  private(set) var floor: Value?
  var count: Int { keys.count }

  init() {}

  /// An empty map whose keys stay ascending only above `floor`.
  init(above floor: Value?) { self.floor = floor }

  /// `a` is above `b` in an order consistent with `==`: canonical string order, or numeric
  /// order for decimals. Other kinds (and mixed kinds) are never above.
  @inline(__always) private static func above(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): return x > y
    case (.decimal(let x), .decimal(let y)): return ExactDecimal.compare(x, y) > 0
    default: return false
    }
  }

  /// Leaves ascending mode: slots for every key so far.
  private mutating func buildSlots() {
    ascending = false
    var size = 1024
    while size < keys.count * 2 + 2 { size *= 2 }
    slots = [UInt64](repeating: 0, count: size)
    place(into: &slots)
  }

  /// The slot's tag for hash `h`.
  @inline(__always) private static func tag(_ h: UInt64) -> UInt64 { h & 0xFFFF_FFFF_0000_0000 }

  /// The slot of `key` (its entry index + 1, or 0) and the position probing stopped at.
  @inline(__always) private func probe(_ key: Value, _ h: UInt64) -> (entry: Int, at: Int) {
    let mask = slots.count - 1
    let tag = ValueMap.tag(h)
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = slots[i]
      if s == 0 { return (0, i) }
      if s & 0xFFFF_FFFF_0000_0000 == tag {
        let e = Int(truncatingIfNeeded: s & 0xFFFF_FFFF)
        if keys[e - 1] == key { return (e, i) }
      }
      i = (i + 1) & mask
    }
  }

  /// The value stored for `key`, inserting `value` first if the key is new.
  mutating func findOrInsert(_ key: Value, _ value: Payload) -> (value: Payload, inserted: Bool) {
    if ascending { buildSlots() }
    let h = ValueHash.hash(key)
    let (e, i) = probe(key, h)
    if e > 0 { return (values[e - 1], false) }
    keys.append(key)
    values.append(value)
    slots[i] = ValueMap.tag(h) | UInt64(keys.count)
    if keys.count * 2 > slots.count { grow() }
    return (value, true)
  }

  /// The entry of `key` (its index in `keys` and `values`), inserting `value` first if the
  /// key is new. (A value, not a closure: a closure capturing the caller's row retained it
  /// per call.)
  mutating func entry(_ key: Value, inserting value: Payload) -> (
    entry: Int, inserted: Bool
  ) {
    if keys.count == keys.capacity { reserveAhead() }
    if ascending {
      if keys.isEmpty
        ? floor.map { ValueMap.above(key, $0) } ?? true : ValueMap.above(key, keys[keys.count - 1])
      {
        keys.append(key)
        values.append(value)
        return (keys.count - 1, true)
      }
      buildSlots()
    }
    let h = ValueHash.hash(key)
    let (e, i) = probe(key, h)
    if e > 0 { return (e - 1, false) }
    keys.append(key)
    values.append(value)
    slots[i] = ValueMap.tag(h) | UInt64(keys.count)
    if keys.count * 2 > slots.count { grow() }
    return (keys.count - 1, true)
  }

  /// Grows the key and payload arrays 4x instead of 2x: each growth copies the arrays, and on
  /// a 10M-row ledger those copies were what grew faster than the rows. Capacity not yet
  /// written to costs address space, not memory.
  private mutating func reserveAhead() {
    let capacity = max(4096, keys.capacity * 4)
    keys.reserveCapacity(capacity)
    values.reserveCapacity(capacity)
  }

  /// The payload of entry `e` (from `entry(_:inserting:)`), in place.
  subscript(entry e: Int) -> Payload {
    get { values[e] }
    set { values[e] = newValue }
  }

  /// The value stored for `key`, if any.
  func find(_ key: Value) -> Payload? {
    let e = entryIndex(key)
    return e.map { values[$0] }
  }

  private func entryIndex(_ key: Value) -> Int? {
    guard ascending else {
      let e = probe(key, ValueHash.hash(key)).entry
      return e > 0 ? e - 1 : nil
    }
    // Keys ascending: binary search (a key of another kind equals none of them).
    var lo = 0
    var hi = keys.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if ValueMap.above(key, keys[mid]) { lo = mid + 1 } else { hi = mid }
    }
    return lo < keys.count && keys[lo] == key ? lo : nil
  }

  private mutating func grow() {
    var bigger = [UInt64](repeating: 0, count: slots.count * 4)
    place(into: &bigger)
    slots = bigger
  }

  /// Files every key in `table` (empty, a power of two). Hashes are recomputed rather than
  /// stored: 8 bytes less per key, and each key is rehashed about once over all growths.
  private func place(into table: inout [UInt64]) {
    let mask = table.count - 1
    for (e, key) in keys.enumerated() {
      let h = ValueHash.hash(key)
      var i = Int(truncatingIfNeeded: h) & mask
      while table[i] != 0 { i = (i + 1) & mask }
      table[i] = ValueMap.tag(h) | UInt64(e + 1)
    }
  }
}

/// The keys' hash: string bytes with a per-process random seed (NFC for non-ASCII, so equal
/// strings hash equal), other kinds through `Hasher`.
enum ValueHash {
  static let seed = UInt64.random(in: 1...UInt64.max)

  /// Equal values hash equal: strings compare by canonical equivalence (`"\u{212A}" == "K"`),
  /// so a string with non-ASCII bytes is hashed in its NFC form.
  static func hash(_ v: Value) -> UInt64 {
    switch v {
    case .string(let s):
      if let h = bytesHash(s, asciiOnly: true) { return h }
      return bytesHash(s.precomposedStringWithCanonicalMapping, asciiOnly: false) ?? 0
    // Kinds equal only to their own kind, by one integer (`Value ==` is synthesized), are
    // mixed here: through `Hasher` an account key's null partner cost a SipHash per posting.
    case .null: return mix(1)
    case .bool(let b): return mix(b ? 3 : 2)
    case .integer(let i): return mix(UInt64(bitPattern: i) &+ 0x100)
    case .date(let d): return mix(UInt64(UInt32(bitPattern: d.dayNumber)) | 0xDA7E_0000_0000)
    default: return UInt64(bitPattern: Int64(v.hashValue))
    }
  }

  /// `x` mixed with the seed.
  @inline(__always) private static func mix(_ x: UInt64) -> UInt64 { finish(seed ^ x) }

  /// splitmix64's finalizer: every input bit reaches every output bit.
  @inline(__always) private static func finish(_ x: UInt64) -> UInt64 {
    var h = x &* 0xBF58_476D_1CE4_E5B9
    h ^= h >> 31
    h = h &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 29)
  }

  /// Whether two keys are the same value in the same representation (strings with the same
  /// bits, decimals with the same mantissa and scale): such keys find the same rows. Keys
  /// equal in another way answer false (a cache then looks the key up again).
  @inline(__always) static func sameKey(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): identical(x, y)
    case (.decimal(let x), .decimal(let y)): x.mantissa == y.mantissa && x.scale == y.scale
    case (.integer(let x), .integer(let y)): x == y
    case (.date(let x), .date(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.null, .null): true
    default: false
    }
  }

  /// The same string representation (a small string's bytes, or the same storage): then the
  /// bytes are the same. False says nothing; callers compare the bytes next.
  @inline(__always) static func identical(_ a: String, _ b: String) -> Bool {
    unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self)
  }

  private static func bytesHash(_ s: String, asciiOnly: Bool) -> UInt64? {
    // Borrowed bytes where the string has them contiguous (native and small strings): a
    // mutable copy for `withUTF8` retained a heap string on every hash.
    if let h = s.utf8.withContiguousStorageIfAvailable({ hashBytes($0, asciiOnly: asciiOnly) }) {
      return h
    }
    var s2 = s
    return s2.withUTF8 { hashBytes($0, asciiOnly: asciiOnly) }
  }

  private static func hashBytes(_ bytes: UnsafeBufferPointer<UInt8>, asciiOnly: Bool) -> UInt64? {
    var h = seed ^ UInt64(bytes.count)
    var high: UInt64 = 0
    var i = 0
    let n = bytes.count
    let raw = UnsafeRawBufferPointer(bytes)
    while i + 8 <= n {
      let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      high |= w
      h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
      h ^= h >> 29
      i += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while i < n {
      tail |= UInt64(bytes[i]) << shift
      shift += 8
      i += 1
    }
    high |= tail
    if asciiOnly, high & 0x8080_8080_8080_8080 != 0 { return nil }
    return finish(h ^ tail ^ 0xFF)
  }
}

// Plain arrays of values: sendable when its payloads are (a LookupIndex holds one).
extension ValueMap: Sendable where Payload: Sendable {}
