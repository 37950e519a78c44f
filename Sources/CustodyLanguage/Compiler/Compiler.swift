import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// Options of a compile or lint run.
public struct CompilerOptions: Sendable {
  /// Diagnostics kept in a result; the rest are counted in `omittedDiagnostics` ("N more").
  public var maxDiagnostics: Int = 100
  public var yamlLimits: YAMLLimits = .default
  public var maxExpressionLength: Int = 4_000
  public var maxExpressionDepth: Int = 64
  /// Filled with the text of every file read, so a renderer can quote source lines.
  public var sources: SourceCache?
  public init() {}
}

/// The compiler's named stages, in the order they run.
public enum CompilerStage: String, Sendable, CaseIterable {
  case load, parse, lower, resolve, typecheck, bind, graph, cycles, plan
}

/// The outcome of `Compiler.compileStandard(path:)`.
public struct CompileResult: Sendable {
  /// The compiled standard, nil when any error was found.
  public var standard: CompiledStandard?
  /// Sorted by location, at most `CompilerOptions.maxDiagnostics`.
  public var diagnostics: [Diagnostic]
  /// How many further diagnostics were dropped by the cap.
  public var omittedDiagnostics: Int
  public var errorCount: Int
  public var warningCount: Int
  /// Stages that ran to completion.
  public var stages: [CompilerStage]
}

/// The outcome of `Compiler.lint(paths:)`: errors and warnings (CUS5xxx) for every file given.
public struct LintResult: Sendable {
  public var diagnostics: [Diagnostic]
  public var omittedDiagnostics: Int
  public var errorCount: Int
  public var warningCount: Int
  /// Standards that compiled without errors.
  public var standards: [CompiledStandard]
  /// Every YAML file looked at.
  public var files: [String]
}

/// Compiles standards (with their ledger schema, rules and books) into `CompiledStandard`s.
/// Stages never throw on user errors: they collect diagnostics and the run goes on.
public struct Compiler: Sendable {
  public var options: CompilerOptions

  public init(options: CompilerOptions = CompilerOptions()) {
    self.options = options
  }

  /// Compiles the standard at `path`. `result.standard` is nil when there are errors.
  public func compileStandard(path: String) -> CompileResult {
    let session = CompileSession(options: options)
    let standard = session.compileStandard(path: Paths.normalize(path))
    let all = session.bag.sorted
    let errors = all.count { $0.severity == .error }
    return CompileResult(
      standard: errors == 0 ? standard : nil,
      diagnostics: Array(all.prefix(options.maxDiagnostics)),
      omittedDiagnostics: max(0, all.count - options.maxDiagnostics), errorCount: errors,
      warningCount: all.count { $0.severity == .warning }, stages: session.stagesRun)
  }

  /// Loads a ledger schema file alone (following `extends:`), for tools that read exports
  /// without a standard (`custody profile suggest --schema`). Nil, with diagnostics, on errors.
  public func compileSchema(path: String) -> (schema: LedgerSchema?, diagnostics: [Diagnostic]) {
    let session = CompileSession(options: options)
    let lowering = SchemaLowering(load: { session.load($0) })
    var local = DiagnosticBag()
    let schema = lowering.lower(path: Paths.normalize(path), bag: &local)
    local.append(contentsOf: session.bag.diagnostics)
    let all = local.sorted
    let failed = all.contains { $0.severity == .error }
    return (failed ? nil : schema, all)
  }

  /// Compiles every standard and checks every rule and book under `paths` (files or folders),
  /// adding lint warnings.
  public func lint(paths: [String]) -> LintResult {
    let session = CompileSession(options: options)
    let (standards, files) = session.lint(paths: paths.map(Paths.normalize))
    let all = session.bag.sorted
    return LintResult(
      diagnostics: Array(all.prefix(options.maxDiagnostics)),
      omittedDiagnostics: max(0, all.count - options.maxDiagnostics),
      errorCount: all.count { $0.severity == .error },
      warningCount: all.count { $0.severity == .warning },
      standards: standards, files: files)
  }
}
