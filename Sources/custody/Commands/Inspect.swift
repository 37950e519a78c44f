import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// `custody inspect LEDGER`: what a ledger folder holds, before validating it.
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a ledger's tables, row counts, date ranges, sha256 and cell errors.",
      discussion:
        "Exit 0 when readable, 2 when the standard or profile does not compile, 3 when the ledger is unreadable."
    )

    @Argument(help: "The ledger folder.")
    var ledger: String

    @Option(help: "The standard whose ledger schema to read the folder with.")
    var standard = "standards/cu-again-coc.yaml"

    @Option(help: "A mapping profile for another system's export.")
    var profile: String?

    func run() throws {
      let sources = SourceCache()
      let s = try PipelineExits.compiled(standard, sources: sources)
      var request = ValidationPipeline.Request(
        standardPath: standard, ledgerPath: ledger, profilePath: profile, asOf: Today.date,
        toolVersion: CustodyCommand.version, sources: sources)
      request.compiled = s
      var bag = DiagnosticBag()
      let mapping = ValidationPipeline.loadProfile(request, schema: s.schema, into: &bag)
      if bag.hasErrors {
        Terminal.err(DiagnosticsOutput.text(bag.sorted, sources: sources))
        throw Exit.compileError
      }
      let summary: LedgerInspection
      do {
        let folder = try ValidationPipeline.openLedger(
          request, schema: s.schema, profile: mapping?.profile)
        summary = try folder.inspect()
      } catch let error as LedgerError {
        Terminal.err(DiagnosticsOutput.text([error.diagnostic], sources: sources))
        throw Exit.ledgerError
      }
      Terminal.out(summary.renderText())
    }
  }
}
