/// A small, fast, seedable PRNG (SplitMix64, Steele et al. 2014). The sample generator uses it
/// instead of system randomness so that the same seed always gives byte-identical ledgers.
struct SplitMix64 {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in `range` (inclusive); the modulo bias is negligible for our ranges.
  mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
    let width = UInt64(range.upperBound - range.lowerBound) + 1
    return range.lowerBound + Int64(next() % width)
  }

  /// A uniform index in `0..<count`.
  mutating func index(_ count: Int) -> Int { Int(next() % UInt64(max(count, 1))) }

  /// A uniform value in parts per million (0 ..< 1,000,000), for probabilities without floats.
  mutating func ppm() -> Int { Int(next() % 1_000_000) }
}
