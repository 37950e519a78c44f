import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// A seeded generator (SplitMix64) so a failing case reproduces from its seed.
struct SeededRandom: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite struct PropertyTests {
  /// Reads every record of a CSV file with the tokenizer, at a given chunk size.
  static func records(_ path: String, chunk: Int, delimiter: UInt8 = UInt8(ascii: ",")) throws
    -> [[String]]
  {
    var limits = LedgerReadLimits()
    limits.chunkBytes = chunk
    let tok = try CSVTokenizer(path: path, delimiter: delimiter, limits: limits)
    var out: [[String]] = []
    while try tok.next() { out.append((0..<tok.fieldCount).map { tok.fieldString($0) }) }
    return out
  }

  @Test(arguments: [4, 5, 8, 13, 64, 1 << 20])
  func randomFieldsRoundTrip(chunk: Int) throws {
    var rng = SeededRandom(seed: 0xC0FFEE + UInt64(chunk))
    let alphabet: [String] = [
      "a", "b", "Z", "0", " ", ",", "\"", "\n", "\r", ";", "é", "€", "😀", "\t", "x",
    ]
    var rows: [[String]] = []
    for _ in 0..<300 {
      let fields = Int.random(in: 1...6, using: &rng)
      rows.append(
        (0..<fields).map { _ in
          var s = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
            alphabet.randomElement(using: &rng) ?? ""
          }
          .joined()
          // CRLF inside a quoted field reads as LF (documented); keep the property exact.
          while s.contains("\r\n") { s = s.replacingOccurrences(of: "\r\n", with: "\n") }
          return s
        })
    }
    // A record that is one empty field is a blank line (skipped); give such rows a second field.
    rows = rows.map { $0 == [""] ? ["", ""] : $0 }
    let folder = TestLedger.tempFolder()
    defer { TestLedger.remove(folder) }
    let text =
      rows.map { $0.map { TestLedger.csvField($0) }.joined(separator: ",") }.joined(
        separator: "\r\n") + "\r\n"
    TestLedger.write(folder, "r.csv", text)
    #expect(try PropertyTests.records(folder + "/r.csv", chunk: chunk) == rows)
  }

  @Test func randomDecimalsReadBackExactly() throws {
    var rng = SeededRandom(seed: 42)
    let schema = LedgerSchema(
      id: "t", version: "1",
      tables: [
        TableSchema(
          name: "numbers", file: "numbers.csv",
          columns: [
            ColumnSchema(name: "n", type: .decimal(unit: nil, maxScale: nil), required: true)
          ])
      ])
    var values: [ExactDecimal] = []
    for _ in 0..<2000 {
      let digits = Int.random(in: 1...30, using: &rng)
      var mantissa: Int128 = 0
      for _ in 0..<digits { mantissa = mantissa * 10 + Int128(Int.random(in: 0...9, using: &rng)) }
      if Bool.random(using: &rng) { mantissa = -mantissa }
      values.append(
        ExactDecimal(mantissa: mantissa, scale: Int.random(in: 0...min(digits, 18), using: &rng)))
    }
    let folder = TestLedger.tempFolder()
    defer { TestLedger.remove(folder) }
    TestLedger.write(
      folder, "numbers.csv", "n\n" + values.map(\.description).joined(separator: "\n") + "\n")
    let ledger = try FolderLedger.open(folder: folder, schema: schema)
    var read: [ExactDecimal] = []
    try ledger.read(table: "numbers") { row in
      if case .decimal(let d) = row[0] { read.append(d) }
    }
    #expect(ledger.cellErrors.isEmpty)
    #expect(read.count == values.count)
    #expect(zip(read, values).allSatisfy { $0.mantissa == $1.mantissa && $0.scale == $1.scale })
  }
}

/// Differential robustness: random byte soup (CSV specials, multi-byte and invalid UTF-8, NUL)
/// gives the same records, or the same error at the same location, whatever the chunk size.
/// Chunk boundaries are where a streaming reader breaks; this finds such bugs.
@Suite struct ChunkIndependenceTests {
  static func outcome(_ path: String, chunk: Int) -> String {
    var limits = LedgerReadLimits()
    limits.chunkBytes = chunk
    limits.maxFieldBytes = 64
    limits.maxRecordBytes = 256
    limits.maxColumns = 16
    do {
      let tok = try CSVTokenizer(path: path, delimiter: UInt8(ascii: ","), limits: limits)
      var out: [String] = []
      while try tok.next() {
        let fields = (0..<tok.fieldCount).map { "\(tok.fieldLine($0)):\(tok.fieldString($0))" }
        out.append("\(tok.recordLine)[\(fields.joined(separator: "|"))]")
      }
      return out.joined(separator: "\n")
    } catch {
      return "error \(error.diagnostic)"
    }
  }

