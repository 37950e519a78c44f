import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodyReports
import CustodyValues
import Foundation

/// compile -> open ledger -> evaluate -> report -> waivers: the one path `validate`, `verify`,
/// `diff --ledger` and standard tests share, so they cannot disagree.
public enum ValidationPipeline {
  public struct Request: Sendable {
    public var standardPath: String
    public var ledgerPath: String
    public var profilePath: String?
    public var waiversPath: String?
    public var asOf: CivilDate
    public var failOn: ClauseSeverity
    public var evidenceLimit: Int
    public var deterministic: Bool
    public var expectStandardSHA256: String?
    public var toolVersion: String
    public var sources: SourceCache
    /// Bounds on YAML files and expressions (docs/limits.md).
    public var compilerOptions = CompilerOptions()
    /// Bounds on ledger files (docs/limits.md).
    public var ledgerLimits = LedgerReadLimits()
    /// Keys or postings per check kept in memory before spilling (`EngineOptions`).
    public var spillThreshold = EngineOptions.defaultSpillThreshold
    public var spillDirectory: String?
    /// Findings kept per rule (`EngineOptions.findingLimit`); counts are exact beyond it.
    public var findingLimit = 1000
    /// The standard already compiled from `standardPath` (a caller's cache); nil compiles it.
    public var compiled: CompiledStandard?
    /// The previous period's signed report and its key (`--previous`, CUA-4.7).
    public var previous: PreviousPeriod?

    public init(
      standardPath: String, ledgerPath: String, profilePath: String? = nil,
      waiversPath: String? = nil, asOf: CivilDate, failOn: ClauseSeverity = .minor,
      evidenceLimit: Int = 20, deterministic: Bool = false, expectStandardSHA256: String? = nil,
      toolVersion: String, sources: SourceCache = SourceCache()
    ) {
      self.standardPath = standardPath
      self.ledgerPath = ledgerPath
      self.profilePath = profilePath
      self.waiversPath = waiversPath
      self.asOf = asOf
      self.failOn = failOn
      self.evidenceLimit = evidenceLimit
      self.deterministic = deterministic
      self.expectStandardSHA256 = expectStandardSHA256
      self.toolVersion = toolVersion
      self.sources = sources
    }
  }

  public enum Outcome: Sendable {
    /// The standard, its rules, the profile or the waivers do not compile (exit 2).
    case invalidInput([Diagnostic], omitted: Int)
    /// The ledger is unreadable (exit 3).
    case unreadableLedger(Diagnostic)
    case evaluated(Report, EvaluationResult, CompiledStandard)
  }

  public static func compile(
    _ path: String, sources: SourceCache, options: CompilerOptions = CompilerOptions()
  ) -> CompileResult {
    var options = options
    options.sources = sources
    return Compiler(options: options).compileStandard(path: path)
  }

  /// The request's mapping profile, compiled against `schema`, with its digest; nil without
  /// one. Errors go to `bag`.
  public static func loadProfile(
    _ request: Request, schema: LedgerSchema, into bag: inout DiagnosticBag
  ) -> (profile: MappingProfile?, digest: Report.FileDigest?)? {
    guard let path = request.profilePath else { return nil }
    let profile = MappingProfile.load(
      path: path, schema: schema, into: &bag, limits: request.compilerOptions.yamlLimits,
      derived: RuleLanguageDerivedColumns())
    let digest = Digests.sha256Hex(ofFile: path).map { Report.FileDigest(path: path, sha256: $0) }
    return (profile, digest)
  }

  /// Opens the request's ledger as `validate` reads it (profile and limits included): every
  /// caller that reads the ledger again (`explain`) opens it here, so it reads the same rows.
  public static func openLedger(
    _ request: Request, schema: LedgerSchema, profile: MappingProfile?
  ) throws(LedgerError) -> FolderLedger {
    try FolderLedger.open(
      folder: request.ledgerPath, schema: schema, profile: profile,
      options: LedgerOpenOptions(limits: request.ledgerLimits))
  }

