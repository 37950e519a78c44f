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
    let page = DiagnosticsDoc.render()
    for code in DiagnosticCode.all {
      #expect(page.contains("| \(code.id) |"))
    }
    #expect(DiagnosticCode.all.filter { $0.id.hasPrefix("CUS3") }.count == 17)
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
