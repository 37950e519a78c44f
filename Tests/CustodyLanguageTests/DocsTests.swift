import CustodyDiagnostics
import CustodyLanguage
import Foundation
import Testing

@Suite struct DiagnosticsDocTests {
  @Test func diagnosticsPageIsUpToDate() throws {
    let path = repositoryPath("docs/diagnostics.md")
    let rendered = DiagnosticsDoc.render()
    if ProcessInfo.processInfo.environment["CUSTODY_RECORD"] != nil {
      try rendered.write(toFile: path, atomically: true, encoding: .utf8)
    }
    let onDisk = try String(contentsOfFile: path, encoding: .utf8)
    #expect(onDisk == rendered)
  }

  @Test func everyLanguageCodeIsDocumented() {
    #expect(DiagnosticCode.all.filter { $0.id.hasPrefix("CUS3") }.count == 17)
  }
}

/// Codes read from the source files themselves, not from `DiagnosticCode.all` (a code left out
/// of its group's list would be missing from both `all` and the page generated from it).
@Suite struct DiagnosticCodeTests {
  /// The id of every `DiagnosticCode("CUSnnnn", ...)` declared in CustodyDiagnostics.
  static func declaredCodes() throws -> [String] {
    let folder = repositoryPath("Sources/CustodyDiagnostics")
    var ids: [String] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    where name.hasPrefix("DiagnosticCode+") && name.hasSuffix(".swift") {
      let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
      ids += text.matches(of: #/DiagnosticCode\(\s*"(CUS\d{4})"/#).map { String($0.1) }
    }
    return ids
  }

  @Test func everyCodeIsUniqueListedAndDocumentedOnThePage() throws {
    let declared = try Self.declaredCodes()
    #expect(declared.count >= 134)
    let repeated = Dictionary(grouping: declared, by: { $0 }).filter { $0.value.count > 1 }
    #expect(repeated.keys.sorted() == [])
    // `all` holds each declared code once.
    #expect(DiagnosticCode.all.map(\.id).sorted() == declared.sorted())
    // The page on disk (not one rendered now) has one row per code.
    let page = try String(contentsOfFile: repositoryPath("docs/diagnostics.md"), encoding: .utf8)
    let rows = page.matches(of: #/(?m)^\| (CUS\d{4}) \|/#).map { String($0.1) }
    #expect(rows.sorted() == declared.sorted())
  }
}

@Suite struct RuleLanguageDocTests {
  /// Rows of the function table: `| `name` | `signature` | ... |`.
  static func functionRows() throws -> [(name: String, signature: String)] {
    let text = try String(contentsOfFile: repositoryPath("docs/rule-language.md"), encoding: .utf8)
    guard let start = text.range(of: "<!-- functions -->"),
      let end = text.range(of: "<!-- /functions -->")
    else {
      Issue.record("no function table markers")
      return []
    }
    return text[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line in
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      guard cells.count >= 2, cells[0].hasPrefix("`") else { return nil }
      return (
        cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")),
        cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
      )
    }
  }

  @Test func functionTableMatchesBuiltins() throws {
    let rows = try Self.functionRows()
    #expect(rows.map(\.name) == BuiltinFunction.allCases.map(\.rawValue))
    #expect(rows.map(\.signature) == BuiltinFunction.allCases.map(\.signature))
  }
}