  @Test func randomBytesReadTheSameAtEveryChunkSize() throws {
    var rng = SeededRandom(seed: 8)
    let pieces: [[UInt8]] = [
      [UInt8(ascii: ",")], [10], [13], [13, 10], [UInt8(ascii: "a")], [UInt8(ascii: "b")],
      Array("é".utf8), Array("€".utf8), Array("😀".utf8), [UInt8(ascii: "\"")], [0xFF], [0xC3], [0],
      [0xEF, 0xBB, 0xBF], Array("xyz".utf8), Array(String(repeating: "q", count: 40).utf8),
    ]
    let folder = TestLedger.tempFolder()
    defer { TestLedger.remove(folder) }
    var errors = 0
    for n in 0..<400 {
      var bytes: [UInt8] = []
      // A third without quotes or bad bytes (reads cleanly), a third with quotes, a third anything.
      let kinds = [9, 10, pieces.count][n % 3]
      for _ in 0..<Int.random(in: 0...120, using: &rng) {
        let piece = pieces[Int.random(in: 0..<kinds, using: &rng)]
        bytes += piece
      }
      if n % 5 == 0 { bytes = [0xEF, 0xBB, 0xBF] + bytes }  // a BOM first, across chunk sizes
      let path = folder + "/f\(n).csv"
      TestLedger.write(folder, "f\(n).csv", bytes: bytes)
      let reference = ChunkIndependenceTests.outcome(path, chunk: 1 << 20)
      if reference.hasPrefix("error") { errors += 1 }
      for chunk in [4, 5, 6, 7, 16] {
        let other = ChunkIndependenceTests.outcome(path, chunk: chunk)
        #expect(other == reference, "case \(n), chunk \(chunk)")
      }
    }
    // The soup must exercise both outcomes.
    #expect(errors > 50 && errors < 270)
  }
}

@Suite struct FastPathTests {
  /// The 64-bit decimal fast path agrees with `ExactDecimal.parse` (value and scale) or
  /// declines, on random near-decimal texts.
  @Test func plainDecimalAgreesWithExactDecimal() {
    var rng = SeededRandom(seed: 99)
    let alphabet = Array("0123456789999..,-+e ")
    for _ in 0..<20_000 {
      let text = String(
        (0..<Int.random(in: 0...22, using: &rng)).map { _ in
          alphabet.randomElement(using: &rng) ?? "0"
        })
      for comma in [false, true] {
        let bytes = Array(text.utf8)
        let fast = bytes.withUnsafeBufferPointer {
          ColumnReader.plainDecimal($0, separator: comma ? 44 : 46)
        }
        guard let fast else { continue }
        let slow = try? ExactDecimal.parse(text, decimalComma: comma).get()
        #expect(
          slow.map { $0.mantissa == fast.mantissa && $0.scale == fast.scale } == true, "\(text)")
      }
    }
  }

  /// Repeated strings are shared and still equal to the cell text; unique ones still read.
  @Test func internedStringsReadExactly() throws {
    var interner = StringInterner()
    var out: [Value] = []
    for i in 0..<10_000 {
      let text = i % 3 == 0 ? "site-\(i % 7)" : "R-\(i)"
      out.append(Array(text.utf8).withUnsafeBufferPointer { interner.value($0) })
    }
    for i in 0..<10_000 {
      #expect(out[i] == .string(i % 3 == 0 ? "site-\(i % 7)" : "R-\(i)"))
    }
  }

  /// The reading thread's shortcuts (the last date's bytes reused, an empty optional cell as
  /// null without parsing) give what the general parser gives, cell for cell: repeated,
  /// changing and impossible dates, empty cells in optional and required columns.
  @Test func columnReaderShortcutsMatchTheParser() {
    var rng = SeededRandom(seed: 11)
    let texts = [
      "2024-01-01", "2024-01-02", "2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01",
      "2024-1-01", "2024-01-0x", "", "0000-01-01", "2024-12-31",
    ]
    for required in [false, true] {
      let column = ColumnSchema(name: "date", type: .date, required: required)
      let reader = ColumnReader(column: column, settings: .canonical)
      let parser = CellParser(decimalComma: false, dateFormat: "yyyy-MM-dd")
      for _ in 0..<2_000 {
        // Runs of the same text, as a ledger sorted by date has.
        let text = texts.randomElement(using: &rng) ?? ""
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
          let fast = Array(text.utf8).withUnsafeBufferPointer { reader.read($0) }
          #expect(
            String(describing: fast) == String(describing: parser.parse(text, as: column)),
            "'\(text)' required=\(required)")
        }
      }
    }
  }
}
