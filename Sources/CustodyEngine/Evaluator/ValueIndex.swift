import CustodyValues
import Foundation

/// A find-or-insert map from a `Value` to an `Int`, for per-row keys (unique checks, lookups).
///
/// Swift's `Dictionary<Value, Int>` hashes through a seeded `Hasher` per lookup; on a
/// million-row table that was a tenth of the run. This table hashes string bytes directly with
/// a per-process random seed (so a hostile ledger cannot choose colliding keys in advance) and
/// probes linearly. Keys are equal exactly when `Value ==` says so (other kinds hash via
/// `Hasher`). Each slot holds the entry's index and 32 bits of its hash, so a probe reads one
/// slot and compares keys only when those bits match: one cache miss per new key.
struct ValueIndex {
  private(set) var keys: [Value] = []
  private(set) var values: [Int] = []
  /// Per slot: the high 32 bits of the hash, then entry index + 1; 0 is empty. Power-of-two
  /// size, at most half full.
  private var slots: [UInt64] = [UInt64](repeating: 0, count: 1024)
  private static let seed = UInt64.random(in: 1...UInt64.max)

  var count: Int { keys.count }

  /// Equal values hash equal: strings compare by canonical equivalence (`"\u{212A}" == "K"`),
  /// so a string with non-ASCII bytes is hashed in its NFC form.
  static func hash(_ v: Value) -> UInt64 {
    guard case .string(let s) = v else { return UInt64(bitPattern: Int64(v.hashValue)) }
    if let h = bytesHash(s, asciiOnly: true) { return h }
    return bytesHash(s.precomposedStringWithCanonicalMapping, asciiOnly: false) ?? 0
  }

  private static func bytesHash(_ s: String, asciiOnly: Bool) -> UInt64? {
    var s2 = s
    return s2.withUTF8 { bytes -> UInt64? in
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
      h = (h ^ tail ^ 0xFF) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 31
      h = h &* 0x94D0_49BB_1331_11EB
      return h ^ (h >> 29)
    }
  }

  /// The slot's tag for hash `h`.
  @inline(__always) private static func tag(_ h: UInt64) -> UInt64 { h & 0xFFFF_FFFF_0000_0000 }

  /// The slot of `key` (its entry index + 1, or 0) and the position probing stopped at.
  @inline(__always) private func probe(_ key: Value, _ h: UInt64) -> (entry: Int, at: Int) {
    let mask = slots.count - 1
    let tag = ValueIndex.tag(h)
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
  mutating func findOrInsert(_ key: Value, _ value: Int) -> (value: Int, inserted: Bool) {
    let h = ValueIndex.hash(key)
    let (e, i) = probe(key, h)
    if e > 0 { return (values[e - 1], false) }
    keys.append(key)
    values.append(value)
    slots[i] = ValueIndex.tag(h) | UInt64(keys.count)
    if keys.count * 2 > slots.count { grow() }
    return (value, true)
  }

  /// The value stored for `key`, if any.
  func find(_ key: Value) -> Int? {
    let e = probe(key, ValueIndex.hash(key)).entry
    return e > 0 ? values[e - 1] : nil
  }

  /// The stored key equal to `key`, if any.
  func storedKey(_ key: Value) -> Value? {
    let e = probe(key, ValueIndex.hash(key)).entry
    return e > 0 ? keys[e - 1] : nil
  }

  private mutating func grow() {
    var bigger = [UInt64](repeating: 0, count: slots.count * 4)
    let mask = bigger.count - 1
    // Hashes are recomputed rather than stored: 8 bytes less per key, and each key is
    // rehashed about once over all growths.
    for (e, key) in keys.enumerated() {
      let h = ValueIndex.hash(key)
      var i = Int(truncatingIfNeeded: h) & mask
      while bigger[i] != 0 { i = (i + 1) & mask }
      bigger[i] = ValueIndex.tag(h) | UInt64(e + 1)
    }
    slots = bigger
  }
}
