import CustodyReports
import Foundation
import Testing

/// Exact checks on what each format says about the planted report, so a golden re-record cannot
/// silently drop content.
@Suite struct FormatContentTests {
  let report = PlantedReport.report

  @Test func csvHasOneRowPerEvidenceRowWithRFC4180Quoting() throws {
    let csv = CSVReporter().render(report)
    let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    // header + 1 overdraft row + 20 shown cu-content rows + 1 waived wording row
    #expect(rows.count == 23)
    #expect(
      rows[0]
        == "nonconformity,clause,rule,severity,waived,summary,requirement,evidence_total,file,line,entry_id,column,value"
    )
    #expect(rows[1].hasSuffix(",1,sales.csv,124,S-000123,quantity_t,40.000"))
    // A value starting with "=" is defused; its quotes are doubled and the field is quoted.
    #expect(
      rows[22].hasSuffix(
        ",sales.csv,77,S-000076,claim_text,\"'=\"\"PCL100\"\", \"\"100% recycled\"\" <b>bold</b> | *claim*\""
      ))
  }

  @Test func junitHasASuitePerSectionAndAFailurePerNonConformantClause() {
    let xml = JUnitReporter().render(report)
    #expect(xml.components(separatedBy: "<testsuite ").count - 1 == 4)
    #expect(xml.components(separatedBy: "<failure ").count - 1 == 2)
    #expect(xml.components(separatedBy: "<error ").count - 1 == 1)
    #expect(xml.components(separatedBy: "<skipped ").count - 1 == 2)
    #expect(xml.contains("timestamp=\"2024-04-02T09:30:00\""))
    #expect(xml.contains("name=\"CUA-3.2 Copper content matches gross weight &amp; grade\""))
    #expect(xml.contains("  receipts.csv:48 R-000078 cu_t=39.144\n  ... 5 more rows\n"))
    #expect(xml.contains("waived [observation] CUA-4.5 claim-wording"))
  }

  @Test func junitWithoutTimestampUsesTheEpoch() {
    var deterministic = report
    deterministic.generatedAt = nil
    #expect(JUnitReporter().render(deterministic).contains("timestamp=\"1970-01-01T00:00:00\""))
  }

  @Test func sarifResultsCarryLevelLocationAndClause() throws {
    let data = try SARIFReporter().render(report)
    let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(log["version"] as? String == "2.1.0")
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    let rules = try #require(driver["rules"] as? [[String: Any]])
    #expect(rules.map { $0["id"] as? String } == report.rules.map(\.id))
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(results.map { $0["level"] as? String } == ["error", "warning", "note"])
    #expect(results.map { $0["ruleIndex"] as? Int } == [4, 2, 5])
    let first = try #require((results[0]["locations"] as? [[String: Any]])?.first)
    let physical = try #require(first["physicalLocation"] as? [String: Any])
    #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "sales.csv")
    #expect((physical["region"] as? [String: Any])?["startLine"] as? Int == 124)
    #expect((results[0]["properties"] as? [String: Any])?["clause"] as? String == "CUA-4.3")
    #expect((results[1]["locations"] as? [Any])?.count == 20)
    #expect(results[2]["suppressions"] != nil)
    #expect(results[0]["suppressions"] == nil)
  }

  @Test func markdownEscapesTableBreakingCharacters() {
    let md = MarkdownReporter().render(report)
    #expect(
      md.contains(
        "| sales.csv | 77 | S-000076 | claim\\_text | =\"PCL100\", \"100% recycled\" &lt;b&gt;bold&lt;/b&gt; \\| \\*claim\\* |"
      ))
    #expect(
      md.contains(
        "| 2024-02-28 | debit | -40.000 | **-7.250** (first failure) | sales.csv:124 S-000123 |"))
    #expect(md.contains("5 more rows not shown"))
  }

  @Test func htmlIsSelfContainedAndEscaped() {
    let html = HTMLReporter().render(report)
    #expect(!html.contains("<script"))
    #expect(
      !html.contains("http://")
        || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains(
          "http://")
    )
    #expect(!html.contains("https://"))
    #expect(html.contains("<h1>CU-AGAIN Chain of Custody &lt;Mass Balance&gt; &amp; Credits"))
    #expect(html.contains("@media print"))
    #expect(html.contains("<p class=\"verdict bad\">NON-CONFORMANT</p>"))
    #expect(html.contains("<tr class=\"first-failure\"><td>2024-02-28</td>"))
    #expect(html.contains("5 more rows not shown"))
  }
}
