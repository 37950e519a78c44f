import CustodyValues
import Foundation

/// A find-or-insert map from a `Value` to an `Int`, for per-row keys (unique checks).
///
/// Swift's `Dictionary<Value, Int>` hashes through a seeded `Hasher` per lookup and rehashes
/// every key on growth; on a million-row table that was a tenth of the run. This table hashes
/// string bytes directly with a per-process random seed (so a hostile ledger cannot choose
/// colliding keys in advance), keeps each key's hash so growth does not rehash, and probes
/// linearly. Keys are equal exactly when `Value ==` says so (other kinds hash via `Hasher`).
struct ValueIndex {
  private(set) var keys: [Value] = []
  private(set) var values: [Int] = []
  private var hashes: [UInt64] = []
  /// Entry index + 1 per slot; 0 is empty. Power-of-two size, at most half full.
  private var slots: [Int32] = [Int32](repeating: 0, count: 1024)
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

  /// The value stored for `key`, inserting `value` first if the key is new.
  mutating func findOrInsert(_ key: Value, _ value: Int) -> (value: Int, inserted: Bool) {
    let h = ValueIndex.hash(key)
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = Int(slots[i])
      if s == 0 { break }
      if hashes[s - 1] == h, keys[s - 1] == key { return (values[s - 1], false) }
      i = (i + 1) & mask
    }
    keys.append(key)
    values.append(value)
    hashes.append(h)
    slots[i] = Int32(truncatingIfNeeded: keys.count)
    if keys.count * 2 > slots.count { grow() }
    return (value, true)
  }

  /// The value stored for `key`, if any.
  func find(_ key: Value) -> Int? {
    let h = ValueIndex.hash(key)
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = Int(slots[i])
      if s == 0 { return nil }
      if hashes[s - 1] == h, keys[s - 1] == key { return values[s - 1] }
      i = (i + 1) & mask
    }
  }

  /// The stored key equal to `key`, if any.
  func storedKey(_ key: Value) -> Value? {
    let h = ValueIndex.hash(key)
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = Int(slots[i])
      if s == 0 { return nil }
      if hashes[s - 1] == h, keys[s - 1] == key { return keys[s - 1] }
      i = (i + 1) & mask
    }
  }

  private mutating func grow() {
    var bigger = [Int32](repeating: 0, count: slots.count * 4)
    let mask = bigger.count - 1
    for (e, h) in hashes.enumerated() {
      var i = Int(truncatingIfNeeded: h) & mask
      while bigger[i] != 0 { i = (i + 1) & mask }
      bigger[i] = Int32(truncatingIfNeeded: e + 1)
    }
    slots = bigger
  }
}
