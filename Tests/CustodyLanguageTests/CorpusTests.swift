import CustodyDiagnostics
import CustodyLanguage
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The golden corpus of broken inputs: each folder under Corpus/broken is linted as a whole,
/// and every diagnostic (errors and warnings, with file:line:column, message, code and
/// suggestions) must equal the folder's `expect.txt`. Re-record with CUSTODY_RECORD=1.
@Suite struct CorpusTests {
  static let root = corpusPath("broken")

  static var cases: [String] {
    guard let dir = opendir(root) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if !name.hasPrefix(".") && !name.hasPrefix("_") { names.append(name) }
    }
    return names.sorted()
  }

  static func render(_ d: Diagnostic) -> String {
    var line = d.description.replacingOccurrences(of: root + "/", with: "")
    if !d.suggestions.isEmpty {
      line += " (did you mean " + d.suggestions.map { "'\($0)'" }.joined(separator: " or ") + "?)"
    }
    return line
  }

  @Test func corpusIsLargeEnough() {
    #expect(Self.cases.count >= 30)
  }

  @Test(arguments: CorpusTests.cases)
  func brokenInputGivesExpectedDiagnostics(_ name: String) throws {
    let dir = Self.root + "/" + name
    let result = Compiler().lint(paths: [dir])
    let actual = result.diagnostics.map(Self.render)
    let expectPath = dir + "/expect.txt"
    if getenv("CUSTODY_RECORD") != nil {
      let text = actual.joined(separator: "\n") + "\n"
      let file = fopen(expectPath, "w")
      fputs(text, file)
      fclose(file)
    }
    let expected = try readLines(expectPath)
    #expect(actual == expected)
    // None compiles silently: every case but the lint one has an error; that one warnings.
    if name.hasPrefix("lint-") {
      #expect(result.warningCount > 0)
    } else {
      #expect(result.errorCount > 0)
    }
    // Speed on hostile inputs is measured by scripts/hostile-timing.sh, never by a timed test.
  }
}

func readLines(_ path: String) throws -> [String] {
  guard let file = fopen(path, "r") else {
    Issue.record("missing \(path); run with CUSTODY_RECORD=1 and review it")
    return []
  }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while true {
    let n = fread(&buffer, 1, buffer.count, file)
    if n <= 0 { break }
    bytes += buffer[0..<n]
  }
  return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
}
