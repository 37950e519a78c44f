import Testing

@testable import CustodyEngine

/// LineSet against `Set<Int>` as the oracle: the same lines give the same answers.
@Suite struct LineSetTests {
  @Test(arguments: [1, 7, 42])
  func agreesWithSetOnRandomLines(seed: UInt64) {
    var rng = SplitMix(seed)
    var a = LineSet(), b = LineSet()
    var sa = Set<Int>(), sb = Set<Int>()
    for _ in 0..<5_000 {
      let x = Int(rng.next() % 20_000)
      let y = Int(rng.next() % 9_000)
      #expect(a.insert(x) == sa.insert(x).inserted)
      b.insert(y)
      sb.insert(y)
    }
    #expect(a.count == sa.count)
    for line in [0, 1, 63, 64, 65, 8_999, 19_999, 20_000, 1 << 20, -1] {
      #expect(a.contains(line) == sa.contains(line))
    }
    #expect(a.intersection(b).count == sa.intersection(sb).count)
    #expect(a.subtracting(b).count == sa.subtracting(sb).count)
    #expect(a.union(b).count == sa.union(sb).count)
    #expect(
      (0..<20_000).allSatisfy { a.subtracting(b).contains($0) == sa.subtracting(sb).contains($0) })
    #expect(a.union(b) == b.union(a))
    #expect(LineSet() == [])
    #expect([3, 5] as LineSet != [3] as LineSet)
  }

  struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }
}
