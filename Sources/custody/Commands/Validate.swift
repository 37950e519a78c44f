import ArgumentParser
import CustodyAuthoring
import CustodyDiagnostics
import CustodyLanguage
import CustodyReports
import CustodyValues
import Foundation

extension CustodyCommand {
  /// `custody validate`: evaluate a ledger against a standard and report.
  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Validate a ledger against a standard: clause table, non-conformities, evidence.",
      discussion: """
        Exit codes: 0 conformant (nothing at or above --fail-on), 1 non-conformities, \
        2 the standard, rules, profile or waivers do not compile, 3 the ledger is unreadable, 64 usage, \
        74 the report could not be written.
        """)

    @Option(help: "The standard (YAML).")
    var standard: String

    @Option(help: "The ledger folder (CSV or JSON Lines files).")
    var ledger: String

    @Option(help: "A mapping profile for another system's export.")
    var profile: String?

    @Option(
      help: "Output format: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: ReportFormat = .text

    @Option(
      help: ArgumentHelp(
        "Write the report to this file (atomically) instead of standard output.",
        discussion:
          "A regular file or new path is replaced atomically; a symlink is followed to its target; a device or pipe is written to directly."
      ))
    var output: String?

    @Option(help: "Lowest severity that fails the run: major, minor or observation.")
    var failOn: ClauseSeverity = .minor

    // `.unconditional`: `--evidence-limit -1` reaches validate() and its message, instead of
    // ArgumentParser reading -1 as an option and saying "Missing value".
    @Option(
      parsing: .unconditional,
      help: "Evidence rows kept per finding and non-conformity (the total is always counted).")
    var evidenceLimit: Int = 20

    @Flag(help: "Byte-identical output for identical inputs (no timestamp).")
    var deterministic = false

    @Option(help: "Sign the report with this Ed25519 private key (see `custody keygen`).")
    var sign: String?

    @Option(help: "Refuse to run unless the standard file's sha256 is this.")
    var expectStandardSha256: String?

    @Option(help: "Waivers file (YAML).")
    var waivers: String?

    @Option(help: "Date waivers are judged on, YYYY-MM-DD (default: today).")
    var asOf: String?

    @OptionGroup(title: "Limits")
    var limits: LimitOptions

    @OptionGroup(title: "Memory")
    var memory: MemoryOptions

    func validate() throws {
      if evidenceLimit < 0 { throw ValidationError("--evidence-limit must be 0 or more") }
      if let asOf, CivilDate.parseISO(asOf) == nil {
        throw ValidationError("--as-of must be a date YYYY-MM-DD, not '\(asOf)'")
      }
      if let hex = expectStandardSha256, hex.count != 64 || !hex.allSatisfy(\.isHexDigit) {
        throw ValidationError("--expect-standard-sha256 must be 64 hex digits")
      }
    }

    func run() throws {
      let sources = SourceCache()
      var request = ValidationPipeline.Request(
        standardPath: standard, ledgerPath: ledger, profilePath: profile, waiversPath: waivers,
        asOf: asOf.flatMap(CivilDate.parseISO) ?? Today.date, failOn: failOn,
        evidenceLimit: evidenceLimit, deterministic: deterministic,
        expectStandardSHA256: expectStandardSha256, toolVersion: CustodyCommand.version,
        sources: sources)
      request.compilerOptions = limits.compilerOptions
      request.ledgerLimits = limits.ledgerLimits
      request.spillThreshold = memory.spillAfter
      request.spillDirectory = memory.spillDir
      if Terminal.stderrIsTTY {
        Terminal.err("custody: validating \(ledger) against \(standard)...\r")
      }
      switch ValidationPipeline.run(request) {
      case .invalidInput(let diagnostics, let omitted):
        Terminal.err(DiagnosticsOutput.text(diagnostics, omitted: omitted, sources: sources))
        throw Exit.compileError
      case .unreadableLedger(let diagnostic):
        Terminal.err(DiagnosticsOutput.text([diagnostic], sources: sources))
        throw Exit.ledgerError
      case .evaluated(var report, _, let compiled):
        if let sign {
          do {
            report = try Signer(keyFile: sign).sign(report)
          } catch let error as ReportError {
            Terminal.err(error.description + "\n")
            throw Exit.usage
          }
        }
        let colour = output == nil && Terminal.colour(for: 1)
        let data = try format.renderData(report, colour: colour)
        if let output {
          let inputs =
            [standard, ledger, profile, waivers, sign].compactMap { $0 }
            + compiled.inputs.map(\.path) + report.ledger.files.map(\.path)
          do {
            try ReportWriter.write(data, to: output, refusing: inputs)
          } catch {
            Terminal.err(error.description + "\n")
            switch error.diagnostic.code {
            case .outputIsInput, .outputPathUnsupported: throw Exit.usage
            default: throw Exit.outputFailed
            }
          }
          Terminal.err("\(report.verdict): report written to \(output)\n")
        } else {
          Terminal.out(String(decoding: data, as: UTF8.self))
        }
        if report.verdict != "conformant" { throw Exit.nonConformant }
      }
    }
  }
}

extension ReportFormat: ExpressibleByArgument {}
extension ClauseSeverity: ExpressibleByArgument {}

/// Today's date in UTC, the default `--as-of`.
enum Today {
  static var date: CivilDate {
    let days = Int(Date().timeIntervalSince1970 / 86_400)
    return CivilDate(dayNumber: Int32(days))
  }
}
