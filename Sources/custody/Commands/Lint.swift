import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// `custody lint [PATHS]`: compile standards and rules and print every diagnostic.
  struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compile standards, rules, books and schemas and print their diagnostics.",
      discussion: """
        Warnings: a clause with no rule that is not documentary, a rule no standard uses, an \
        unused parameter, a rule with no test. Exit 0 without errors, 2 with errors (--strict: \
        with warnings too).
        """)

    @Argument(help: "Files or folders (default: standards rules).")
    var paths: [String] = []

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "Output format: text or json.")
    var format: DiagnosticsOutput.Format = .text

    @OptionGroup(title: "Limits")
    var limits: LimitOptions

    func run() throws {
      let sources = SourceCache()
      var options = limits.compilerOptions
      options.sources = sources
      let targets = paths.isEmpty ? ["standards", "rules"] : paths
      let result = Compiler(options: options).lint(paths: targets)
      switch format {
      case .json:
        Terminal.out(DiagnosticsOutput.json(result.diagnostics, omitted: result.omittedDiagnostics))
      case .text:
        Terminal.err(
          DiagnosticsOutput.text(
            result.diagnostics, omitted: result.omittedDiagnostics, sources: sources))
        Terminal.err(
          "\(result.files.count) files, \(result.standards.count) standards: \(result.errorCount) errors, \(result.warningCount) warnings\n"
        )
      }
      if result.errorCount > 0 || (strict && result.warningCount > 0) { throw Exit.compileError }
    }
  }
}

extension DiagnosticsOutput.Format: ExpressibleByArgument {}
