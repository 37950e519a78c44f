import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// `custody profile suggest FOLDER`: a draft mapping profile for an unknown export.
  struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Mapping profiles for other systems' exports.",
      subcommands: [Suggest.self])

    struct Suggest: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Print a draft mapping profile for an export folder.",
        discussion:
          "Reads the folder's files (encoding, delimiter, number and date shapes, headers matched to the schema's columns by name and by English, German and Japanese synonyms, files split per period, workbook sheets and header rows) and prints a profile. Every choice the files do not settle is a '#?' comment; value maps it cannot know are listed, never invented. Exit 0 when a draft was written, 2 when the schema does not compile, 3 when the folder cannot be read."
      )

      @Argument(help: "The export folder.")
      var folder: String

      @Option(help: "A ledger schema file (default: the schema of --standard).")
      var schema: String?

      @Option(help: "The standard whose ledger schema the export must fill.")
      var standard = "standards/cu-again-coc.yaml"

      @Option(help: "The profile's name (default: suggested-<folder name>).")
      var name: String?

      func run() throws {
        let sources = SourceCache()
        var options = CompilerOptions()
        options.sources = sources
        let ledgerSchema: LedgerSchema
        if let schema {
          let (loaded, diagnostics) = Compiler(options: options).compileSchema(path: schema)
          guard let loaded else {
            Terminal.err(DiagnosticsOutput.text(diagnostics, sources: sources))
            throw Exit.compileError
          }
          ledgerSchema = loaded
        } else {
          ledgerSchema = try PipelineExits.compiled(standard, sources: sources).schema
        }
        do {
          let suggestion = try ProfileSuggestion.suggest(folder: folder, schema: ledgerSchema)
          Terminal.out(suggestion.yaml(name: name))
        } catch {
          Terminal.err(DiagnosticsOutput.text([error.diagnostic], sources: sources))
          throw Exit.ledgerError
        }
      }
    }
  }
}
