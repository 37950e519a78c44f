import CustodyLanguage
import CustodyValues
import Foundation
import Testing

@testable import CustodyEngine

/// Spill files: the runs that keep unique keys and book postings off the heap on long ledgers.
/// (Every engine test also runs with `spillThreshold: 1` through `T.run`, so each check's
/// results are compared with and without spilling; these test the file and the key order.)
@Suite struct SpillTests {
  /// Writes `runs` of records (each record its bytes) and reads them back.
  func roundTrip(_ runs: [[[UInt8]]]) throws -> [[[UInt8]]] {
    let file = try SpillFile()
    for run in runs {
      for r in run {
        file.beginRecord()
        file.writer.append(r)
        try file.endRecord()
      }
      try file.endRun()
    }
    return try file.runs.indices.map { i in
      let reader = file.reader(run: i)
      var records: [[UInt8]] = []
      while try reader.advance() {
        records.append(Array(reader.buffer[reader.start..<reader.start + reader.length]))
      }
      return records
    }
  }

  @Test func runsReadBackRecordForRecord() throws {
    // Records straddle the reader's 256 KiB buffer and the writer's 1 MiB flushes; one is
    // larger than a buffer; one run is empty; an empty record is kept.
    var rng = SystemRandomNumberGenerator()
    let small = (0..<40_000).map { i in [UInt8](repeating: UInt8(i % 251), count: i % 61) }
    let big = [(0..<700_000).map { _ in UInt8.random(in: 0...255, using: &rng) }]
    let runs = [small, [], big + small.prefix(3), [[]]]
    #expect(try roundTrip(runs) == runs)
  }

  @Test func aRecordCutShortIsAnErrorNotACrash() throws {
    var w = ByteWriter()
    w.fixed32(10)
    w.append([1, 2, 3])
    let reader = SpillReader(bytes: w.bytes)
    #expect(throws: SpillError.self) { try reader.advance() }
    var c = ByteCursor([0x80, 0x80], 0, 2)  // a number whose continuation bytes are missing
    #expect(throws: SpillError.self) { try c.i64() }
    var long = ByteCursor([UInt8](repeating: 0xFF, count: 11) + [1], 0, 12)
    #expect(throws: SpillError.self) { try long.u64() }
    var wide = ByteWriter()
    wide.i64(Int64(Int32.max) + 1)
    var narrow = ByteCursor(wide.bytes, 0, wide.count)
    #expect(throws: SpillError.self) { try narrow.i32() }
    var bad = ByteCursor([0xEE], 0, 1)
    #expect(throws: SpillError.self) { try ValueCodec.read(&bad) }
  }

  @Test func numbersRoundTripInFewBytes() throws {
    let ints: [Int64] = [0, 1, -1, 63, -64, 64, 300, -300, .max, .min, Int64(Int32.min)]
    let wide: [Int128] = [0, -1, .max, .min, Int128(Int64.max) + 1, -(Int128(1) << 100)]
    var w = ByteWriter()
    for v in ints { w.i64(v) }
    for v in wide { w.i128(v) }
    w.u32(.max)
    var c = ByteCursor(w.bytes, 0, w.count)
    #expect(try ints.map { _ in try c.i64() } == ints)
    #expect(try wide.map { _ in try c.i128() } == wide)
    #expect(try c.u32() == .max)
    #expect(c.at == c.end)
    var small = ByteWriter()
    small.int(1_234)  // a line number: two bytes
    small.i32(-20_000)  // a day number: three
    #expect(small.count == 5)
  }

