import Testing

@testable import CustodyEngine

/// LineSet against `Set<Int>` as the oracle: the same lines give the same answers.
@Suite struct LineSetTests {
  @Test(arguments: [1, 7, 42])
  func agreesWithSetOnRandomLines(seed: UInt64) {
    // A deterministic scatter (an LCG): which lines, not randomness, is what matters here.
    var state = seed
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 33
    }
    var a = LineSet(), b = LineSet()
    var sa = Set<Int>(), sb = Set<Int>()
    for _ in 0..<5_000 {
      let x = Int(next() % 20_000)
      let y = Int(next() % 9_000)
      #expect(a.insert(x) == sa.insert(x).inserted)
      b.insert(y)
      sb.insert(y)
    }
    #expect(a.count == sa.count)
    for line in [0, 1, 63, 64, 65, 8_999, 19_999, 20_000, 1 << 20, -1] {
      #expect(a.contains(line) == sa.contains(line))
    }
    // Each operation: the same count and the same members as the Set's.
    let pairs = [
      (a.intersection(b), sa.intersection(sb)), (a.subtracting(b), sa.subtracting(sb)),
      (a.union(b), sa.union(sb)),
    ]
    for (lines, oracle) in pairs {
      #expect(lines.count == oracle.count)
      #expect((0..<20_001).allSatisfy { lines.contains($0) == oracle.contains($0) })
    }
    #expect(a.union(b) == b.union(a))
    #expect(LineSet() == [])
    #expect([3, 5] as LineSet != [3] as LineSet)
  }
}
