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
    // The first spelling is kept (`Value ==` cannot tell them apart, so compare scalars).
    guard case .string(let stored) = index.keys[1] else {
      Issue.record("the second key is not a string")
      return
    }
    #expect(Array(stored.unicodeScalars) == Array("caf\u{E9}".unicodeScalars))
  }

  @Test func decimalsEqualIgnoringTrailingZerosAreOneKey() {
    var index = ValueIndex()
    #expect(index.findOrInsert(.decimal(ExactDecimal("1.50") ?? .zero), 1) == (1, true))
    #expect(index.findOrInsert(.decimal(ExactDecimal("1.5") ?? .zero), 2) == (1, false))
    #expect(index.findOrInsert(.string("1.5"), 3) == (3, true))
    #expect(index.find(.null) == nil)
  }

  /// `entry(_:inserting:)` appends ascending keys without hashing; the first key out of order
  /// builds the slots, and from then on every earlier key is still found.
  @Test func ascendingKeysThenAnOutOfOrderRepeat() {
    var map = ValueMap<Int>()
    for i in 0..<3_000 {
      let key = Value.string("R-" + String(100_000 + i))
      #expect(map.entry(key, inserting: i) == (i, true))
    }
    #expect(map.ascending)
    #expect(map.find(.string("R-101234")) == 1_234)
    #expect(map.find(.string("R-099999")) == nil)
    #expect(map.find(.decimal(1)) == nil)
    // A repeat of an early key: out of order, so the slots are built and it is found.
    #expect(map.entry(.string("R-100007"), inserting: -1) == (7, false))
    #expect(!map.ascending)
    #expect(map.entry(.string("R-102999"), inserting: -1) == (2_999, false))
    #expect(map.entry(.string("R-099999"), inserting: 3_000) == (3_000, true))
    #expect(map.count == 3_001)
  }

  /// Equal keys are never "above" each other, so a canonically equal spelling or a decimal
  /// with more zeros right after its twin goes through the hash table and is found.
  @Test func equalSpellingsRightAfterEachOtherAreOneKey() {
    var strings = ValueMap<Int>()
    #expect(strings.entry(.string("caf\u{E9}"), inserting: 0) == (0, true))
    #expect(strings.entry(.string("cafe\u{301}"), inserting: 1) == (0, false))
    var numbers = ValueMap<Int>()
    #expect(numbers.entry(.decimal(ExactDecimal("1.5") ?? .zero), inserting: 0) == (0, true))
    #expect(numbers.entry(.decimal(ExactDecimal("2") ?? .zero), inserting: 1) == (1, true))
    #expect(numbers.entry(.decimal(ExactDecimal("2.00") ?? .zero), inserting: 2) == (1, false))
    #expect(numbers.ascending == false)
  }

  /// Nulls, booleans, integers and dates are hashed without `Hasher`: each kind equals only
  /// itself, so equal values hash equal and a key of each kind is found again, apart from
  /// the decimal and string that look alike.
  @Test func keysOfEveryKindAreFoundAgain() {
    let day = CivilDate(year: 2024, month: 3, day: 1) ?? CivilDate(dayNumber: 0)
    let keys: [Value] = [
      .null, .bool(false), .bool(true), .integer(0), .integer(1), .integer(-1),
      .integer(Int64(day.dayNumber)), .date(day), .date(CivilDate(dayNumber: 0)),
      .decimal(.one), .string("1"), .list([.null, .string("MR")]),
    ]
    var index = ValueIndex()
    for (i, k) in keys.enumerated() { #expect(index.findOrInsert(k, i) == (i, true), "\(k)") }
    for (i, k) in keys.enumerated() {
      #expect(index.findOrInsert(k, -1) == (i, false), "\(k)")
      #expect(ValueHash.hash(k) == ValueHash.hash(k))
    }
    #expect(index.count == keys.count)
  }

  /// Account keys: one id per spelling, one account per `==` key; strings that share their
  /// representation are the same spelling without comparing bytes, others are compared.
  /// The lookup cache's key test (`ValueHash.sameKey`): true only for one value in one
  /// representation, never for keys of different kinds or values; equal keys spelled
  /// differently may answer false (the cache then looks them up again).
  @Test func sameKeyMeansSameValueInSameRepresentation() throws {
    let d = try #require(CivilDate.parseISO("2024-01-01"))
    let same: [(Value, Value)] = [
      (.string("CD-000002"), .string("CD-000002")), (.decimal(T.d("1.50")), .decimal(T.d("1.50"))),
      (.integer(7), .integer(7)), (.date(d), .date(d)), (.bool(true), .bool(true)), (.null, .null),
    ]
    for (a, b) in same { #expect(ValueHash.sameKey(a, b), "\(a) and \(b)") }
    let different: [(Value, Value)] = [
      (.string("CD-000002"), .string("CD-000003")), (.decimal(T.d("1.5")), .decimal(T.d("1.50"))),
      (.integer(1), .decimal(T.d("1"))), (.date(d), .date(d.addingDays(1))),
      (.bool(true), .bool(false)), (.null, .string("")), (.string("1"), .integer(1)),
    ]
    for (a, b) in different { #expect(!ValueHash.sameKey(a, b), "\(a) and \(b)") }
  }

  @Test func accountKeysBySpellingAndAccount() {
    var table = AccountKeyTable()
    let heap = String(repeating: "partner-", count: 4)
    let copy = String(heap.utf8.map { Character(Unicode.Scalar($0)) })
    let a = table.id(of: [.string("SAG"), .string("PCL"), .string(heap)])
    #expect(table.id(of: [.string("SAG"), .string("PCL"), .string(heap)]) == a)
    #expect(table.id(of: [.string("SAG"), .string("PCL"), .string(copy)]) == a)
    let null = table.id(of: [.string("SAG"), .string("MR"), .null])
    #expect(null != a)
    #expect(table.id(of: [.string("SAG"), .string("MR"), .null]) == null)
    // `K` and the Kelvin sign: two spellings, one account.
    let k = table.id(of: [.string("K"), .null, .null])
    let kelvin = table.id(of: [.string("\u{212A}"), .null, .null])
    #expect(k != kelvin)
    #expect(table.accountOf[Int(k)] == table.accountOf[Int(kelvin)])
    #expect(table.accountCount == 3)
    #expect(table.keys.count == 4)
  }
}
