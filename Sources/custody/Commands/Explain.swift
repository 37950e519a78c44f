import ArgumentParser
import CustodyKit

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
      let s = try PipelineExits.compiled(standard, sources: sources)
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
      let custody = Custody(toolVersion: CustodyCommand.version)
      var request = ValidationPipeline.Request(
        standardPath: standard, ledgerPath: ledger, profilePath: profile, asOf: Today.date,
        evidenceLimit: 20, deterministic: true, toolVersion: CustodyCommand.version,
        sources: sources)
      request.compiled = s
      let (report, result, compiled) = try PipelineExits.evaluated(
        ValidationPipeline.run(request), sources: sources)
      let run = Custody.Run(report: report, result: result, standard: compiled)
      let text: String?
      do throws(Custody.Failure) {
        // The ledger is read again exactly as validate read it (same profile and limits).
        text = try custody.explain(finding: id, in: run, ledger: ledger, profile: profile)
      } catch {
        Terminal.err(error.description + "\n")
        if case .invalidInput = error { throw Exit.compileError }
        throw Exit.ledgerError
      }
      guard let text else {
        let count = result.findings.count { $0.id.hasPrefix(id) }
        Terminal.err(
          count == 0
            ? "error: no clause, rule or finding '\(id)' (finding ids are in the report)\n"
            : "error: '\(id)' matches \(count) findings; give more characters\n")
        throw Exit.usage
      }
      Terminal.out(text)
    }
  }
}
