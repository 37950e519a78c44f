import CustodyDiagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The files of a table read from several files (`files:`, issue 19).
enum ExportFiles {
  /// Expands `patterns` in `folder` (ending in "/"): each entry is a file name or a glob
  /// (`*`, `?`, `[...]`, matched by fnmatch against the folder's entries, hidden files only by
  /// a pattern starting with '.'). A glob's matches are read in name order (byte order of the
  /// UTF-8 names, so `_2024` before `_2025` whatever the locale); entries in the order written.
  /// A glob matching nothing or a missing file is CUS6003 naming the pattern.
  static func expand(_ patterns: [String], folder: String, table: String) throws(LedgerError)
    -> [String]
  {
    var out: [String] = []
    var seen = Set<String>()
    for pattern in patterns {
      let matches: [String]
      if isGlob(pattern) {
        var dir = folder
        var namePattern = pattern
        if let slash = pattern.lastIndex(of: "/") {
          dir = folder + pattern[...slash]
          namePattern = String(pattern[pattern.index(after: slash)...])
        }
        matches = entries(of: dir).filter { fnmatch(namePattern, $0, FNM_PERIOD) == 0 }
          .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
          .map { dir + $0 }
        if matches.isEmpty {
          throw LedgerError(
            Diagnostic(
              .missingLedgerFile,
              "no file in the ledger folder matches '\(pattern)' (files: of table '\(table)')",
              at: .file(folder + pattern)))
        }
      } else {
        var st = stat()
        if lstat(folder + pattern, &st) != 0 {
          throw LedgerError(
            Diagnostic(
              .missingLedgerFile,
              "ledger folder has no \(pattern) (files: of table '\(table)')",
              at: .file(folder + pattern)))
        }
        matches = [folder + pattern]
      }
      for m in matches where seen.insert(m).inserted { out.append(m) }
    }
    return out
  }

  static func isGlob(_ s: String) -> Bool { s.contains { "*?[".contains($0) } }

  /// Names in `dir` (not `.` and `..`); empty when it cannot be read (then nothing matches).
  static func entries(of dir: String) -> [String] {
    guard let d = opendir(dir) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
      let name = withUnsafePointer(to: e.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }
}
