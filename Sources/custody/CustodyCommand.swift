import ArgumentParser
import CustodyKit

/// The `custody` command line. Commands are thin: they parse options, call the library
/// modules and map outcomes to exit codes.
@main
struct CustodyCommand: ParsableCommand {
  static let version = Custody.version

  static let configuration = CommandConfiguration(
    commandName: "custody",
    abstract: "Check a material-accounting ledger against a chain-of-custody standard.",
    discussion: """
      Exit codes: 0 conformant or no errors, 1 non-conformities (or test failures), 2 the \
      standard or rules do not compile, 3 the ledger is unreadable, 64 usage, 74 the output could not be written (stdout or --output).
      """,
    version: version,
    subcommands: [
      Validate.self, Lint.self, Test.self, Inspect.self, Explain.self, Graph.self, Diff.self,
      Sample.self, Keygen.self, Verify.self,
      Schema.self, Serve.self, Profile.self, StatementCommand.self,
    ]
  )
}
