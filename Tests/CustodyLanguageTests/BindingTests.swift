import CustodyDiagnostics
import CustodyLanguage
import CustodyValues
import Foundation
import Testing

/// Writes files under a fresh temporary folder and returns it.
func writeTree(_ files: [String: String]) throws -> String {
  let dir = NSTemporaryDirectory() + "custody-lang-" + UUID().uuidString
  for (path, text) in files {
    let full = dir + "/" + path
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: full, atomically: true, encoding: .utf8)
  }
  return dir
}

private func standard(_ clauses: String, parameters: String = "") -> String {
  """
  standard: s
  title: S
  version: "1"
  schema: schema.yaml
  rules: [.]
  \(parameters)
  sections:
    - id: S-1
      title: Section
      clauses:
  \(clauses)
  """
}

private let schema = """
  schema: t
  version: "1"
  tables:
    - name: receipts
      key: [entry_id]
      columns:
        - {name: entry_id, type: string}
        - {name: cu_t, type: decimal, unit: t}
        - {name: site, type: string}
  """

private let rule = """
  rule: r
  title: R
  params:
    limit: {type: decimal, unit: t, default: 5}
  check: {kind: row, table: receipts, assert: cu_t <= $limit}
  message: "{entry_id}: {cu_t} > {$limit} {{t}}"
  tests:
    - {name: ok, given: {receipts: [{entry_id: A, cu_t: "1"}]}, expect: pass}
  """

private func clause(_ id: String, _ rules: String) -> String {
  """
      - id: \(id)
        title: \(id)
        requirement: x
        severity: minor
        rules: \(rules)

  """
}

@Suite struct BindingTests {
  @Test func identicalBindingsShareOneInstanceDifferentOnesDoNot() throws {
    let dir = try writeTree([
      "schema.yaml": schema, "r.yaml": rule,
      "standard.yaml": standard(
        clause("C-1", "[r]") + clause("C-2", "[{rule: r, with: {limit: 5}}]")
          + clause("C-3", "[{rule: r, with: {limit: $lim}}]"),
        parameters: "parameters:\n  lim: {type: decimal, unit: t, default: 7}"),
    ])
    let result = Compiler().compileStandard(path: dir + "/standard.yaml")
    #expect(result.diagnostics.map(\.description) == [])
    let rules = result.standard?.rules ?? []
    #expect(rules.map(\.id) == ["r", "r#2"])
    #expect(rules.map(\.clauseIDs) == [["C-1", "C-2"], ["C-3"]])
    #expect(rules.map { $0.parameters.map(\.value) } == [[.decimal(5)], [.decimal(7)]])
    #expect(
      rules.map { $0.parameters.map(\.origin) } == [[.defaultValue], [.standardParameter("lim")]])
    #expect(rules[0].digest != rules[1].digest)
  }

  @Test func messageTemplateSplitsTextAndExpressions() throws {
    let dir = try writeTree([
      "schema.yaml": schema, "r.yaml": rule, "standard.yaml": standard(clause("C-1", "[r]")),
    ])
    let message = try #require(
      Compiler().compileStandard(path: dir + "/standard.yaml").standard?.rules.first?.message)
    let shape = message.parts.map { part -> String in
      switch part {
      case .text(let t): "text:" + t
      case .expression(let e): "expr:" + e.text
      }
    }
    #expect(
      shape == ["expr:entry_id", "text:: ", "expr:cu_t", "text: > ", "expr:$limit", "text: {t}"])
  }

  @Test func diagnosticsAreCappedWithACount() throws {
    var keys = ""
    for i in 0..<150 { keys += "bogus_\(i): 1\n" }
    let dir = try writeTree(["r.yaml": "rule: r\ntitle: R\ncheck: {kind: row}\n" + keys])
    var options = CompilerOptions()
    options.maxDiagnostics = 100
    let result = Compiler(options: options).lint(paths: [dir])
    #expect(result.diagnostics.count == 100)
    #expect(result.omittedDiagnostics == 51)
    #expect(result.errorCount == 150)
  }

  @Test func compileRejectsANonStandardFile() throws {
    let dir = try writeTree(["r.yaml": rule])
    let result = Compiler().compileStandard(path: dir + "/r.yaml")
    #expect(result.standard == nil)
    #expect(result.diagnostics.map(\.code) == [.wrongFileKind])
    #expect(result.stages == [.load, .parse])
  }
}
