import ArgumentParser
import CustodyKit

/// The CLI's one way into the pipeline's results: every command that compiles a standard or
/// runs the pipeline goes through these, so "print the diagnostics and exit 2 (or 3)" is
/// written once.
enum PipelineExits {
  /// The compiled standard, or its diagnostics on standard error and exit 2.
  static func compiled(
    _ path: String, sources: SourceCache, options: CompilerOptions = CompilerOptions()
  ) throws -> CompiledStandard {
    let compiled = ValidationPipeline.compile(path, sources: sources, options: options)
    guard let standard = compiled.standard else {
      Terminal.err(
        DiagnosticsOutput.text(
          compiled.diagnostics, omitted: compiled.omittedDiagnostics, sources: sources))
      throw Exit.compileError
    }
    return standard
  }

  /// The evaluated run, or the outcome's diagnostics on standard error and exit 2 (the
  /// standard, profile or waivers do not compile) or 3 (the ledger is unreadable).
  static func evaluated(_ outcome: ValidationPipeline.Outcome, sources: SourceCache) throws
    -> (report: Report, result: EvaluationResult, standard: CompiledStandard)
  {
    switch outcome {
    case .invalidInput(let diagnostics, let omitted):
      Terminal.err(DiagnosticsOutput.text(diagnostics, omitted: omitted, sources: sources))
      throw Exit.compileError
    case .unreadableLedger(let diagnostic):
      Terminal.err(DiagnosticsOutput.text([diagnostic], sources: sources))
      throw Exit.ledgerError
    case .evaluated(let report, let result, let standard):
      return (report, result, standard)
    }
  }
}
