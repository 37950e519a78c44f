import CustodyAuthoring
import CustodyDiagnostics
import CustodyReports
import CustodyValues
import CustodyYAML
import Foundation
import Testing

/// Issue 5 acceptance 1: the sample ledger is conformant under every shipped standard, and each
/// planted fixture makes exactly its clause(s) non-conformant, with the planted rows as evidence.
@Suite(.serialized) struct PlantedFixtureTests {
  static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/"
      && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
    {
      url.deleteLastPathComponent()
    }
    return url.path
  }()

  static let planted: [String] = {
    let dir = root + "/fixtures/planted"
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
  }()

  struct Expected {
    /// The clause the plant targets; its non-conformities cite exactly `rows`.
    var clause: String
    var nonConformant: [String]
    /// Clauses the plant leaves undecidable (issue 16): never conformant, never an NC.
    var notEvaluated: [String]
    var rows: [String]
  }

  static func expected(_ folder: String) throws -> Expected {
    var bag = DiagnosticBag()
    let node = try #require(YAMLLoader().load(path: folder + "/expected.yaml", into: &bag))
    let map = try #require(node.mapping)
    let clauses = map["non_conformant"]?.sequence?.items.compactMap { $0.scalar?.value } ?? []
    let rows = map["rows"]?.sequence?.items.compactMap { $0.scalar?.value } ?? []
    let clause = try #require(map["clause"]?.scalar?.value)
    let open = map["not_evaluated"]?.sequence?.items.compactMap { $0.scalar?.value } ?? []
    return Expected(clause: clause, nonConformant: clauses, notEvaluated: open, rows: rows)
  }

  static func validate(_ standard: String, _ ledger: String) -> ValidationPipeline.Outcome {
    ValidationPipeline.run(
      ValidationPipeline.Request(
        standardPath: root + "/" + standard, ledgerPath: ledger,
        asOf: CivilDate(year: 2026, month: 1, day: 1)!, failOn: .observation, evidenceLimit: 10_000,
        deterministic: true, toolVersion: "test"))
  }

  @Test(arguments: [
    "standards/cu-again-coc.yaml", "standards/asi-coc-mb.yaml", "standards/coppermark-coc-mb.yaml",
  ])
  func sampleLedgerIsConformant(standard: String) throws {
    guard
      case .evaluated(let report, _, _) = Self.validate(standard, Self.root + "/fixtures/sample")
    else {
      Issue.record("\(standard) did not evaluate the sample ledger")
      return
    }
    #expect(report.nonconformities.map { "\($0.clause) \($0.rule): \($0.summary)" } == [])
    #expect(report.verdict == .conformant)
    #expect(report.clauses.filter { $0.status == .notEvaluated }.map(\.id) == [])
  }

  @Test(arguments: planted)
  func plantedFixtureBreaksExactlyItsClause(folder: String) throws {
    let path = Self.root + "/fixtures/planted/" + folder
    let expected = try Self.expected(path)
    guard case .evaluated(let report, _, _) = Self.validate("standards/cu-again-coc.yaml", path)
    else {
      Issue.record("cu-again-coc did not evaluate \(folder)")
      return
    }
    let nonConformant = report.clauses.filter { $0.status == .nonConformant }.map(\.id).sorted()
    #expect(nonConformant == expected.nonConformant.sorted(), "\(folder)")
    let notEvaluated = report.clauses.filter { $0.status == .notEvaluated }.map(\.id).sorted()
    #expect(notEvaluated == expected.notEvaluated.sorted(), "\(folder)")
    // One root cause, one non-conformity: exactly one per expected clause and rule.
    #expect(
      report.nonconformities.map(\.clause).sorted() == expected.nonConformant.sorted(),
      "\(folder)")
    // Rows without an entry id are cited as `file.csv:line`, as expected.yaml writes them.
    let rows = Set(
      report.nonconformities.filter { $0.clause == expected.clause }.flatMap(\.evidence).map { e in
        e.entryId ?? "\(e.file.split(separator: "/").last ?? ""):\(e.line)"
      })
    #expect(rows == Set(expected.rows), "\(folder)")
  }

  @Test func twoRunsAreByteIdentical() throws {
    guard
      case .evaluated(let a, _, _) = Self.validate(
        "standards/cu-again-coc.yaml", Self.root + "/fixtures/planted/cua-4.3"),
      case .evaluated(let b, _, _) = Self.validate(
        "standards/cu-again-coc.yaml", Self.root + "/fixtures/planted/cua-4.3")
    else {
      Issue.record("did not evaluate")
      return
    }
    #expect(try ReportFormat.json.renderData(a) == ReportFormat.json.renderData(b))
    #expect(a.generatedAt == nil)
  }
}
