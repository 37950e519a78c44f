import ArgumentParser

/// custody's documented exit codes (README, `custody --help`).
enum Exit {
  static let conformant = ExitCode(0)
  static let nonConformant = ExitCode(1)
  static let compileError = ExitCode(2)
  static let ledgerError = ExitCode(3)
  static let usage = ExitCode(64)
  /// Writing the output failed (stdout or --output): sysexits' EX_IOERR.
  static let outputFailed = ExitCode(outputFailedCode)
  static let outputFailedCode: Int32 = 74
}
