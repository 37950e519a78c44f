import CustodyKit
import Foundation

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
    isatty(fd) != 0 && getenv("NO_COLOR") == nil
      && String(cString: getenv("TERM") ?? strdup("")) != "dumb"
  }

  /// Writes all bytes to a file descriptor (write(2) avoids the C `stdout` global, which Swift 6
  /// treats as shared mutable state); nil on success, else the system's reason.
  @discardableResult
  static func emit(_ text: String, to fd: Int32) -> String? {
    ReportWriter.writeAll(Data(text.utf8), to: fd)
  }

  /// Results on standard output. A failed or short write (a full disk, `> /dev/full`, a closed
  /// descriptor) must not end in exit 0 with the output lost: it says so on stderr and exits
  /// with `Exit.outputFailed` (74) at once.
  static func out(_ text: String) {
    if let reason = emit(text, to: STDOUT_FILENO) {
      let error = ReportError(.outputWriteFailed, "cannot write to standard output: \(reason)")
      emit(error.description + "\n", to: STDERR_FILENO)
      exit(Exit.outputFailedCode)
    }
  }

  /// Progress and diagnostics; nowhere else to report a failure to.
  static func err(_ text: String) { emit(text, to: STDERR_FILENO) }
}

extension Terminal {
  /// Writes a small text file (expected.yaml and the like) the way reports are written; a
  /// failure is reported and exits with `Exit.outputFailed`.
  static func writeFile(_ text: String, to path: String) {
    do {
      try ReportWriter.write(text, to: path, refusing: [])
    } catch {
      err(error.description + "\n")
      exit(Exit.outputFailedCode)
    }
  }
}
