import CustodyDiagnostics
import CustodyEngine
import CustodyLedger
import CustodyYAML
import Foundation
import Testing

/// Runs every inline `tests:` case of the shared rule library through the real engine: a
/// `pass` case passes; a failing case fails citing exactly the expected rows.
@Suite struct RuleInlineTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var rule: String
    var name: String
    var file: String
    var index: Int
    var testDescription: String { "\(rule): \(name)" }
  }

  static var cases: [Case] {
    var out: [Case] = []
    let root = SampleGeneratorTests.root + "/rules"
    let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }.sorted() ?? []
    for f in files {
      var bag = DiagnosticBag()
      guard let m = YAMLLoader().load(path: root + "/" + f, into: &bag)?.mapping, let rule = m["rule"]?.scalar?.value else { continue }
      for (i, t) in (m["tests"]?.sequence?.items ?? []).enumerated() {
        out.append(Case(rule: rule, name: t.mapping?["name"]?.scalar?.value ?? "", file: root + "/" + f, index: i))
      }
    }
    return out
  }

  @Test func everyRuleHasAPassingAndAFailingCase() throws {
    var bag = DiagnosticBag()
    var kinds: [String: Set<String>] = [:]
    for c in Self.cases {
      let t = YAMLLoader().load(path: c.file, into: &bag)?.mapping?["tests"]?.sequence?.items[c.index].mapping
      kinds[c.rule, default: []].insert(t?["expect"]?.scalar?.value == "pass" ? "pass" : "fail")
    }
    #expect(kinds.count == 29)
    #expect(kinds.filter { $0.value != ["pass", "fail"] }.keys.sorted() == [])
  }

  @Test(arguments: cases)
  func inlineCase(_ c: Case) throws {
    var bag = DiagnosticBag()
    let t = try #require(YAMLLoader().load(path: c.file, into: &bag)?.mapping?["tests"]?.sequence?.items[c.index].mapping)
    var assembly = try MiniCompiler(root: SampleGeneratorTests.root)
    let assembled = assembly.ruleAlone(c.rule, with: t["params"]?.mapping)
    let standard = try #require(assembled)
    #expect(assembly.bag.diagnostics.map(\.description) == [])
    var rows: [String: [[String: String]]] = [:]
    for (table, list) in t["given"]?.mapping?.pairs ?? [] {
      rows[table.value] = (list.sequence?.items ?? []).compactMap(\.mapping).map { row in
        Dictionary(row.pairs.map { ($0.key.value, $0.value.scalar?.value ?? "") }) { a, _ in a }
      }
    }
    let ledger = try InMemoryLedger(schema: assembly.schema, rows: rows)
    let result = try Engine(standard: standard, options: EngineOptions(evidenceLimit: 100)).evaluate(ledger: ledger)
    let status = result.rules.first { $0.id == c.rule }?.status.rawValue
    let findings = result.findings.filter { $0.ruleID == c.rule }
    #expect(ledger.cellErrors.map(\.message) == [])
    if t["expect"]?.scalar?.value == "pass" {
      #expect(status == "pass", "\(findings.map(\.message))")
    } else {
      let expect = t["expect"]?.mapping
      #expect(status == expect?["status"]?.scalar?.value, "\(findings.map(\.message))")
      let expected = Set(expect?["rows"]?.sequence?.items.compactMap { $0.scalar?.value } ?? [])
      let cited = Set(findings.flatMap { $0.evidence.map(\.key) })
      #expect(cited == expected, "\(findings.map(\.message))")
    }
  }
}