  /// Whether the ledger has an opening_balances table of its own (a file in the folder, or a
  /// profile that maps one).
  static func hasOpeningBalances(_ request: Request, schema: LedgerSchema) -> Bool {
    guard let t = schema.table(PreviousPeriod.openingTable) else { return false }
    if request.profilePath != nil { return true }
    return FileManager.default.fileExists(atPath: request.ledgerPath + "/" + t.file)
  }

  public static func run(_ request: Request) -> Outcome {
    let standard: CompiledStandard
    if let given = request.compiled {
      standard = given
    } else {
      let compiled = compile(
        request.standardPath, sources: request.sources, options: request.compilerOptions)
      guard let s = compiled.standard else {
        return .invalidInput(compiled.diagnostics, omitted: compiled.omittedDiagnostics)
      }
      standard = s
    }
    if let pinned = request.expectStandardSHA256?.lowercased(), pinned != standard.sha256 {
      return .invalidInput(
        [
          Diagnostic(
            .standardNotPinned,
            "the standard's sha256 is \(standard.sha256), not the pinned \(pinned); refusing to run it",
            at: .file(standard.file),
            help: "the standard file changed since it was pinned; review it with `custody diff`")
        ], omitted: 0)
    }
    var bag = DiagnosticBag()
    let profile = loadProfile(request, schema: standard.schema, into: &bag)
    var waivers: [Waiver] = []
    var waiversDigest: Report.FileDigest?
    if let path = request.waiversPath {
      waivers = Waivers.load(path: path, sources: request.sources, into: &bag)
      waiversDigest = Digests.sha256Hex(ofFile: path).map { .init(path: path, sha256: $0) }
    }
    if bag.hasErrors { return .invalidInput(bag.sorted, omitted: 0) }

    // The previous period's closing, from a verified report only (refused: exit 2).
    var previousClosing: PreviousPeriod.Closing?
    if let previous = request.previous {
      switch previous.closing(standardID: standard.id) {
      case .success(let closing): previousClosing = closing
      case .failure(let refusal): return .invalidInput([refusal.diagnostic], omitted: 0)
      }
    }
    let ledger: FolderLedger
    let source: any LedgerSource
    do throws(LedgerError) {
      ledger = try openLedger(request, schema: standard.schema, profile: profile?.profile)
      source = try PreviousPeriodLedger(
        base: ledger, closing: previousClosing, report: request.previous?.reportPath ?? "",
        openingsAbsent: !hasOpeningBalances(request, schema: standard.schema))
    } catch {
      return .unreadableLedger(error.diagnostic)
    }
    let engine = Engine(
      standard: standard,
      options: EngineOptions(
        evidenceLimit: request.evidenceLimit, findingLimit: request.findingLimit,
        spillThreshold: request.spillThreshold,
        spillDirectory: request.spillDirectory))
    let result: EvaluationResult
    do {
      result = try engine.evaluate(ledger: source)
    } catch let error as LedgerError {
      return .unreadableLedger(error.diagnostic)
    } catch {
      return .unreadableLedger(
        Diagnostic(.ledgerFolderUnreadable, "\(error)", at: .file(request.ledgerPath)))
    }
    var report = ReportBuilder.build(
      result, standard: standard,
      context: .init(
        ledgerPath: request.ledgerPath, profile: profile?.digest, failOn: request.failOn,
        generatedAt: request.deterministic ? nil : ISO8601DateFormatter().string(from: Date()),
        toolVersion: request.toolVersion))
    report.run = Report.RunSettings(
      evidenceLimit: request.evidenceLimit, findingLimit: request.findingLimit,
      asOf: request.waiversPath == nil ? nil : request.asOf.description, waivers: waiversDigest)
    if request.waiversPath != nil { Waivers.apply(waivers, to: &report, asOf: request.asOf) }
    let warnings = ledger.warnings
    if !warnings.isEmpty { report.ledger.warnings = warnings }
    return .evaluated(report, result, standard)
  }
}
