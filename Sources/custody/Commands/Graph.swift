import ArgumentParser
import CustodyKit

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
      let s = try PipelineExits.compiled(standard, sources: sources)
      Terminal.out(GraphRenderer.render(s, format: format))
    }
  }
}

extension GraphRenderer.Format: ExpressibleByArgument {}
