import CustodyDiagnostics
import CustodyLanguage
import Foundation
import FuzzSupport

// Fuzz target: the rules-folder walk (issue 22, item 7). The input is a program of two-byte
// operations that builds a small tree in a temporary folder - folders, YAML files, FIFOs and
// symlinks to `..`, `../..`, `/proc`, `/`, the root, another folder, itself or nothing - then
// walks it with small bounds. Properties beyond "no crash, no hang": every file returned lies
// inside the walked folder (after resolving links) and is listed once; no file is returned
// twice through two links to one folder; the file bound holds (an error says when it stopped).

private let maxFiles = 40
private let base: String = {
  let root = ProcessInfo.processInfo.environment["CUSTODY_FUZZ_TMP"] ?? NSTemporaryDirectory()
  return root + "/rules-walk-\(getpid())"
}()

private func realPath(_ path: String) -> String? {
  guard let r = realpath(path, nil) else { return nil }
  defer { free(r) }
  return String(cString: r)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRulesWalk(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let b = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
  let fm = FileManager.default
  try? fm.removeItem(atPath: base)
  let root = base + "/rules"
  guard (try? fm.createDirectory(atPath: root, withIntermediateDirectories: true)) != nil else {
    return 0
  }
  defer { try? fm.removeItem(atPath: base) }
  var dirs = [root]
  var i = 0
  var n = 0
  while i + 1 < b.count && n < 64 {
    let op = b[i] % 12
    let dir = dirs[Int(b[i + 1]) % dirs.count]
    let name = dir + "/e\(n)"
    switch op {
    case 0, 1:
      if mkdir(name, 0o755) == 0 { dirs.append(name) }
    case 2, 3: _ = fm.createFile(atPath: name + ".yaml", contents: Data("rule: r\(n)\n".utf8))
    case 4: _ = symlink("..", name)
    case 5: _ = symlink("../..", name)
    case 6: _ = symlink("/proc", name)
    case 7: _ = symlink("/", name)
    case 8: _ = symlink(root, name)
    case 9: _ = symlink(dirs[Int(b[i]) / 12 % dirs.count], name)
    case 10: _ = symlink(b[i] & 0x80 == 0 ? "e\(n)" : "missing", name)
    default: _ = mkfifo(name + ".yaml", 0o644)
    }
    i += 2
    n += 1
  }
  let (files, diagnostics) = RulesFolder.yamlFiles(
    under: root, maxFiles: maxFiles, maxEntries: 5_000, maxDepth: 8)
  let realRoot = realPath(root) ?? root
  FuzzDriver.require(files.count <= maxFiles + 1, "the walk returned \(files.count) files")
  FuzzDriver.require(Set(files).count == files.count, "a file is listed twice")
  var seen = Set<String>()
  for f in files {
    guard let real = realPath(f) else { continue }
    FuzzDriver.require(
      real.hasPrefix(realRoot + "/"), "\(f) resolves to \(real), outside \(realRoot)")
    FuzzDriver.require(seen.insert(real).inserted, "\(real) is returned twice (as \(f))")
  }
  if files.count > maxFiles {
    FuzzDriver.require(
      diagnostics.contains { $0.code == .rulesWalkLimit }, "more files than the bound, no error")
  }
  return 0
}

_ = base
FuzzDriver.main(fuzzRulesWalk)
