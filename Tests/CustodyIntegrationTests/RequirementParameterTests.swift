import CustodyAuthoring
import CustodyLanguage
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// `{$param}` in requirement texts (issue 18). The quarterly variant's CUA-3.4 reads
/// "abs(gross_t x cu_pct / 100 - cu_t) <= {$copper_tolerance_t} t."; every reader sees the
/// bound value, 0.001. (An unknown name is CUS2024: Corpus/broken/requirement-unknown-parameter.)
@Suite struct RequirementParameterTests {
  static let root = PlantedFixtureTests.root
  static let variant = root + "/Tests/CustodyIntegrationTests/Variants/cu-again-quarterly.yaml"
  static let written = "abs(gross_t x cu_pct / 100 - cu_t) <= {$copper_tolerance_t} t."
  static let bound = "abs(gross_t x cu_pct / 100 - cu_t) <= 0.001 t."

  static func compile(_ path: String) throws -> CompiledStandard {
    let r = Compiler().compileStandard(path: path)
    return try #require(r.standard, "\(r.diagnostics)")
  }

  /// A copy of the variant whose `copper_tolerance_t` defaults to `tolerance`, its schema and
  /// rules paths made absolute so it compiles from a temporary folder.
  static func copy(tolerance: String) throws -> String {
    var text = try String(contentsOfFile: variant, encoding: .utf8)
    text = text.replacingOccurrences(of: "../../../", with: root + "/")
    let declaration = "copper_tolerance_t: {type: decimal, unit: t, default: 0.001,"
    #expect(text.contains(declaration))
    text = text.replacingOccurrences(
      of: declaration, with: "copper_tolerance_t: {type: decimal, unit: t, default: \(tolerance),")
    let path = NSTemporaryDirectory() + "kit-requirement-\(UUID().uuidString).yaml"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func report() throws -> Report {
    let request = ValidationPipeline.Request(
      standardPath: variant, ledgerPath: root + "/fixtures/planted/cua-3.4",
      asOf: try #require(CivilDate(year: 2026, month: 1, day: 1)), deterministic: true,
      toolVersion: "test")
    let outcome = ValidationPipeline.run(request)
    return try #require({ if case .evaluated(let r, _, _) = outcome { r } else { nil } }())
  }

  @Test func theClauseKeepsItsWordsAndBindsThemOnRequest() throws {
    let s = try Self.compile(Self.variant)
    let clause = try #require(s.clause("CUA-3.4"))
    #expect(clause.requirement == Self.written)
    #expect(clause.requirement(boundTo: s.parameters) == Self.bound)
  }

  @Test func placeholdersAreFoundWithTheirOffsets() {
    let found = RequirementText.placeholders(in: "a {$x} b {$long_name} {$ c")
    #expect(found.map(\.name) == ["x", "long_name", " c"])
    #expect(found.map(\.offset) == [2, 9, 22])
    #expect(found.map(\.length) == [4, 12, 4])
  }

  @Test func explainShowsTheBoundValue() throws {
    let s = try Self.compile(Self.variant)
    let text = try #require(Explainer.explain("CUA-3.4", in: s))
    #expect(text.contains("\n  Requirement:\n    \(Self.bound)\n"))
    #expect(!text.contains("{$"))
  }

  @Test func everyReportFormatShowsTheBoundValue() throws {
    let report = try Self.report()
    #expect(report.nonconformities.contains { $0.clause == "CUA-3.4" })
    #expect(report.clauses.first { $0.id == "CUA-3.4" }?.requirement == Self.bound)
    let json = try ReportFormat.json.render(report)
    #expect(json.contains("\"requirement\" : \"abs(gross_t x cu_pct / 100 - cu_t) <= 0.001 t.\""))
    #expect(!json.contains("{$"))
    let text = try ReportFormat.text.render(report)
    #expect(text.contains("\n   requirement: \(Self.bound)\n"))
    let markdown = try ReportFormat.markdown.render(report)
    #expect(
      markdown.contains(
        "\nRequirement: abs(gross\\_t x cu\\_pct / 100 - cu\\_t) &lt;= 0.001 t.\n\n"))
    let html = try ReportFormat.html.render(report)
    #expect(
      html.contains(
        "<p class=\"requirement\">Requirement: abs(gross_t x cu_pct / 100 - cu_t) &lt;= 0.001 t.</p>\n"
      ))
    let csv = try ReportFormat.csv.render(report)
    #expect(
      csv.contains(
        ",CUA-3.4,copper-content-consistent,minor,false,")
        && csv.contains(",abs(gross_t x cu_pct / 100 - cu_t) <= 0.001 t.,"))
    let junit = try ReportFormat.junit.render(report)
    #expect(junit.contains("\n  requirement: abs(gross_t x cu_pct / 100 - cu_t) &lt;= 0.001 t.\n"))
    let sarif = try JSONSerialization.jsonObject(with: try ReportFormat.sarif.renderData(report))
    let run = try #require(((sarif as? [String: Any])?["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    let rule = try #require(
      (driver["rules"] as? [[String: Any]])?.first {
        $0["id"] as? String == "copper-content-consistent"
      })
    #expect(
      (rule["fullDescription"] as? [String: Any])?["text"] as? String == "CUA-3.4: \(Self.bound)")
  }

  @Test func diffShowsTheRequirementWhenOnlyAParameterChanges() throws {
    let old = try Self.copy(tolerance: "0.001")
    let new = try Self.copy(tolerance: "0.002")
    defer {
      try? FileManager.default.removeItem(atPath: old)
      try? FileManager.default.removeItem(atPath: new)
    }
    let diff = StandardDiff(old: try Self.compile(old), new: try Self.compile(new))
    #expect(
      diff.renderText(oldLabel: "old", newLabel: "new") == """
        --- old
        +++ new
        ~ parameter copper_tolerance_t changed
            value: 0.001 -> 0.002
        ~ clause CUA-3.4 changed
            requirement: abs(gross_t x cu_pct / 100 - cu_t) <= 0.001 t. -> abs(gross_t x cu_pct / 100 - cu_t) <= 0.002 t.
        ~ rule copper-content-consistent changed
            compiled meaning changed
            parameter tolerance_t: 0.001 -> 0.002

        """)
  }
}
