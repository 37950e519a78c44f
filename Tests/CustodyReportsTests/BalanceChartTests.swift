import CustodyReports
import Testing

/// The running-balance chart: exact coordinates from exact decimals.
@Suite struct BalanceChartTests {
  @Test func chartMarksZeroLineAndFirstFailure() {
    let html = HTMLReporter().render(PlantedReport.report)
    // Range -7.250 .. 42.500 over a 192 px plot from y=24: zero at 24 + 42.5 * 192 / 49.75.
    #expect(html.contains("<line x1=\"96\" y1=\"188\" x2=\"696\" y2=\"188\" class=\"zero\"/>"))
    // Fifth posting of seven: x = 96 + 5 * 600 / 7 = 524.6; balance -7.250 is the bottom, y = 216.
    #expect(html.contains("<circle cx=\"524.6\" cy=\"216\" r=\"7\" class=\"failure\"/>"))
    #expect(html.contains("first failure 2024-02-28: -7.250 (S-000123)"))
    #expect(html.contains("<polyline class=\"balance\" points=\"96,139.8 181.7,139.8 181.7,24 "))
  }

  @Test func conformantTraceHasNoFailureMark() {
    var report = PlantedReport.report
    report.accounts[0].firstFailure = nil
    #expect(!HTMLReporter().render(report).contains("class=\"failure\""))
  }
}
