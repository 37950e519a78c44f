import CustodyValues
import Testing

@testable import CustodyEngine

/// The unique check's key table must treat keys exactly as `Value ==` does.
@Suite struct ValueIndexTests {
  @Test func findsEveryKeyAfterGrowing() {
    var index = ValueIndex()
    for i in 0..<5_000 { #expect(index.findOrInsert(.string("R-\(i)"), i) == (i, true)) }
    for i in stride(from: 0, to: 5_000, by: 7) {
      #expect(index.findOrInsert(.string("R-\(i)"), -1) == (i, false))
    }
    #expect(index.count == 5_000)
    #expect(index.keys[4_999] == .string("R-4999"))
  }

  @Test func canonicallyEquivalentStringsAreOneKey() {
    var index = ValueIndex()
    // Kelvin sign == "K", and a decomposed é == the precomposed one, as Swift strings.
    #expect(index.findOrInsert(.string("K"), 1) == (1, true))
    #expect(index.findOrInsert(.string("\u{212A}"), 2) == (1, false))
    #expect(index.findOrInsert(.string("caf\u{E9}"), 3) == (3, true))
    #expect(index.findOrInsert(.string("cafe\u{301}"), 4) == (3, false))
    #expect(index.storedKey(.string("cafe\u{301}")) == .string("caf\u{E9}"))
  }

  @Test func decimalsEqualIgnoringTrailingZerosAreOneKey() {
    var index = ValueIndex()
    #expect(index.findOrInsert(.decimal(ExactDecimal("1.50") ?? .zero), 1) == (1, true))
    #expect(index.findOrInsert(.decimal(ExactDecimal("1.5") ?? .zero), 2) == (1, false))
    #expect(index.findOrInsert(.string("1.5"), 3) == (3, true))
    #expect(index.storedKey(.null) == nil)
  }
}
