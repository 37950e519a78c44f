import Foundation

/// The output formats `custody validate --format` accepts.
public enum ReportFormat: String, Sendable, CaseIterable, Codable {
  case text, json, junit, sarif, markdown, csv, html

  /// The usual file extension, without the dot.
  public var fileExtension: String {
    switch self {
    case .text: "txt"
    case .json: "json"
    case .junit: "xml"
    case .sarif: "sarif"
    case .markdown: "md"
    case .csv: "csv"
    case .html: "html"
    }
  }

  /// Renders `report` in this format. `colour` applies to text only (a terminal).
  public func render(_ report: Report, colour: Bool = false) throws -> String {
    String(decoding: try renderData(report, colour: colour), as: UTF8.self)
  }

  /// The bytes to write: UTF-8 in every format.
  public func renderData(_ report: Report, colour: Bool = false) throws -> Data {
    switch self {
    case .text: Data(TextReporter(colour: colour).render(report).utf8)
    case .json: try JSONReporter().render(report)
    case .junit: Data(JUnitReporter().render(report).utf8)
    case .sarif: try SARIFReporter().render(report)
    case .markdown: Data(MarkdownReporter().render(report).utf8)
    case .csv: Data(CSVReporter().render(report).utf8)
    case .html: Data(HTMLReporter().render(report).utf8)
    }
  }
}
