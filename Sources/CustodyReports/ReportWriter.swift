import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes reports atomically: a temporary file in the destination folder, flushed, then
/// rename(2) over the destination, so a reader never sees half a report and a crash leaves the
/// old file intact.
public enum ReportWriter {
  /// Writes `bytes` to `path`. Throws `CUS9101` when `path` resolves (through symlinks and
  /// `..`) to the same file as any of `inputs`, and `CUS9102` when the write fails.
  public static func write(
    _ bytes: Data, to path: String, refusing inputs: [String], mode: mode_t = 0o644
  ) throws(ReportError) {
    let target = resolved(path)
    for input in inputs where resolved(input) == target {
      throw ReportError(
        .outputIsInput, "refusing to write the report to \(path): it is the input file \(input)",
        file: path)
    }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      throw ReportError(
        .reportWriteFailed, "cannot write the report to \(path): it is a folder", file: path)
    }

    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let temp =
      folder + "/." + url.lastPathComponent
      + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, mode)
    guard fd >= 0 else { throw failure(path, "cannot create a file in \(folder)") }
    var ok = bytes.withUnsafeBytes { buffer -> Bool in
      guard let base = buffer.baseAddress else { return true }  // empty
      var offset = 0
      while offset < buffer.count {
        let written = systemWrite(fd, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += written
      }
      return true
    }
    let errorAfterWrite = errno
    ok = ok && fsync(fd) == 0
    _ = fchmod(fd, mode)
    close(fd)
    guard ok else {
      unlink(temp)
      throw failure(path, String(cString: strerror(errorAfterWrite)))
    }
    guard rename(temp, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temp)
      throw failure(path, reason)
    }
  }

  /// Writes UTF-8 text; see `write(_:to:refusing:mode:)`.
  public static func write(_ text: String, to path: String, refusing inputs: [String])
    throws(ReportError)
  {
    try write(Data(text.utf8), to: path, refusing: inputs)
  }

  private static func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
      Glibc.write(fd, pointer, count)
    #else
      Darwin.write(fd, pointer, count)
    #endif
  }

  private static func failure(_ path: String, _ reason: String) -> ReportError {
    ReportError(.reportWriteFailed, "cannot write the report to \(path): \(reason)", file: path)
  }

  /// The canonical absolute path: realpath(3) when the file exists, else realpath of its folder
  /// plus the name (a new output file cannot be an existing input, but its folder may be a link).
  static func resolved(_ path: String) -> String {
    if let real = realpath(path, nil) {
      defer { free(real) }
      return String(cString: real)
    }
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    if let real = realpath(folder, nil) {
      defer { free(real) }
      return String(cString: real) + "/" + url.lastPathComponent
    }
    return url.standardizedFileURL.path
  }
}
