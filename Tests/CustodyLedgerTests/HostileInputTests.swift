import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// Issue 8's hostile inputs: each stops quickly with its limit or structure error, streaming
/// (the big files are written at test time and never read whole).
@Suite struct HostileInputTests {
  static func location(_ body: () throws -> Void) -> String {
    do {
      try body()
      return "no error"
    } catch let e as LedgerError {
      guard let s = e.diagnostic.span else { return "nil \(e.diagnostic.code.id)" }
      return
        "\((s.start.file as NSString).lastPathComponent):\(s.start.line):\(s.start.column) \(e.diagnostic.code.id)"
    } catch {
      return "unexpected \(error)"
    }
  }

  /// Writes `header` then `count` repetitions of `unit` then `tail`, in 1 MiB pieces.
  static func writeBig(
    _ path: String, header: String, unit: String, count: Int, tail: String = "\n"
  ) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    defer { try? handle.close() }
    handle.write(Data(header.utf8))
    let perPiece = max(1, (1 << 20) / unit.utf8.count)
    let piece = Data(String(repeating: unit, count: perPiece).utf8)
    var left = count
    while left >= perPiece {
      handle.write(piece)
      left -= perPiece
    }
    handle.write(Data(String(repeating: unit, count: left).utf8))
    handle.write(Data(tail.utf8))
  }

  func openAndRead(_ folder: String) throws {
    let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
    _ = try TestLedger.readAll(ledger)
  }

  @Test func hundredMegabyteSingleLine() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try HostileInputTests.writeBig(
      folder + "/receipts.csv", header: CellErrorTests.header + "R-1,",
      unit: String(repeating: "x", count: 1000),
      count: 100_000)
    #expect(HostileInputTests.location { try openAndRead(folder) } == "receipts.csv:2:5 CUS6011")
  }

  @Test func hundredMegabyteLineOfSmallFields() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    // 1 KiB fields: the record limit (16 MiB) ends it before the column limit.
    var options = LedgerOpenOptions()
    options.limits.maxColumns = 1_000_000
    try HostileInputTests.writeBig(
      folder + "/receipts.csv", header: CellErrorTests.header,
      unit: String(repeating: "y", count: 1023) + ",",
      count: 100_000)
    #expect(
      HostileInputTests.location {
        let ledger = try FolderLedger.open(
          folder: folder, schema: CanonicalSchema.v1, options: options)
        try ledger.read(table: "receipts") { _ in }
      } == "receipts.csv:2:1 CUS6012")
  }

  @Test func millionColumns() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try HostileInputTests.writeBig(folder + "/sites.csv", header: "", unit: "c,", count: 1_000_000)
    // Column 4097 starts at character 2 * 4096 + 1.
    #expect(HostileInputTests.location { try openAndRead(folder) } == "sites.csv:1:8193 CUS6013")
  }

  @Test func nulBytesInTheMiddle() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    TestLedger.write(
      folder, "sites.csv",
      bytes: Array("site,entity,in_scope\nSM1,E,true\nRF".utf8) + [0, 0, 0] + Array(",false\n".utf8)
    )
    #expect(HostileInputTests.location { try openAndRead(folder) } == "sites.csv:3:3 CUS6014")
  }

  @Test func invalidUTF8AfterTheFirstChunk() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    // 3 MiB of valid rows, then a Latin-1 byte: found on its line and column while streaming.
    let row = "SM1,Smelter,CuCo,true\n"
    let rows = (3 << 20) / row.utf8.count
    try HostileInputTests.writeBig(
      folder + "/sites.csv", header: "site,name,entity,in_scope\n", unit: row, count: rows,
      tail: "RF2,Caf\u{E9},X,true\n")
    var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: folder + "/sites.csv")))
    bytes.removeLast(10)  // drop "é,X,true\n" (é is 2 bytes) ...
    bytes += [0xE9] + Array(",X,true\n".utf8)  // ... and write é in Latin-1
    TestLedger.write(folder, "sites.csv", bytes: bytes)
    #expect(
      HostileInputTests.location { try openAndRead(folder) } == "sites.csv:\(rows + 2):8 CUS6007")
  }

  @Test func symlinkLoopInLedgerFolder() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/receipts.csv")
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/receipts.csv", withDestinationPath: "loop.csv")
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/loop.csv", withDestinationPath: "receipts.csv")
    var message = ""
    #expect(
      HostileInputTests.location {
        do { try openAndRead(folder) } catch let e as LedgerError {
          message = e.diagnostic.message
          throw e
        }
      } == "receipts.csv:1:1 CUS6015")
    #expect(message.hasSuffix("a symlink loop"))
  }

  @Test func directoryInPlaceOfAFile() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/shipments.csv")
    try FileManager.default.createDirectory(
      atPath: folder + "/shipments.csv", withIntermediateDirectories: false)
    #expect(HostileInputTests.location { try openAndRead(folder) } == "shipments.csv:1:1 CUS6015")
  }

  @Test func folderThatIsNotAFolder() {
    #expect(
      HostileInputTests.location {
        _ = try FolderLedger.open(folder: "/nonexistent/ledger", schema: CanonicalSchema.v1)
      }
        == "ledger:1:1 CUS6018")
  }

  @Test func quotedFieldPastTheFieldLimitPointsAtItsQuote() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try HostileInputTests.writeBig(
      folder + "/sites.csv", header: "site,name,entity,in_scope\nSM1,\"", unit: "never closed, ",
      count: 200_000)
    #expect(HostileInputTests.location { try openAndRead(folder) } == "sites.csv:2:5 CUS6011")
  }
}

@Suite struct HostileJSONLinesTests {
  @Test func hugeJSONLine() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/sites.csv")
    try HostileInputTests.writeBig(
      folder + "/sites.jsonl",
      header: "{\"site\": \"SM1\", \"entity\": \"E\", \"in_scope\": true}\n{\"site\": \"",
      unit: String(repeating: "z", count: 1000), count: 100_000, tail: "\"}\n")
    #expect(
      HostileInputTests.location {
        _ = try TestLedger.readAll(
          try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1))
      } == "sites.jsonl:2:1 CUS6012")
  }

  @Test func nulByteInJSONLines() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/sites.csv")
    TestLedger.write(
      folder, "sites.jsonl",
      bytes: Array(
        "{\"site\": \"SM1\", \"entity\": \"E\", \"in_scope\": true}\n{\"site\": \"a".utf8) + [0])
    #expect(
      HostileInputTests.location {
        _ = try TestLedger.readAll(
          try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1))
      } == "sites.jsonl:2:12 CUS6014")
  }

  @Test func deeplyNestedJSONValue() throws {
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    try FileManager.default.removeItem(atPath: folder + "/sites.csv")
    let deep = String(repeating: "[", count: 100_000)
    TestLedger.write(
      folder, "sites.jsonl",
      "{\"site\": \"SM1\", \"entity\": \"E\", \"in_scope\": true}\n{\"site\": \(deep)\n")
    #expect(
      HostileInputTests.location {
        _ = try TestLedger.readAll(
          try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1))
      } == "sites.jsonl:2:43 CUS6017")
  }
}