  @Test func aMissingDirectoryIsNamed() {
    #expect {
      _ = try SpillFile(directory: "/nonexistent-custody-dir")
    } throws: { e in
      "\(e)".contains("cannot create a spill file in /nonexistent-custody-dir")
    }
  }

  @Test func valuesRoundTripAndCanonicalBytesMatchEquality() throws {
    let values: [Value] = [
      .null, .bool(true), .bool(false), .integer(-7), .decimal(ExactDecimal("1.50")!),
      .string("Cu-\u{212A}"), .date(CivilDate.parseISO("2024-02-29")!),
      .duration(CalendarDuration(3, .months)), .duration(CalendarDuration(10, .days)),
      .list([.string("a"), .decimal(ExactDecimal("2")!)]),
    ]
    for v in values {
      var w = ByteWriter()
      ValueCodec.write(v, canonical: false, to: &w)
      var c = ByteCursor(w.bytes, 0, w.bytes.count)
      let back = try ValueCodec.read(&c)
      #expect(back == v && back.description == v.description, "\(v)")
      #expect(c.at == c.end)
    }
    func canonical(_ v: Value) -> [UInt8] {
      var w = ByteWriter()
      ValueCodec.write(v, canonical: true, to: &w)
      return w.bytes
    }
    // Equal values (Kelvin sign K and K, 1.50 and 1.5) have equal canonical bytes; the spelling
    // as written is kept apart.
    #expect(Value.string("\u{212A}") == .string("K"))
    #expect(canonical(.string("\u{212A}")) == canonical(.string("K")))
    #expect(canonical(.decimal(ExactDecimal("1.50")!)) == canonical(.decimal(ExactDecimal("1.5")!)))
    #expect(canonical(.string("a")) != canonical(.string("b")))
    // `write` says whether the canonical form spells the value as written.
    func spelled(_ v: Value) -> Bool {
      var w = ByteWriter()
      return ValueCodec.write(v, canonical: true, to: &w)
    }
    #expect(!spelled(.string("\u{212A}")))
    #expect(!spelled(.decimal(ExactDecimal("1.50")!)))
    #expect(spelled(.string("R-0001")))
    #expect(spelled(.decimal(ExactDecimal("1.5")!)))
  }

  /// `key: [document_id]` on receipts, every key spilled as its own run.
  func documents(_ ids: [String?], options: EngineOptions) throws -> EvaluationResult {
    let b = ExprBuilder(schema: T.schema, table: "receipts")
    let unique = CheckSpec.unique(
      UniqueCheckSpec(sources: [.init(table: "receipts", filter: nil, key: [b.col("document_id")])])
    )
    var rows: [[String: String]] = []
    for (i, id) in ids.enumerated() {
      var r = ["entry_id": "R\(i + 1)"]
      r["document_id"] = id
      rows.append(r)
    }
    return try T.run([T.instance("u", unique)], ["receipts": rows], options: options)
  }

  @Test func keysEqualOnlyCanonicallyMeetAcrossRuns() throws {
    // R1 "K" and R4 "\u{212A}" (Kelvin sign) are one key; so are R2 and R5 (D-1 and D-1
    // with the combining sequence precomposed differently); R3 is alone.
    let ids = ["K", "D-\u{00C5}", "X", "\u{212A}", "D-A\u{030A}"]
    let result = try documents(ids, options: EngineOptions(spillThreshold: 1))
    let findings = result.findings(for: "u")
    #expect(findings.map { $0.evidence.map(\.key) } == [["R1", "R4"], ["R2", "R5"]])
    // Evidence shows each row's key as written.
    #expect(findings[0].evidence.map(\.value) == ["K", "\u{212A}"])
    #expect(
      findings[1].evidence.map { $0.value.map { Array($0.unicodeScalars) } } == [
        Array("D-\u{00C5}".unicodeScalars), Array("D-A\u{030A}".unicodeScalars),
      ])
  }

  @Test func aKeyRepeatedWithinAndAcrossRunsKeepsRowOrderAndTheEvidenceCap() throws {
    // D1 on rows 1, 2 (same run), 5 and 9 (later runs); evidence capped at 3, total 4.
    var ids: [String?] = (1...10).map { "D\($0 + 10)" }
    for i in [0, 1, 4, 8] { ids[i] = "D1" }
    ids[6] = nil  // a missing key is ignored
    for threshold in [1, 2, 3, 100] {
      let result = try documents(
        ids, options: EngineOptions(evidenceLimit: 3, spillThreshold: threshold))
      let f = try #require(result.findings(for: "u").first, "threshold \(threshold)")
      #expect(result.findings(for: "u").count == 1)
      #expect(f.evidence.map(\.key) == ["R1", "R2", "R5"], "threshold \(threshold)")
      #expect(f.evidenceTotal == 4)
      #expect(f.message == "key (D1) appears 4 times: receipts R1, receipts R2, receipts R5, ...")
    }
  }

  @Test func keysAscendingAcrossRunsPassAndALaterRepeatIsFound() throws {
    let ascending: [String?] = (1...12).map { "D\(100 + $0)" }
    let none = try documents(ascending, options: EngineOptions(spillThreshold: 3))
    #expect(none.rule("u")?.status == .pass)
    #expect(none.rule("u")?.counts.evaluated == 12)
    // Runs D101-D103, D104-D106 ascend; D102 again is below the floor (D106) and repeats.
    let repeated = try documents(
      ascending.prefix(7) + ["D102"] + ascending.suffix(5),
      options: EngineOptions(spillThreshold: 3))
    #expect(repeated.findings(for: "u").map { $0.evidence.map(\.key) } == [["R2", "R8"]])
    // A run that starts below the last one (D050 after D101-D103) ends the ascending order.
    let below = try documents(
      ["D101", "D102", "D103", "D050", "D104", "D103"], options: EngineOptions(spillThreshold: 3))
    #expect(below.findings(for: "u").map { $0.evidence.map(\.key) } == [["R3", "R6"]])
  }

  @Test func aMergeBuffersLessPerRunWhenThereAreManyRuns() {
    #expect(SpillFile.chunk(runs: 1) == 1 << 18)
    #expect(SpillFile.chunk(runs: 1_000) == 33_554)
    #expect(SpillFile.chunk(runs: 1_000_000) == 1 << 14)
  }

  @Test func twoColumnKeysSpillAndMeetAcrossRuns() throws {
    // key: [site, document_id]: (S1, D1) on R1 and R4; (S2, D1) is another key.
    let b = ExprBuilder(schema: T.schema, table: "receipts")
    let unique = CheckSpec.unique(
      UniqueCheckSpec(sources: [
        .init(table: "receipts", filter: nil, key: [b.col("site"), b.col("document_id")])
      ]))
    let rows: [[String: String]] = [
      ["entry_id": "R1", "site": "S1", "document_id": "D1"],
      ["entry_id": "R2", "site": "S2", "document_id": "D1"],
      ["entry_id": "R3", "site": "S1", "document_id": "D2"],
      ["entry_id": "R4", "site": "S1", "document_id": "D1"],
    ]
    for threshold in [1, 2, 100] {
      let result = try T.run(
        [T.instance("u", unique)], ["receipts": rows],
        options: EngineOptions(spillThreshold: threshold))
      let f = try #require(result.findings(for: "u").first)
      #expect(result.findings(for: "u").count == 1)
      #expect(f.evidence.map(\.key) == ["R1", "R4"], "threshold \(threshold)")
      #expect(f.message == "key (S1, D1) appears 2 times: receipts R1, receipts R4")
    }
  }

  @Test func anUnwritableSpillDirectoryKeepsKeysInMemoryAndSaysSo() throws {
    let ids: [String?] = ["D1", "D2", "D1", "D3"]
    let inMemory = try documents(ids, options: EngineOptions())
    let failed = try documents(
      ids, options: EngineOptions(spillThreshold: 1, spillDirectory: "/nonexistent-custody-dir"))
    #expect(failed.findings == inMemory.findings)
    #expect(failed.findings(for: "u").map { $0.evidence.map(\.key) } == [["R1", "R3"]])
    let reason = failed.rule("u")?.reason ?? ""
    #expect(
      reason.contains(
        "keys kept in memory, the spill file failed: cannot create a spill file in /nonexistent-custody-dir"
      ), "\(reason)")
  }
}
