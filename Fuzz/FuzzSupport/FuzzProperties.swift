import CustodyDiagnostics

/// Properties every harness checks on the diagnostics it gets back: bad input must always be
/// explained (never a silent failure) and every location must be a real position.
public enum FuzzProperties {
  /// Every diagnostic names `file` (or has no span) at line >= 1 and column >= 1, and its
  /// line is at most `maxLine`.
  public static func checkLocations(
    _ diagnostics: [Diagnostic], file: String? = nil, maxLine: Int = .max
  ) {
    for d in diagnostics {
      guard let span = d.span else { continue }
      checkLocation(span.start, file: file, maxLine: maxLine, what: d.description)
      for note in d.notes {
        if let s = note.span {
          checkLocation(s.start, file: file, maxLine: maxLine, what: "note of \(d.description)")
        }
      }
    }
  }

  public static func checkLocation(
    _ at: SourceLocation, file: String?, maxLine: Int, what: @autoclosure () -> String
  ) {
    FuzzDriver.require(at.line >= 1 && at.column >= 1, "location before the start: \(what())")
    FuzzDriver.require(
      at.line <= maxLine, "line \(at.line) past the last line \(maxLine): \(what())")
    if let file {
      FuzzDriver.require(at.file == file, "location names '\(at.file)', not '\(file)': \(what())")
    }
  }

  /// Number of lines in `bytes` (a final line without a newline counts; LF, CR and CRLF end
  /// lines; with `unicodeBreaks`, also NEL, LS and PS, which YAML counts as line breaks).
  public static func lineCount(_ bytes: UnsafeBufferPointer<UInt8>, unicodeBreaks: Bool = false)
    -> Int
  {
    var lines = 1
    var i = 0
    while i < bytes.count {
      if unicodeBreaks && bytes[i] == 0xC2 && i + 1 < bytes.count && bytes[i + 1] == 0x85 {
        lines += 1
      } else if unicodeBreaks && bytes[i] == 0xE2 && i + 2 < bytes.count && bytes[i + 1] == 0x80
        && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9)
      {
        lines += 1
      } else if bytes[i] == 0x0A {
        lines += 1
      } else if bytes[i] == 0x0D {
        lines += 1
        if i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
      }
      i += 1
    }
    return lines
  }
}
