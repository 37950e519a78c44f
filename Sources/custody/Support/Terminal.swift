#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where output goes. Results go to stdout; progress and diagnostics to stderr, so piping a
/// JSON report never mixes in noise.
enum Terminal {
  static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) != 0 }
  static var stderrIsTTY: Bool { isatty(STDERR_FILENO) != 0 }

  /// Colour only on a terminal, and never when NO_COLOR is set.
  static func colour(for fd: Int32) -> Bool {
    isatty(fd) != 0 && getenv("NO_COLOR") == nil && String(cString: getenv("TERM") ?? strdup("")) != "dumb"
  }

  static func out(_ text: String) {
    fputs(text, stdout)
    fflush(stdout)
  }

  static func err(_ text: String) {
    fputs(text, stderr)
  }
}
