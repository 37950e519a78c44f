import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// Prints the JSON Schema of a YAML format for editors (docs/editing.md).
  struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the JSON Schema of a custody YAML format, for editor completion.",
      discussion: "Formats: \(EditorSchemas.all.map(\.name).joined(separator: ", ")).")

    @Argument(help: "The format: standard, rule, book, ledger-schema or profile.")
    var format: String

    func run() throws {
      guard let schema = EditorSchemas.all.first(where: { $0.name == format }) else {
        throw ValidationError(
          "unknown format '\(format)'; choose one of \(EditorSchemas.all.map(\.name).joined(separator: ", "))"
        )
      }
      Terminal.out(schema.json)
    }
  }
}
