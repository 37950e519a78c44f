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
  /// treats as shared mutable state).
  static func emit(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes {
        Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset)
      }
      if n <= 0 { return }
      offset += n
    }
  }

  static func out(_ text: String) { emit(text, to: STDOUT_FILENO) }
  static func err(_ text: String) { emit(text, to: STDERR_FILENO) }
}

extension Terminal {
  /// Writes a small text file (expected.yaml and the like); errors are reported, not thrown.
  static func writeFile(_ text: String, to path: String) {
    guard let file = fopen(path, "wb") else {
      err("error: cannot write \(path)\n")
      return
    }
    _ = text.utf8CString.withUnsafeBufferPointer { fputs($0.baseAddress!, file) }
    fclose(file)
  }
}
