import CustodyDiagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The rules-folder walk, public for the fuzz harness (FuzzRulesWalk) and the robustness tests.
public enum RulesFolder {
  /// Every `.yaml`/`.yml` file under `path` and the CUS2021/CUS2022 diagnostics of the walk
  /// (see `Paths.walkYAML`), with the given bounds.
  public static func yamlFiles(
    under path: String, maxFiles: Int = 10_000, maxEntries: Int = 200_000, maxDepth: Int = 32
  ) -> (files: [String], diagnostics: [Diagnostic]) {
    let walk = Paths.walkYAML(
      under: path,
      limits: Paths.WalkLimits(maxFiles: maxFiles, maxEntries: maxEntries, maxDepth: maxDepth))
    return (walk.files, walk.diagnostics)
  }
}

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

  /// Bounds on a rules-folder walk (docs/limits.md).
  struct WalkLimits: Sendable {
    var maxFiles = 10_000
    var maxEntries = 200_000
    var maxDepth = 32
  }

  /// The outcome of a walk: the YAML files found, sorted, and what was skipped or refused.
  struct Walk: Sendable {
    var files: [String] = []
    var diagnostics: [Diagnostic] = []
  }

  /// Every `.yaml`/`.yml` file under `path` (recursively), sorted; `path` itself if a file.
  static func yamlFiles(under path: String) -> [String] { walkYAML(under: path).files }

  /// The walk behind `yamlFiles`. Each real directory is read once (by device and inode), so
  /// links to `..` cannot make it grow exponentially; a symlink whose target lies outside the
  /// walked folder (`/proc`, `/etc`) or cannot be resolved is skipped with a warning; the
  /// number of files, directory entries and the depth are bounded (an error, and the walk
  /// stops). Issue 22, item 7.
  static func walkYAML(under path: String, limits: WalkLimits = WalkLimits()) -> Walk {
    var walk = Walk()
    if !isDirectory(path) {
      walk.files = [path]
      return walk
    }
    let root = realPath(path) ?? path
    var visited: Set<[UInt64]> = []
    var rootStat = stat()
    if stat(path, &rootStat) == 0 {
      visited.insert([UInt64(rootStat.st_dev), UInt64(rootStat.st_ino)])
    }
    var entries = 0
    var pending: [(dir: String, depth: Int)] = [(path, 0)]
    func skip(_ full: String, _ why: String) {
      walk.diagnostics.append(
        Diagnostic(.rulesWalkSkipped, "skipped '\(full)': \(why)", at: .file(full)))
    }
    func stop(_ message: String) -> Walk {
      walk.diagnostics.append(Diagnostic(.rulesWalkLimit, message, at: .file(path)))
      walk.files.sort()
      return walk
    }
    while let (dir, depth) = pending.popLast() {
      guard let handle = opendir(dir) else {
        skip(dir, String(cString: strerror(errno)))
        continue
      }
      defer { closedir(handle) }
      while let entry = readdir(handle) {
        entries += 1
        if entries > limits.maxEntries {
          return stop(
            "more than \(limits.maxEntries) directory entries under '\(path)'; the walk stopped")
        }
        let name = withUnsafePointer(to: entry.pointee.d_name) {
          $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name.hasPrefix(".") { continue }
        let full = dir == "." ? name : dir + "/" + name
        var link = stat()
        guard lstat(full, &link) == 0 else { continue }
        let isYAML = name.hasSuffix(".yaml") || name.hasSuffix(".yml")
        if (link.st_mode & S_IFMT) == S_IFLNK {
          guard let target = realPath(full) else {
            skip(full, "a symlink that cannot be resolved (dangling or a loop)")
            continue
          }
          guard target == root || target.hasPrefix(root == "/" ? "/" : root + "/") else {
            skip(full, "a symlink to '\(target)', outside '\(path)'")
            continue
          }
        }
        var st = stat()
        guard stat(full, &st) == 0 else { continue }
        if (st.st_mode & S_IFMT) == S_IFDIR {
          guard visited.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted else {
            if (link.st_mode & S_IFMT) == S_IFLNK {
              skip(full, "a symlink to a folder already read (\(realPath(full) ?? full))")
            }
            continue
          }
          if depth + 1 > limits.maxDepth {
            return stop(
              "folders nested deeper than \(limits.maxDepth) levels at '\(full)'; the walk stopped")
          }
          pending.append((full, depth + 1))
        } else if isYAML {
          walk.files.append(full)
          if walk.files.count > limits.maxFiles {
            return stop(
              "more than \(limits.maxFiles) YAML files under '\(path)'; the walk stopped")
          }
        }
      }
    }
    walk.files.sort()
    return walk
  }

  /// realpath(3), nil when the path cannot be resolved.
  static func realPath(_ path: String) -> String? {
    guard let real = realpath(path, nil) else { return nil }
    defer { free(real) }
    return String(cString: real)
  }
}
