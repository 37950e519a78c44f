import ArgumentParser
import CustodyAuthoring
import CustodyDiagnostics
import CustodyLanguage
import CustodyReports
import CustodyValues

extension CustodyCommand {
  /// `custody verify REPORT --key PUB [--ledger DIR --standard FILE]`.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a signed report's signature and, given its inputs, recompute it and say what differs.",
      discussion: "Exit 0 when everything matches, 1 when anything differs, 64 on usage errors.")

    @Argument(help: "The JSON report written by `custody validate --format json --sign KEY`.")
    var report: String

    @Option(help: "The public key (NAME.pub from `custody keygen`).")
    var key: String

    @Option(help: "The ledger folder the report claims to describe.")
    var ledger: String?

    @Option(help: "The standard the report claims to apply.")
    var standard: String?

    @Option(help: "The mapping profile used, if any.")
    var profile: String?

    @Option(help: "Evidence rows per finding used when the report was made.")
    var evidenceLimit: Int = 20

    @Option(help: "The waivers file used when the report was made.")
    var waivers: String?

    @Option(help: "The --as-of date used when the report was made (YYYY-MM-DD).")
    var asOf: String?

    func validate() throws {
      if (ledger == nil) != (standard == nil) {
        throw ValidationError("give both --ledger and --standard to recompute, or neither")
      }
    }

    func run() throws {
      let result: VerificationResult
      do {
        result = try Verifier.verify(reportPath: report, publicKeyPath: key)
      } catch {
        Terminal.err(error.description + "\n")
        throw Exit.usage
      }
      var problems = result.diagnostics(file: report).map(\.description)
      if let recorded = result.report, let ledger, let standard {
        let sources = SourceCache()
        let failOn = ClauseSeverity(rawValue: recorded.failOn) ?? .minor
        let request = ValidationPipeline.Request(
          standardPath: standard, ledgerPath: ledger, profilePath: profile, waiversPath: waivers,
          asOf: asOf.flatMap(CivilDate.parseISO) ?? Today.date, failOn: failOn, evidenceLimit: evidenceLimit, deterministic: true,
          toolVersion: recorded.tool.version, sources: sources)
        switch ValidationPipeline.run(request) {
        case .invalidInput(let diagnostics, _):
          problems.append("the standard given does not compile:")
          problems += diagnostics.map { "  " + $0.description }
        case .unreadableLedger(let diagnostic):
          problems.append("the ledger given is unreadable: \(diagnostic.description)")
        case .evaluated(let fresh, _, _):
          var ledgerNow: [String: String] = [:]
          for f in fresh.ledger.files where !f.absent { ledgerNow[f.path] = f.sha256 }
          if let p = fresh.ledger.profile { ledgerNow[p.path] = p.sha256 }
          var standardNow: [String: String] = [fresh.standard.file: fresh.standard.sha256]
          for input in fresh.standard.inputs { standardNow[input.path] = input.sha256 }
          let differences = InputCheck.compare(recorded, ledgerFiles: ledgerNow, standardInputs: standardNow)
          problems += differences.map(\.description)
          if recorded.verdict != fresh.verdict {
            problems.append("the verdict differs: the report says \(recorded.verdict), the inputs give \(fresh.verdict)")
          }
          let sections = (try? recorded.differingSections(from: fresh, ignoring: [.tool])) ?? []
          for section in sections where differences.isEmpty || section != .standard && section != .ledger {
            problems.append("recomputing from the inputs gives a different \(section.rawValue) section")
          }
        }
      }
      if problems.isEmpty {
        Terminal.out("verified: signature valid\(ledger != nil ? ", inputs and results match" : "")\n")
      } else {
        for p in problems { Terminal.out("FAILED: \(p)\n") }
        throw Exit.nonConformant
      }
    }
  }
}
