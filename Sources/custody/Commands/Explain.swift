import ArgumentParser
import CustodyAuthoring
import CustodyDiagnostics
import CustodyEngine
import CustodyLedger
import CustodyValues

extension CustodyCommand {
  /// `custody explain ID --standard FILE [--ledger DIR]`.
  struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Explain a clause, a rule, or (with --ledger) a finding id.",
      discussion: """
        For a clause or rule: its text, the rules and check kinds behind it, every parameter with \
        its value and where it was set, what it requires and what requires it. For a finding id \
        (from a report) with --ledger: the values of each part of the failing assertion, or the \
        balance steps of the account.
        """)

    @Argument(help: "A clause id, a rule id, or a finding id (or its first characters).")
    var id: String

    @Option(help: "The standard.")
    var standard: String

    @Option(help: "The ledger folder, to explain a finding.")
    var ledger: String?

    @Option(help: "A mapping profile for the ledger.")
    var profile: String?

    func run() throws {
      let sources = SourceCache()
      let compiled = ValidationPipeline.compile(standard, sources: sources)
      guard let s = compiled.standard else {
        Terminal.err(
          DiagnosticsOutput.text(
            compiled.diagnostics, omitted: compiled.omittedDiagnostics, sources: sources))
        throw Exit.compileError
      }
      if let text = Explainer.explain(id, in: s) {
        Terminal.out(text)
        return
      }
      guard let ledger else {
        let near = Explainer.suggestions(for: id, in: s)
        Terminal.err(
          "error: '\(id)' is not a clause or rule of \(s.id)\(near.isEmpty ? "" : "; did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))?")\n"
            + "  (to explain a finding id, also give --ledger)\n")
        throw Exit.usage
      }
      let request = ValidationPipeline.Request(
        standardPath: standard, ledgerPath: ledger, profilePath: profile, asOf: Today.date,
        evidenceLimit: 20, deterministic: true, toolVersion: CustodyCommand.version,
        sources: sources)
      switch ValidationPipeline.run(request) {
      case .invalidInput(let diagnostics, let omitted):
        Terminal.err(DiagnosticsOutput.text(diagnostics, omitted: omitted, sources: sources))
        throw Exit.compileError
      case .unreadableLedger(let diagnostic):
        Terminal.err(DiagnosticsOutput.text([diagnostic], sources: sources))
        throw Exit.ledgerError
      case .evaluated(_, let result, let s):
        let matches = result.findings.filter { $0.id.hasPrefix(id) }
        guard matches.count == 1, let finding = matches.first else {
          Terminal.err(
            matches.isEmpty
              ? "error: no clause, rule or finding '\(id)' (finding ids are in the report)\n"
              : "error: '\(id)' matches \(matches.count) findings; give more characters\n")
          throw Exit.usage
        }
        do throws(LedgerError) {
          let source = try FolderLedger.open(folder: ledger, schema: s.schema)
          Terminal.out(FindingExplainer.explain(finding, standard: s, ledger: source))
        } catch {
          Terminal.err(DiagnosticsOutput.text([error.diagnostic], sources: sources))
          throw Exit.ledgerError
        }
      }
    }
  }
}
