import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// `custody verify REPORT --key PUB [--ledger DIR --standard FILE]`.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Check a signed report's signature and, given its inputs, recompute it and say what differs.",
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

    @Option(
      parsing: .unconditional,
      help: "Evidence rows per finding to recompute with (default: the report's own).")
    var evidenceLimit: Int?

    @Option(help: "The waivers file used when the report was made (the report names its sha256).")
    var waivers: String?

    @Option(help: "The --as-of date to judge waivers on, YYYY-MM-DD (default: the report's own).")
    var asOf: String?

    func validate() throws {
      if (ledger == nil) != (standard == nil) {
        throw ValidationError("give both --ledger and --standard to recompute, or neither")
      }
      if let evidenceLimit, evidenceLimit < 0 {
        throw ValidationError("--evidence-limit must be 0 or more")
      }
      if let asOf, CivilDate.parseISO(asOf) == nil {
        throw ValidationError("--as-of must be a date YYYY-MM-DD, not '\(asOf)'")
      }
    }

    func run() throws {
      let inputs = ledger.flatMap { ledger in
        standard.map { standard in
          ReportVerification.Inputs(
            standardPath: standard, ledgerPath: ledger, profilePath: profile, waiversPath: waivers,
            asOf: asOf.flatMap(CivilDate.parseISO), evidenceLimit: evidenceLimit)
        }
      }
      let problems: [String]
      do {
        problems = try ReportVerification.verify(
          reportPath: report, publicKeyPath: key, inputs: inputs)
      } catch {
        Terminal.err(error.description + "\n")
        throw Exit.usage
      }
      if problems.isEmpty {
        Terminal.out(
          "verified: signature valid\(inputs != nil ? ", inputs and results match" : "")\n")
      } else {
        for p in problems { Terminal.out("FAILED: \(p)\n") }
        throw Exit.nonConformant
      }
    }
  }
}
