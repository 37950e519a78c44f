import Foundation

/// The mass-balance statement on its own (`custody statement`), in the formats it has.
public struct StatementReporter: Sendable {
  public enum Format: String, Sendable, CaseIterable, Codable {
    case text, json, csv, markdown
  }
  public init() {}

  /// `report`'s statement; json is the report's `statement` array, pretty and key-sorted.
  public func render(_ report: Report, format: Format) throws -> String {
    let books = report.statement ?? []
    switch format {
    case .text:
      var out =
        "custody \(report.tool.version): mass-balance statement, \(report.standard.title) \(report.standard.version), ledger \(Escape.terminal(report.ledger.path))\n"
      out += StatementRendering.text(books, bold: { $0 }, t: Escape.terminal)
      if books.isEmpty { out += "\nNo credit book was replayed: no statement.\n" }
      return out
    case .json:
      return String(decoding: try CanonicalJSON.encode(books), as: UTF8.self)
    case .csv:
      return StatementCSVReporter().render(report)
    case .markdown:
      return "# Mass-balance statement: \(Escape.markdown(report.standard.title))\n\n"
        + StatementRendering.markdown(books, md: Escape.markdown)
    }
  }
}
