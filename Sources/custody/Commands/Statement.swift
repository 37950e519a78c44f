import ArgumentParser
import CustodyKit
import Foundation

extension CustodyCommand {
  /// `custody statement`: the mass-balance statement alone, conformant or not.
  struct StatementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "statement",
      abstract:
        "Print the mass-balance statement: per account and period opening, credits, claims, transfers, expiry, closing; physical copper per site.",
      discussion: """
        The same run as `validate` (the statement is the report's `statement`). Exit codes: \
        0 printed (whatever the verdict), 2 the standard or profile does not compile, \
        3 the ledger is unreadable.
        """)

    @Option(help: "The standard (YAML).")
    var standard: String

    @Option(help: "The ledger folder (CSV or JSON Lines files).")
    var ledger: String

    @Option(help: "A mapping profile for another system's export.")
    var profile: String?

    @Option(
      help:
        "Output format: \(StatementReporter.Format.allCases.map(\.rawValue).joined(separator: ", "))."
    )
    var format: StatementReporter.Format = .text

    func run() throws {
      let run: Custody.Run
      do {
        run = try Custody(toolVersion: CustodyCommand.version).statement(
          standard: standard, ledger: ledger, profile: profile)
      } catch {
        Terminal.err(error.description + "\n")
        switch error {
        case .invalidInput: throw Exit.compileError
        case .unreadableLedger: throw Exit.ledgerError
        }
      }
      Terminal.out(try StatementReporter().render(run.report, format: format))
    }
  }
}

extension StatementReporter.Format: ExpressibleByArgument {}
