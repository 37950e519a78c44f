#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lexical path handling (no Foundation): joining, normalising, listing YAML files.
enum Paths {
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// `relative` resolved against the folder of `file`, normalised (`a/b/../c` -> `a/c`).
  static func resolve(_ relative: String, relativeTo file: String) -> String {
    if relative.hasPrefix("/") { return normalize(relative) }
    return normalize(directory(of: file) + "/" + relative)
  }

  static func normalize(_ path: String) -> String {
    let absolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
      if part == "." || part.isEmpty { continue }
      if part == "..", let last = parts.last, last != ".." {
        parts.removeLast()
      } else if part == "..", absolute {
        continue
      } else {
        parts.append(part)
      }
    }
    let joined = parts.joined(separator: "/")
    return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
  }

  static func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
  }

  static func isFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
  }

  /// Every `.yaml`/`.yml` file under `path` (recursively), sorted; `path` itself if a file.
  static func yamlFiles(under path: String) -> [String] {
    if !isDirectory(path) { return [path] }
    var out: [String] = []
    var pending = [path]
    while let dir = pending.popLast() {
      guard let handle = opendir(dir) else { continue }
      defer { closedir(handle) }
      while let entry = readdir(handle) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
          $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name.hasPrefix(".") { continue }
        let full = dir == "." ? name : dir + "/" + name
        if isDirectory(full) {
          pending.append(full)
        } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
          out.append(full)
        }
      }
    }
    return out.sorted()
  }
}
