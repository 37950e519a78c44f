#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small POSIX file helpers for the harnesses (no Foundation: keeps each execution cheap).
public enum FuzzFiles {
  /// The files at `path`: the file itself, or a folder's regular files (sorted, not recursive).
  public static func inputs(at path: String) -> [String] {
    var st = stat()
    guard stat(path, &st) == 0 else { return [path] }
    guard (st.st_mode & S_IFMT) == S_IFDIR, let dir = opendir(path) else { return [path] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      var fst = stat()
      let full = path + "/" + name
      if stat(full, &fst) == 0 && (fst.st_mode & S_IFMT) == S_IFREG { names.append(full) }
    }
    return names.sorted()
  }

  public static func read(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 1 << 16, f) }
      out += chunk[0..<n]
      if n < 1 << 16 { break }
    }
    return out
  }

  /// Replaces the file at `path` with `bytes`.
  public static func write(_ path: String, _ bytes: UnsafeBufferPointer<UInt8>) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    FuzzDriver.require(fd >= 0, "cannot write \(path)")
    defer { close(fd) }
    guard let base = bytes.baseAddress else { return }
    var done = 0
    while done < bytes.count {
      #if canImport(Glibc)
        let n = Glibc.write(fd, base + done, bytes.count - done)
      #else
        let n = Darwin.write(fd, base + done, bytes.count - done)
      #endif
      FuzzDriver.require(n > 0, "short write to \(path)")
      done += n
    }
  }

  /// Removes the file at `path` if it exists.
  public static func remove(_ path: String) { unlink(path) }

  /// Removes the scratch folder and the named files in it when the process exits normally
  /// (scripts/fuzz.sh also removes its whole scratch root, for runs that end in a crash).
  public static func removeScratchAtExit(files: [String]) {
    scratchFiles = files.map { scratch + "/" + $0 }
    atexit {
      for file in FuzzFiles.scratchFiles { unlink(file) }
      rmdir(FuzzFiles.scratch)
    }
  }

  nonisolated(unsafe) private static var scratchFiles: [String] = []

  /// A scratch folder for this process: under $CUSTODY_FUZZ_TMP when set (scripts/fuzz.sh
  /// points it at a RAM-backed folder it removes afterwards), else a new folder in /tmp.
  public static let scratch: String = {
    let base = getenv("CUSTODY_FUZZ_TMP").map { String(cString: $0) } ?? "/tmp"
    var template = Array((base + "/custody-fuzz-XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    guard let made else {
      FuzzDriver.require(false, "cannot make a scratch folder under \(base)")
      return base
    }
    return String(cString: made)
  }()
}
