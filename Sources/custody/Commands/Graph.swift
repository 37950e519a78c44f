import ArgumentParser
import CustodyAuthoring
import CustodyDiagnostics

extension CustodyCommand {
  /// `custody graph --standard FILE --format dot|mermaid`.
  struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Print the compiled rule graph: standard, sections, clauses, rules, check kinds, tables.")

    @Option(help: "The standard.")
    var standard: String

    @Option(help: "dot (Graphviz) or mermaid.")
    var format: GraphRenderer.Format = .dot

    func run() throws {
      let sources = SourceCache()
      let compiled = ValidationPipeline.compile(standard, sources: sources)
      guard let s = compiled.standard else {
        Terminal.err(
          DiagnosticsOutput.text(
            compiled.diagnostics, omitted: compiled.omittedDiagnostics, sources: sources))
        throw Exit.compileError
      }
      Terminal.out(GraphRenderer.render(s, format: format))
    }
  }
}

extension GraphRenderer.Format: ExpressibleByArgument {}
