import CustodyReports
import Foundation
import Testing

/// Every format's output for the planted report, compared byte for byte with
/// Golden/planted.<ext>. Re-record with `CUSTODY_RECORD=1 swift test --filter CustodyReportsTests`
/// and review the diff.
@Suite struct GoldenTests {
  static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Golden")

  static func goldenName(_ format: ReportFormat) -> String {
    format == .junit ? "planted.junit.xml" : "planted.\(format.fileExtension)"
  }

  /// The planted report with its integrity digests (unsigned: signatures are checked apart).
  static func sealed() throws -> Report { try PlantedReport.report.withIntegrity() }

  @Test(arguments: ReportFormat.allCases)
  func matchesGolden(_ format: ReportFormat) throws {
    let rendered = try format.renderData(try Self.sealed())
    let url = Self.goldenFolder.appendingPathComponent(Self.goldenName(format))
    if ProcessInfo.processInfo.environment["CUSTODY_RECORD"] == "1" {
      try rendered.write(to: url)
    }
    let golden = try Data(contentsOf: url)
    let renderedText = String(decoding: rendered, as: UTF8.self)
    let goldenText = String(decoding: golden, as: UTF8.self)
    if renderedText != goldenText {
      let a = renderedText.components(separatedBy: "\n")
      let b = goldenText.components(separatedBy: "\n")
      let line = zip(a, b).enumerated().first { $1.0 != $1.1 }?.offset ?? min(a.count, b.count)
      Issue.record(
        "\(Self.goldenName(format)) differs at line \(line + 1): got \(a.count > line ? a[line] : "<end>") expected \(b.count > line ? b[line] : "<end>")"
      )
    }
  }

  @Test func renderingIsDeterministic() throws {
    for format in ReportFormat.allCases {
      #expect(try format.render(try Self.sealed()) == format.render(try Self.sealed()), "\(format)")
    }
  }

  @Test func jsonRoundTripsToTheSameReport() throws {
    let report = try Self.sealed()
    let data = try JSONReporter().render(report)
    #expect(try CanonicalJSON.decode(Report.self, from: data) == report)
  }

  @Test func colourOnlyInText() throws {
    let text = try ReportFormat.text.render(PlantedReport.report, colour: true)
    #expect(text.contains("\u{1B}[1;31mNON-CONFORMANT\u{1B}[0m"))
    #expect(try !ReportFormat.html.render(PlantedReport.report, colour: true).contains("\u{1B}"))
  }
}
