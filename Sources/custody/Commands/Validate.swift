import ArgumentParser
import CustodyKit
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

    @Flag(help: "With --format csv: the mass-balance statement instead of the non-conformities.")
    var statement = false

    @Option(help: "Sign the report with this Ed25519 private key (see `custody keygen`).")
    var sign: String?

    @Option(
      help: ArgumentHelp(
        "With --sign and a format other than json: where to write the signed JSON report.",
        discussion:
          "Default: beside --output with the extension .json (report.html -> report.json). Only the JSON report carries the signature that `custody verify` checks."
      ))
    var jsonOutput: String?

    @Option(help: "Refuse to run unless the standard file's sha256 is this.")
    var expectStandardSha256: String?

    @Option(help: "Waivers file (YAML).")
    var waivers: String?

    @Option(
      help: ArgumentHelp(
        "The previous period's signed JSON report: its closing lots are this period's opening balances (CUA-4.7).",
        discussion:
          "Needs --key. A report that does not verify with the key, is unsigned or of another standard is refused (exit 2) and nothing is evaluated."
      ))
    var previous: String?

    @Option(help: "With --previous: the public key the previous report was signed with.")
    var key: String?

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
      if sign != nil, format != .json, signedJSONPath == nil {
        throw ValidationError(
          "--sign with --format \(format.rawValue) writes the signed JSON report to a file: give --output or --json-output"
        )
      }
      if (previous == nil) != (key == nil) {
        throw ValidationError("--previous and --key go together")
      }
      if statement && format != .csv {
        throw ValidationError(
          "--statement is for --format csv (every other format shows the statement in the report)")
      }
      if jsonOutput != nil && (sign == nil || format == .json) {
        throw ValidationError("--json-output is for --sign with a format other than json")
      }
      if sign != nil, format != .json, let json = signedJSONPath, json == output {
        throw ValidationError("--json-output must differ from --output")
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
      if let previous, let key { request.previous = PreviousPeriod(report: previous, key: key) }
      if Terminal.stderrIsTTY {
        Terminal.err("custody: validating \(ledger) against \(standard)...\r")
      }
      var (report, _, compiled) = try PipelineExits.evaluated(
        ValidationPipeline.run(request), sources: sources)
      if let sign {
        do {
          report = try Signer(keyFile: sign).sign(report)
        } catch let error as ReportError {
          Terminal.err(error.description + "\n")
          throw Exit.usage
        }
      }
      let inputs =
        [standard, ledger, profile, waivers, sign, previous, key].compactMap { $0 }
        + compiled.inputs.map(\.path) + report.ledger.files.map(\.path)
      // Only the JSON form carries the signature: another format gets its signed JSON beside.
      if sign != nil, format != .json, let json = signedJSONPath {
        try write(try ReportFormat.json.renderData(report), to: json, refusing: inputs)
        Terminal.err("signed JSON report written to \(json)\n")
      }
      let colour = output == nil && Terminal.colour(for: 1)
      let data =
        statement
        ? Data(StatementCSVReporter().render(report).utf8)
        : try format.renderData(report, colour: colour)
      if let output {
        try write(data, to: output, refusing: inputs)
        Terminal.err("\(report.verdict): report written to \(output)\n")
      } else {
        Terminal.out(String(decoding: data, as: UTF8.self))
      }
      if report.verdict != .conformant { throw Exit.nonConformant }
    }

    /// `--json-output`, else `--output` with the extension .json.
    var signedJSONPath: String? {
      if let jsonOutput { return jsonOutput }
      guard let output else { return nil }
      let name = output.split(separator: "/").last.map(String.init) ?? output
      if let dot = name.lastIndex(of: "."), dot != name.startIndex {
        return String(output.dropLast(name.distance(from: dot, to: name.endIndex))) + ".json"
      }
      return output + ".json"
    }

    func write(_ data: Data, to path: String, refusing inputs: [String]) throws {
      do {
        try ReportWriter.write(data, to: path, refusing: inputs)
      } catch {
        Terminal.err(error.description + "\n")
        switch error.diagnostic.code {
        case .outputIsInput, .outputPathUnsupported: throw Exit.usage
        default: throw Exit.outputFailed
        }
      }
    }
  }
}

extension ReportFormat: ExpressibleByArgument {}
extension ClauseSeverity: ExpressibleByArgument {}

/// Today's date in UTC, the default `--as-of`.
enum Today {
  static var date: CivilDate { CivilDate.today }
}
