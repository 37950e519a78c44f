import CustodyValues

/// Reuses one `String` for cell texts that repeat (sites, suppliers, materials): a lookup is
/// cheaper than building and validating a new String, and rows share storage. Columns whose
/// values rarely repeat (entry ids) switch it off after a sample, so they pay almost nothing.
struct StringInterner {
  private static let slotCount = 4096  // power of two
  private static let maxEntries = 2048
  private static let maxLength = 64
  private var slots = [Int32](repeating: -1, count: StringInterner.slotCount)
  private var hashes: [UInt64] = []
  private var starts: [Int] = []
  private var lengths: [Int] = []
  private var values: [Value] = []
  private var arena: [UInt8] = []
  private var lookups = 0
  private var hits = 0
  private(set) var enabled = true

  /// The cell as a string value, shared with earlier equal cells when possible.
  @inline(__always)
  mutating func value(_ bytes: UnsafeBufferPointer<UInt8>) -> Value {
    if !enabled || bytes.count > StringInterner.maxLength {
      return .string(String(decoding: bytes, as: UTF8.self))
    }
    lookups += 1
    if lookups == 4096 && hits < 2048 { enabled = false }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    var slot = Int(truncatingIfNeeded: h) & (StringInterner.slotCount - 1)
    while true {
      let e = Int(slots[slot])
      if e < 0 { break }
      if hashes[e] == h && lengths[e] == bytes.count && equal(e, bytes) {
        hits += 1
        return values[e]
      }
      slot = (slot + 1) & (StringInterner.slotCount - 1)
    }
    let value = Value.string(String(decoding: bytes, as: UTF8.self))
    if values.count < StringInterner.maxEntries {
      slots[slot] = Int32(values.count)
      hashes.append(h)
      starts.append(arena.count)
      lengths.append(bytes.count)
      arena.append(contentsOf: bytes)
      values.append(value)
    }
    return value
  }

  @inline(__always)
  private func equal(_ e: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = starts[e]
    return arena.withUnsafeBufferPointer { a in
      var i = 0
      while i < bytes.count {
        if a[start + i] != bytes[i] { return false }
        i += 1
      }
      return true
    }
  }
}
