import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// `custody diff OLD NEW [--ledger DIR]`.
  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "What changed between two versions of a standard, and (with --ledger) its impact.",
      discussion: """
        Lists clauses added, removed and changed (text, severity, effective dates, evidence), \
        parameters changed, and rules whose compiled meaning changed (not only their text). With \
        --ledger, the findings that appear and disappear. Exit 0.
        """)

    @Argument(help: "The old standard.")
    var old: String

    @Argument(help: "The new standard.")
    var new: String

    @Option(help: "A ledger folder to measure the impact on.")
    var ledger: String?

    @Option(help: "A mapping profile for the ledger.")
    var profile: String?

    func run() throws {
      let sources = SourceCache()
      let oldStandard = try PipelineExits.compiled(old, sources: sources)
      let newStandard = try PipelineExits.compiled(new, sources: sources)
      var diff = StandardDiff(old: oldStandard, new: newStandard)
      if let ledger {
        var reports: [CustodyReports.Report] = []
        for path in [old, new] {
          let request = ValidationPipeline.Request(
            standardPath: path, ledgerPath: ledger, profilePath: profile, asOf: Today.date,
            failOn: .observation, evidenceLimit: 20, deterministic: true,
            toolVersion: CustodyCommand.version, sources: sources)
          reports.append(
            try PipelineExits.evaluated(ValidationPipeline.run(request), sources: sources).report)
        }
        diff.addImpact(old: reports[0], new: reports[1])
      }
      Terminal.out(diff.renderText(oldLabel: old, newLabel: new))
    }
  }
}
