import CustodyKit
import Foundation

/// Prints diagnostics as text (source line and caret) or JSON, the same way for every command.
enum DiagnosticsOutput {
  enum Format: String, CaseIterable { case text, json }

  static func text(_ diagnostics: [Diagnostic], omitted: Int = 0, sources: SourceCache) -> String {
    let renderer = DiagnosticRenderer(sources: sources, colour: Terminal.colour(for: 2))
    var out = renderer.render(diagnostics)
    if omitted > 0 { out += "... and \(omitted) more diagnostics not shown\n" }
    return out
  }

  struct JSONDiagnostic: Encodable {
    var code: String
    var severity: String
    var message: String
    var file: String?
    var line: Int?
    var column: Int?
    var endLine: Int?
    var endColumn: Int?
    var notes: [JSONNote]
    var suggestions: [String]
    var help: String?
  }
  struct JSONNote: Encodable {
    var message: String
    var file: String?
    var line: Int?
    var column: Int?
  }
  struct Envelope: Encodable {
    var errors: Int
    var warnings: Int
    var omitted: Int
    var diagnostics: [JSONDiagnostic]
  }

  static func json(_ diagnostics: [Diagnostic], omitted: Int = 0) -> String {
    let items = diagnostics.map { d in
      JSONDiagnostic(
        code: d.code.id, severity: d.severity.rawValue, message: d.message, file: d.span?.file,
        line: d.span?.start.line, column: d.span?.start.column, endLine: d.span?.end.line,
        endColumn: d.span?.end.column,
        notes: d.notes.map {
          JSONNote(
            message: $0.message, file: $0.span?.file, line: $0.span?.start.line,
            column: $0.span?.start.column)
        }, suggestions: d.suggestions, help: d.help)
    }
    let envelope = Envelope(
      errors: diagnostics.count { $0.severity == .error },
      warnings: diagnostics.count { $0.severity == .warning }, omitted: omitted, diagnostics: items)
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    let data = (try? encoder.encode(envelope)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
