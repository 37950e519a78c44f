import CustodyReports
import CustodyValues
import Foundation
import Testing

/// The report model's enums (issue 17): the JSON words are today's, there is one severity
/// order, and a finding no clause grades is shown as unclassified, never as minor.
@Suite struct TypedReportModelTests {
  /// The planted report plus a finding of a rule no clause lists (the consequence of a failed
  /// prerequisite, suppressed by it).
  static var withUnclassified: Report {
    var r = PlantedReport.report
    r.rules.append(
      Report.RuleEntry(
        id: "orphan-check", kind: "row", status: .fail, reason: nil, rowsChecked: 3,
        rowsSkipped: 0, findings: 1))
    r.findings.append(
      Report.Finding(
        id: "F-orphan-0001", rule: "orphan-check", clauses: [], severity: nil, status: .fail,
        message: "consequence of F-cu-content-0001", evidence: [], evidenceTotal: 0,
        account: nil, waiver: nil, suppressedBy: "F-cu-content-0001"))
    return r
  }

  static func object(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func theJSONWordsAreTodays() throws {
    let json = try Self.object(try JSONReporter().render(PlantedReport.report))
    #expect(json["verdict"] as? String == "non_conformant")
    #expect(json["fail_on"] as? String == "minor")
    let clauses = try #require(json["clauses"] as? [[String: Any]])
    #expect(
      clauses.map { $0["status"] as? String } == [
        "conformant", "documentary", "not_applicable", "non_conformant", "not_evaluated",
        "non_conformant", "conformant",
      ])
    let rules = try #require(json["rules"] as? [[String: Any]])
    #expect(
      rules.map { $0["status"] as? String } == [
        "pass", "not_applicable", "fail", "error", "fail", "pass",
      ])
    let findings = try #require(json["findings"] as? [[String: Any]])
    #expect(findings.map { $0["status"] as? String } == ["fail", "fail", "waived"])
    #expect(findings.map { $0["severity"] as? String } == ["major", "minor", "observation"])
    let waivers = try #require(json["waivers"] as? [[String: Any]])
    #expect(waivers.map { $0["status"] as? String } == ["applied"])
  }

  @Test func oneSeverityOrderMajorFirst() {
    #expect(ClauseSeverity.allCases.shuffled().sorted() == [.major, .minor, .observation])
    #expect(ClauseSeverity.major < .minor && ClauseSeverity.minor < .observation)
    #expect(!(ClauseSeverity.observation < .major))
  }

  @Test func anUnknownWordIsRefusedNotGuessed() throws {
    var text = String(decoding: try JSONReporter().render(PlantedReport.report), as: UTF8.self)
    text = text.replacingOccurrences(
      of: "\"verdict\" : \"non_conformant\"", with: "\"verdict\" : \"passed\"")
    #expect(text.contains("\"passed\""))
    #expect(throws: DecodingError.self) {
      try CanonicalJSON.decode(Report.self, from: Data(text.utf8))
    }
    // The unchanged text decodes to the same report.
    let same = try CanonicalJSON.decode(
      Report.self, from: try JSONReporter().render(PlantedReport.report))
    #expect(same == PlantedReport.report)
  }

  @Test func aFindingNoClauseGradesIsUnclassifiedInJSON() throws {
    let report = Self.withUnclassified
    let data = try JSONReporter().render(report)
    let findings = try #require(try Self.object(data)["findings"] as? [[String: Any]])
    let orphan = try #require(findings.first { $0["id"] as? String == "F-orphan-0001" })
    #expect(orphan["severity"] == nil)
    #expect(orphan["suppressed_by"] as? String == "F-cu-content-0001")
    #expect(report.findings.last?.severityLabel == "unclassified")
    #expect(report.findings.first?.severityLabel == "major")
  }

  @Test func aFindingNoClauseGradesIsASARIFNote() throws {
    let log = try Self.object(try SARIFReporter().render(Self.withUnclassified))
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(results.map { $0["level"] as? String } == ["error", "warning", "note", "note"])
    let orphan = try #require(results.last)
    #expect(orphan["ruleId"] as? String == "orphan-check")
    let properties = try #require(orphan["properties"] as? [String: Any])
    #expect(properties["severity"] as? String == "unclassified")
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    let rule = try #require((driver["rules"] as? [[String: Any]])?.last)
    #expect(rule["id"] as? String == "orphan-check")
    #expect(
      (rule["defaultConfiguration"] as? [String: Any])?["level"] as? String == "note")
  }
}
