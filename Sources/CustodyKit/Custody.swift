import CustodyDiagnostics
import Dispatch
import Foundation

/// The custody pipeline for programs: compile a standard (cached by the digest of every file
/// it reads), open a ledger (with a mapping profile), evaluate, judge, build the report, and
/// sign, verify or explain it. The `custody` CLI and `custody serve` are callers of the same
/// `ValidationPipeline`, so a program gets exactly their verdicts.
///
/// ```swift
/// import CustodyKit
///
/// let custody = Custody()
/// let run = try custody.validate(
///   standard: "standards/cu-again-coc.yaml", ledger: "fixtures/sample")
/// print(run.report.verdictHeadline)  // CONFORMANT
/// ```
///
/// `validate` and `verify` block the calling thread while they read and evaluate (seconds on
/// millions of rows, using `EngineOptions.threads` threads of their own). From Swift
/// concurrency call the `async` forms, which run the work on a Dispatch queue and never block
/// the cooperative pool.
///
/// `Custody` is `Sendable`: its one piece of state, the compiled-standard cache, is behind a
/// lock (`Locked`).
public final class Custody: Sendable {
  /// The tool version written into reports.
  public let toolVersion: String
  private let cache = Locked<[String: CachedStandard]>([:])

  private struct CachedStandard: Sendable {
    var standard: CompiledStandard
    /// sha256 of every file the compile read, by path: the cache entry is used only while all
    /// of them are unchanged.
    var inputs: [String: String]
  }

  public init(toolVersion: String = Custody.version) {
    self.toolVersion = toolVersion
  }

  /// The library's version (the `custody --version` of the same build).
  public static let version = "0.1.0"

  /// Why a run did not produce a report.
  public enum Failure: Error, Sendable, CustomStringConvertible {
    /// The standard, its rules, the profile or the waivers do not compile (the CLI's exit 2).
    case invalidInput([Diagnostic])
    /// The ledger cannot be read (exit 3).
    case unreadableLedger(Diagnostic)

    public var description: String {
      switch self {
      case .invalidInput(let d): d.map(\.description).joined(separator: "\n")
      case .unreadableLedger(let d): d.description
      }
    }
  }

  /// One evaluated run: the report (every format renders it), the engine's full result (for
  /// `explain`), and the compiled standard.
  public struct Run: Sendable {
    public var report: Report
    public var result: EvaluationResult
    public var standard: CompiledStandard
    public init(report: Report, result: EvaluationResult, standard: CompiledStandard) {
      self.report = report
      self.result = result
      self.standard = standard
    }
  }

  // MARK: Compile

  /// Compiles the standard at `path`, or returns the cached compile when none of the files it
  /// read has changed since (compared by sha256).
  public func compile(_ path: String, options: CompilerOptions = CompilerOptions())
    throws(Failure) -> CompiledStandard
  {
    let key = URL(fileURLWithPath: path).standardizedFileURL.path
    if let hit = cache.withLock({ $0[key] }), Self.unchanged(hit.inputs) { return hit.standard }
    let compiled = ValidationPipeline.compile(path, sources: SourceCache(), options: options)
    guard let standard = compiled.standard else { throw .invalidInput(compiled.diagnostics) }
    var inputs = [standard.file: standard.sha256]
    for input in standard.inputs { inputs[input.path] = input.sha256 }
    cache.withLock { $0[key] = CachedStandard(standard: standard, inputs: inputs) }
    return standard
  }

  private static func unchanged(_ inputs: [String: String]) -> Bool {
    inputs.allSatisfy { path, sha in Digests.sha256Hex(ofFile: path) == sha }
  }

  // MARK: Validate

  /// Validates `ledger` against `standard`: the same report `custody validate --format json
  /// --deterministic` writes for the same inputs (`deterministic: false` adds the time).
  public func validate(
    standard: String, ledger: String, profile: String? = nil, waivers: String? = nil,
    asOf: CivilDate? = nil, failOn: ClauseSeverity = .minor, evidenceLimit: Int = 20,
    deterministic: Bool = true
  ) throws(Failure) -> Run {
    var request = ValidationPipeline.Request(
      standardPath: standard, ledgerPath: ledger, profilePath: profile, waiversPath: waivers,
      asOf: asOf ?? CivilDate.today, failOn: failOn, evidenceLimit: evidenceLimit,
      deterministic: deterministic, toolVersion: toolVersion)
    return try validate(&request)
  }

