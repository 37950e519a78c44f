import CustodyDiagnostics
import CustodyValues
import Foundation
import Testing

@testable import CustodyLedger

/// The golden corpus of malformed ledgers (Corpus/<case>/): each case folder holds the files
/// that replace the valid ledger's, and `expected` with `file:line:column CODE` (plus
/// `remove <file>` lines). Corpus/generate.py regenerates the folders and their expectations.
@Suite struct CorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Corpus").path

  static var cases: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []
    return names.filter { name in
      var isDir: ObjCBool = false
      return FileManager.default.fileExists(atPath: corpus + "/" + name, isDirectory: &isDir)
        && isDir.boolValue
    }.sorted()
  }

  @Test func corpusHasAtLeast25Cases() {
    #expect(CorpusTests.cases.count >= 25)
  }

  /// Opens the case's ledger and reads every table; the first structural error, as
  /// `file:line:column CODE` with the file name only.
  static func firstError(_ folder: String) -> String {
    do {
      let ledger = try FolderLedger.open(folder: folder, schema: CanonicalSchema.v1)
      _ = try TestLedger.readAll(ledger)
      return "no error"
    } catch let error as LedgerError {
      let d = error.diagnostic
      guard let span = d.span else { return "no location \(d.code.id)" }
      let file = (span.start.file as NSString).lastPathComponent
      return "\(file):\(span.start.line):\(span.start.column) \(d.code.id)"
    } catch {
      return "unexpected \(error)"
    }
  }

  @Test(arguments: CorpusTests.cases)
  func malformedLedger(_ name: String) throws {
    let dir = CorpusTests.corpus + "/" + name
    let expected = try String(contentsOfFile: dir + "/expected", encoding: .utf8)
      .split(separator: "\n").map(String.init)
    let folder = TestLedger.writeValid()
    defer { TestLedger.remove(folder) }
    for line in expected.dropFirst() where line.hasPrefix("remove ") {
      try FileManager.default.removeItem(atPath: folder + "/" + line.dropFirst(7))
    }
    for file in try FileManager.default.contentsOfDirectory(atPath: dir) where file != "expected" {
      let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))
      _ = FileManager.default.createFile(atPath: folder + "/" + file, contents: data)
    }
    #expect(CorpusTests.firstError(folder) == expected.first)
  }
}
