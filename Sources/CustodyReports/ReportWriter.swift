import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes reports and keys. What happens depends on what the path names (docs/reports.md,
/// "Where --output writes"):
/// - a new path or a regular file: replaced atomically (a temporary file in the same folder,
///   written, fsync'd, then rename(2) over the path), so a reader never sees half a report and
///   a failure leaves the old file intact;
/// - a symlink: followed; its final target is treated as above (a regular target is replaced
///   atomically in the target's folder and the link is kept; a dangling link is refused);
/// - a character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe): written to
///   directly, never replaced;
/// - a folder, a socket or a block device: refused (CUS9117).
/// Every write is checked; a short or failed write is CUS9116/CUS9102 with the system's reason.
public enum ReportWriter {
  /// What `path` names, after following symlinks.
  public enum Destination: Sendable, Equatable {
    /// Nothing there yet (the folder must exist).
    case newFile
    /// A regular file at this (symlink-resolved) path.
    case regularFile(String)
    /// A character device or FIFO: written in place.
    case stream
    case unsupported(String)
  }

  public static func destination(of path: String) -> Destination {
    var link = stat()
    guard lstat(path, &link) == 0 else {
      if errno == ENOENT { return .newFile }
      return .unsupported(String(cString: strerror(errno)))
    }
    var st = stat()
    if stat(path, &st) != 0 {
      let reason = String(cString: strerror(errno))
      return (link.st_mode & S_IFMT) == S_IFLNK
        ? .unsupported("it is a symlink whose target cannot be reached (\(reason))")
        : .unsupported(reason)
    }
    switch st.st_mode & S_IFMT {
    case S_IFREG: return .regularFile((link.st_mode & S_IFMT) == S_IFLNK ? resolved(path) : path)
    case S_IFCHR, S_IFIFO: return .stream
    case S_IFDIR: return .unsupported("it is a folder")
    case S_IFSOCK: return .unsupported("it is a socket")
    default: return .unsupported("it is a block device")
    }
  }

  /// Writes `bytes` to `path` (see the type's comment). Throws `CUS9101` when `path` resolves
  /// (through symlinks and `..`) to the same file as any of `inputs`, `CUS9117` when the path
  /// names something custody does not write to, and `CUS9102` when the write fails.
  public static func write(
    _ bytes: Data, to path: String, refusing inputs: [String], mode: mode_t = 0o644
  ) throws(ReportError) {
    let target = resolved(path)
    for input in inputs where resolved(input) == target {
      throw ReportError(
        .outputIsInput, "refusing to write the report to \(path): it is the input file \(input)",
        file: path)
    }
    switch destination(of: path) {
    case .unsupported(let reason):
      throw ReportError(
        .outputPathUnsupported, "cannot write the report to \(path): \(reason)", file: path)
    case .stream:
      let fd = open(path, O_WRONLY | O_CLOEXEC)
      guard fd >= 0 else { throw failure(path, String(cString: strerror(errno))) }
      defer { close(fd) }
      if let reason = writeAll(bytes, to: fd) { throw failure(path, reason) }
    case .newFile:
      try replaceAtomically(bytes, at: path, shownAs: path, mode: mode)
    case .regularFile(let real):
      try replaceAtomically(bytes, at: real, shownAs: path, mode: mode)
    }
  }

  /// Writes all of `bytes` to an open descriptor, retrying short writes and EINTR; nil when
  /// every byte was written, else the system's reason.
  public static func writeAll(_ bytes: Data, to fd: Int32) -> String? {
    bytes.withUnsafeBytes { buffer -> String? in
      guard let base = buffer.baseAddress else { return nil }  // empty
      var offset = 0
      while offset < buffer.count {
        let written = systemWrite(fd, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return String(cString: strerror(errno))
        }
        if written == 0 { return "the write made no progress" }
        offset += written
      }
      return nil
    }
  }

  /// Writes `bytes` to standard output in full; throws CUS9116 with the reason otherwise
  /// (`custody validate > /dev/full` must not exit 0 with the report lost).
  public static func writeStandardOutput(_ bytes: Data) throws(ReportError) {
    if let reason = writeAll(bytes, to: STDOUT_FILENO) {
      throw ReportError(.outputWriteFailed, "cannot write to standard output: \(reason)")
    }
  }

  private static func replaceAtomically(
    _ bytes: Data, at path: String, shownAs shown: String, mode: mode_t
  ) throws(ReportError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let temp =
      folder + "/." + url.lastPathComponent
      + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else {
      throw failure(shown, "cannot create a file in \(folder): \(String(cString: strerror(errno)))")
    }
    var reason = writeAll(bytes, to: fd)
    if reason == nil, fsync(fd) != 0 { reason = String(cString: strerror(errno)) }
    _ = fchmod(fd, mode)
    if close(fd) != 0, reason == nil { reason = String(cString: strerror(errno)) }
    if let reason {
      unlink(temp)
      throw failure(shown, reason)
    }
    guard rename(temp, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temp)
      throw failure(shown, reason)
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