  /// Validates with every setting of a pipeline request (limits, spill, finding cap).
  public func validate(_ request: inout ValidationPipeline.Request) throws(Failure) -> Run {
    request.compiled = try compile(request.standardPath, options: request.compilerOptions)
    switch ValidationPipeline.run(request) {
    case .invalidInput(let diagnostics, _): throw .invalidInput(diagnostics)
    case .unreadableLedger(let diagnostic): throw .unreadableLedger(diagnostic)
    case .evaluated(let report, let result, let standard):
      return Run(report: report, result: result, standard: standard)
    }
  }

  /// `validate` off the cooperative pool.
  public func validate(
    standard: String, ledger: String, profile: String? = nil, waivers: String? = nil,
    asOf: CivilDate? = nil, failOn: ClauseSeverity = .minor, evidenceLimit: Int = 20,
    deterministic: Bool = true
  ) async throws(Failure) -> Run {
    let outcome: Result<Run, Failure> = await Self.offPool {
      Result { () throws(Failure) -> Run in
        try self.validate(
          standard: standard, ledger: ledger, profile: profile, waivers: waivers, asOf: asOf,
          failOn: failOn, evidenceLimit: evidenceLimit, deterministic: deterministic)
      }
    }
    return try outcome.get()
  }

  // MARK: Sign, verify, explain

  /// The report with its integrity digests and an Ed25519 signature by the key file.
  public func sign(_ report: Report, keyFile: String) throws -> Report {
    try Signer(keyFile: keyFile).sign(report)
  }

  /// Checks a signed JSON report: its bytes and signature, and, given `inputs`, that
  /// recomputing it gives the same report (the evidence limit, as-of date and waivers are
  /// taken from the report unless `inputs` says otherwise). Empty when it verifies.
  public func verify(
    report path: String, publicKey: String, inputs: ReportVerification.Inputs? = nil
  ) throws(ReportError) -> [String] {
    try ReportVerification.verify(reportPath: path, publicKeyPath: publicKey, inputs: inputs)
  }

  /// `verify` off the cooperative pool.
  public func verify(
    report path: String, publicKey: String, inputs: ReportVerification.Inputs? = nil
  ) async throws(ReportError) -> [String] {
    let outcome: Result<[String], ReportError> = await Self.offPool {
      Result { () throws(ReportError) -> [String] in
        try self.verify(report: path, publicKey: publicKey, inputs: inputs)
      }
    }
    return try outcome.get()
  }

  /// How a finding of `run` came about: the value of each part of its failing assertion, or
  /// the balance steps of its account, read again from the ledger exactly as the run read it
  /// (same profile). Nil when no finding's id starts with `id`, or several do.
  public func explain(
    finding id: String, in run: Run, ledger: String, profile: String? = nil
  ) throws(Failure) -> String? {
    let matches = run.result.findings.filter { $0.id.hasPrefix(id) }
    guard matches.count == 1, let finding = matches.first else { return nil }
    let request = ValidationPipeline.Request(
      standardPath: run.standard.file, ledgerPath: ledger, profilePath: profile,
      asOf: CivilDate.today, toolVersion: toolVersion)
    var bag = DiagnosticBag()
    let loaded = ValidationPipeline.loadProfile(request, schema: run.standard.schema, into: &bag)
    if bag.hasErrors { throw .invalidInput(bag.sorted) }
    do throws(LedgerError) {
      let source = try ValidationPipeline.openLedger(
        request, schema: run.standard.schema, profile: loaded?.profile)
      return FindingExplainer.explain(finding, standard: run.standard, ledger: source)
    } catch {
      throw .unreadableLedger(error.diagnostic)
    }
  }

  /// Runs blocking work on a Dispatch queue and resumes the caller when it is done.
  private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
    }
  }
}
