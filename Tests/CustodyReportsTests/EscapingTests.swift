import CustodyReports
import Testing

/// Hostile values in every format: each reporter must escape them, not break its syntax.
@Suite struct EscapingTests {
  static func hostile() -> Report {
    var report = PlantedReport.report
    report.nonconformities[0].summary = "a<b>&\"c\"\n'd'\u{01}|*x*"
    report.nonconformities[0].evidence[0].value = "=1+2,\"q\"\r\nnext"
    return report
  }

  @Test func xmlAndHtml() {
    let xml = JUnitReporter().render(Self.hostile())
    #expect(xml.contains("message=\"a&lt;b&gt;&amp;&quot;c&quot;&#10;&#39;d&#39;\u{FFFD}|*x*\""))
    let html = HTMLReporter().render(Self.hostile())
    #expect(html.contains("<p>a&lt;b&gt;&amp;&quot;c&quot;\n&#39;d&#39;\u{FFFD}|*x*</p>"))
  }

  @Test func csv() {
    // summary, requirement (none here), evidence_total, the evidence row.
    let csv = CSVReporter().render(Self.hostile())
    #expect(
      csv.contains(
        ",\"a<b>&\"\"c\"\"\n'd'\u{01}|*x*\",,1,sales.csv,124,S-000123,quantity_t,\"'=1+2,\"\"q\"\"\r\nnext\"\r\n"
      ))
  }

  @Test func markdown() {
    let md = MarkdownReporter().render(Self.hostile())
    #expect(md.contains("a&lt;b&gt;&amp;\"c\"<br>'d'\u{01}\\|\\*x\\*"))
  }
}

@Suite struct TerminalEscapingTests {
  @Test func controlCharactersInLedgerValuesCannotDriveTheTerminal() {
    var report = PlantedReport.report
    report.nonconformities[0].evidence[0].value = "40\u{1B}[2J\u{1B}]0;owned\u{07}"
    let text = TextReporter(colour: false).render(report)
    #expect(text.contains("quantity_t=40\u{FFFD}[2J\u{FFFD}]0;owned\u{FFFD}\n"))
    #expect(!text.contains("\u{1B}"))
  }
}

@Suite struct CSVFieldTests {
  @Test(arguments: [
    ("plain", "plain"), ("-12.5", "-12.5"), ("+3", "+3"), ("-", "'-"), ("=SUM(A1)", "'=SUM(A1)"),
    ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
    ("line\nbreak", "\"line\nbreak\""), ("", ""),
  ])
  func field(_ input: String, _ expected: String) {
    var report = PlantedReport.report
    report.nonconformities = [report.nonconformities[0]]
    report.nonconformities[0].evidence[0].value = input
    let rows = CSVReporter().render(report).components(separatedBy: "\r\n")
    #expect(rows[1].hasSuffix(",quantity_t," + expected))
  }
}
