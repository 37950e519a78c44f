import CustodyEngine
import CustodyLedger
import CustodyYAML
import CustodyDiagnostics
import Foundation
import Testing

/// Runs every fixture test case of the shipped standards (their `tests:` lists) through the
/// real ledger reader and engine: the verdict, exactly the expected non-conformant clauses,
/// and the expected rows among each clause's evidence (issue 5, acceptance 1 and 3).
@Suite struct StandardFixtureTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var standard: String
    var name: String
    var ledger: String
    var verdict: String
    var clauses: [String: String]
    var rows: [String: [String]]
    var testDescription: String { "\(standard): \(name)" }
  }

  static let standards = [
    "standards/cu-again-coc.yaml", "standards/asi-coc-mb.yaml", "standards/coppermark-coc-mb.yaml",
    "Tests/CustodyIntegrationTests/Variants/cu-again-quarterly.yaml",
  ]

  static var cases: [Case] {
    var out: [Case] = []
    for standard in standards {
      var bag = DiagnosticBag()
      let path = SampleGeneratorTests.root + "/" + standard
      guard let tests = YAMLLoader().load(path: path, into: &bag)?.mapping?["tests"]?.sequence else { continue }
      let base = (path as NSString).deletingLastPathComponent
      for t in tests.items.compactMap(\.mapping) {
        let expect = t["expect"]?.mapping
        var clauses: [String: String] = [:]
        for (k, v) in expect?["clauses"]?.mapping?.pairs ?? [] { clauses[k.value] = v.scalar?.value }
        var rows: [String: [String]] = [:]
        for (k, v) in expect?["rows"]?.mapping?.pairs ?? [] { rows[k.value] = v.sequence?.items.compactMap { $0.scalar?.value } }
        out.append(Case(
          standard: standard, name: t["name"]?.scalar?.value ?? "",
          ledger: base + "/" + (t["ledger"]?.scalar?.value ?? ""), verdict: expect?["verdict"]?.scalar?.value ?? "",
          clauses: clauses, rows: rows))
      }
    }
    return out
  }

  @Test func everyStandardHasFixtureCases() {
    let byStandard = Dictionary(grouping: Self.cases, by: \.standard)
    #expect(byStandard.count == Self.standards.count)
    #expect(byStandard["standards/cu-again-coc.yaml"]?.count == 21)
  }

  @Test(arguments: cases)
  func fixtureCase(_ c: Case) throws {
    var assembly = try MiniCompiler(root: SampleGeneratorTests.root)
    let assembled = assembly.standard(SampleGeneratorTests.root + "/" + c.standard)
    let compiled = try #require(assembled)
    #expect(assembly.bag.diagnostics.map(\.description) == [])
    let ledger = try FolderLedger.open(folder: c.ledger, schema: assembly.schema)
    let result = try Engine(standard: compiled, options: EngineOptions()).evaluate(ledger: ledger)
    #expect(result.verdict.rawValue == c.verdict)
    let failing = Set(result.clauses.filter { $0.status != .conformant && $0.status != .documentary }.map(\.id))
    #expect(failing == Set(c.clauses.keys), "other statuses: \(result.clauses.filter { failing.contains($0.id) }.map { "\($0.id) \($0.status) \($0.reason ?? "")" })")
    for clause in c.clauses.keys {
      #expect(result.clauses.first { $0.id == clause }?.status.rawValue == c.clauses[clause])
    }
    for (clause, rows) in c.rows {
      let evidence = Set(result.findings.filter { $0.clauseIDs.contains(clause) }.flatMap { $0.evidence.map(\.key) })
      #expect(Set(rows).isSubset(of: evidence), "\(clause): \(rows) not all in \(evidence.sorted().prefix(10))")
    }
  }
}
