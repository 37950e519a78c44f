import Foundation
import ZIPFoundation

/// Bounds on what one upload may hold (docs/service.md, "Threat model").
public struct UploadLimits: Sendable {
  /// Largest request body accepted at all (checked while it streams in).
  public var maxBodyBytes = 64 << 20
  /// Most files in one submission or bundle.
  public var maxFiles = 500
  /// Largest single file after decompression.
  public var maxFileBytes = 64 << 20
  /// Largest sum of all files after decompression.
  public var maxTotalBytes = 256 << 20
  /// Largest uncompressed/compressed ratio of one zip entry (deflate tops out near 1032:1 on
  /// real data only for degenerate input; CSV compresses 5-20x).
  public var maxCompressionRatio = 200
  public init() {}
}

/// A rejected upload: becomes a 4xx problem document with this code.
struct UploadRejection: Error {
  var status: Int = 400
  var code: String
  var detail: String
}

/// One file of an upload: a checked relative path and its bytes.
struct UploadedFile: Sendable {
  var name: String
  var data: Data
}

enum Archives {
  /// A relative path made only of ordinary components: no `..`, no absolute path, no drive
  /// letter, no backslash, no NUL, no empty or `.` component, valid UTF-8 (the caller decoded it).
  static func checkedPath(_ raw: String) throws(UploadRejection) -> String {
    var path = raw
    if path.hasSuffix("/") { path.removeLast() }
    guard !path.isEmpty else {
      throw UploadRejection(code: "upload.path-empty", detail: "an entry has an empty name")
    }
    if path.hasPrefix("/") || path.hasPrefix("\\")
      || (path.count >= 2 && path.dropFirst().first == ":")
    {
      throw UploadRejection(
        code: "upload.path-absolute", detail: "entry '\(raw)' is an absolute path")
    }
    if path.contains("\\") || path.contains("\u{0}") {
      throw UploadRejection(
        code: "upload.path-invalid", detail: "entry '\(raw)' contains a backslash or NUL")
    }
    for component in path.split(separator: "/", omittingEmptySubsequences: false) {
      if component == ".." {
        throw UploadRejection(
          code: "upload.path-traversal", detail: "entry '\(raw)' climbs out of the upload (..)")
      }
      if component.isEmpty || component == "." {
        throw UploadRejection(
          code: "upload.path-invalid", detail: "entry '\(raw)' has an empty or '.' component")
      }
      if component.utf8.count > 255 {
        throw UploadRejection(code: "upload.path-invalid", detail: "entry name too long")
      }
    }
    return path
  }

  /// Reads a zip held in memory: every entry checked before any byte is kept.
  static func unzip(_ data: Data, limits: UploadLimits) throws(UploadRejection) -> [UploadedFile] {
    let archive: Archive
    do {
      archive = try Archive(data: data, accessMode: .read)
    } catch {
      throw UploadRejection(code: "upload.not-a-zip", detail: "the body is not a readable zip")
    }
    var files: [UploadedFile] = []
    var total = 0
    var names = Set<String>()
    for entry in archive {
      let utf8 = entry.path(using: .utf8)
      if utf8.isEmpty {
        throw UploadRejection(
          code: "upload.path-encoding",
          detail:
            "an entry's name is not valid UTF-8 (\(entry.path(using: .isoLatin1).debugDescription))"
        )
      }
      if entry.type == .symlink {
        throw UploadRejection(
          code: "upload.symlink", detail: "entry '\(utf8)' is a symbolic link; links are refused")
      }
      let name = try checkedPath(utf8)
      if entry.type == .directory { continue }
      let declared = entry.uncompressedSize
      let compressed = max(entry.compressedSize, 1)
      if declared > UInt64(limits.maxFileBytes) {
        throw UploadRejection(
          status: 413, code: "upload.file-too-large",
          detail: "entry '\(name)' is \(declared) bytes; the limit is \(limits.maxFileBytes)")
      }
      if declared / compressed > UInt64(limits.maxCompressionRatio) {
        throw UploadRejection(
          status: 413, code: "upload.compression-ratio",
          detail:
            "entry '\(name)' expands \(declared / compressed)x; the limit is \(limits.maxCompressionRatio)x (zip bomb?)"
        )
      }
      guard names.insert(name).inserted else {
        throw UploadRejection(code: "upload.duplicate", detail: "entry '\(name)' appears twice")
      }
      if names.count > limits.maxFiles {
        throw UploadRejection(
          status: 413, code: "upload.too-many-files",
          detail: "more than \(limits.maxFiles) files in one upload")
      }
      // The declared size can lie: count what actually comes out and stop at the bound.
      var content = Data()
      let cap = min(limits.maxFileBytes, limits.maxTotalBytes - total)
      do {
        _ = try archive.extract(entry, skipCRC32: false) { chunk in
          content.append(chunk)
          if content.count > cap { throw UploadRejection(status: 413, code: "", detail: "") }
        }
      } catch let rejection as UploadRejection {
        _ = rejection
        throw UploadRejection(
          status: 413, code: "upload.too-large",
          detail: "entry '\(name)' expands past the size limits (declared \(declared) bytes)")
      } catch {
        throw UploadRejection(
          code: "upload.corrupt-entry", detail: "entry '\(name)' cannot be read: \(error)")
      }
      if UInt64(content.count) != declared {
        throw UploadRejection(
          code: "upload.corrupt-entry",
          detail: "entry '\(name)' holds \(content.count) bytes, not the declared \(declared)")
      }
      total += content.count
      files.append(UploadedFile(name: name, data: content))
    }
    try checkPrefixClashes(names)
    return files
  }

  /// Reads a POSIX ustar archive (uncompressed). Hand-written because none of the packages on
  /// the list reads tar, and ustar is 512-byte headers: regular files and directories only;
  /// links, devices, GNU long names and pax headers are refused rather than half-understood.
  static func untar(_ data: Data, limits: UploadLimits) throws(UploadRejection) -> [UploadedFile] {
    let bytes = [UInt8](data)
    var offset = 0
    var files: [UploadedFile] = []
    var names = Set<String>()
    var total = 0
    func field(_ start: Int, _ length: Int) -> [UInt8] {
      let slice = bytes[(offset + start)..<(offset + start + length)]
      return Array(slice.prefix { $0 != 0 })
    }
    func octal(_ start: Int, _ length: Int) -> Int? {
      let text = String(decoding: field(start, length), as: UTF8.self)
        .trimmingCharacters(in: .whitespaces)
      return text.isEmpty ? 0 : Int(text, radix: 8)
    }
    while offset + 512 <= bytes.count {
      if bytes[offset..<(offset + 512)].allSatisfy({ $0 == 0 }) { break }
      let magic = String(decoding: field(257, 5), as: UTF8.self)
      guard magic == "ustar" else {
        throw UploadRejection(code: "upload.not-a-tar", detail: "not a ustar archive")
      }
      guard let size = octal(124, 12), size >= 0 else {
        throw UploadRejection(code: "upload.not-a-tar", detail: "a tar header has a bad size")
      }
      let prefix = field(345, 155)
      let nameBytes = prefix.isEmpty ? field(0, 100) : prefix + [UInt8(ascii: "/")] + field(0, 100)
      guard let raw = String(validating: nameBytes, as: UTF8.self) else {
        throw UploadRejection(
          code: "upload.path-encoding", detail: "a tar entry's name is not valid UTF-8")
      }
      let type = bytes[offset + 156]
      let dataStart = offset + 512
      offset = dataStart + (size + 511) / 512 * 512
      switch type {
      case UInt8(ascii: "5"):
        _ = try checkedPath(raw)
        continue
      case UInt8(ascii: "0"), 0:
        break
      case UInt8(ascii: "1"), UInt8(ascii: "2"):
        throw UploadRejection(
          code: "upload.symlink", detail: "entry '\(raw)' is a link; links are refused")
      default:
        throw UploadRejection(
          code: "upload.entry-type",
          detail:
            "entry '\(raw)' has tar type '\(Character(Unicode.Scalar(type)))'; only files and folders are accepted"
        )
      }
      let name = try checkedPath(raw)
      if size > limits.maxFileBytes || total + size > limits.maxTotalBytes {
        throw UploadRejection(
          status: 413, code: "upload.file-too-large",
          detail: "entry '\(name)' is \(size) bytes; the limit is \(limits.maxFileBytes)")
      }
      guard dataStart + size <= bytes.count else {
        throw UploadRejection(code: "upload.not-a-tar", detail: "entry '\(name)' is truncated")
      }
      guard names.insert(name).inserted else {
        throw UploadRejection(code: "upload.duplicate", detail: "entry '\(name)' appears twice")
      }
      if names.count > limits.maxFiles {
        throw UploadRejection(
          status: 413, code: "upload.too-many-files",
          detail: "more than \(limits.maxFiles) files in one upload")
      }
      total += size
      files.append(UploadedFile(name: name, data: Data(bytes[dataStart..<(dataStart + size)])))
    }
    try checkPrefixClashes(names)
    return files
  }

  /// A file `a` and a file `a/b` cannot both be written.
  static func checkPrefixClashes(_ names: Set<String>) throws(UploadRejection) {
    for name in names {
      var parent = name
      while let slash = parent.lastIndex(of: "/") {
        parent = String(parent[..<slash])
        if names.contains(parent) {
          throw UploadRejection(
            code: "upload.path-clash", detail: "'\(parent)' is both a file and a folder")
        }
      }
    }
  }

  /// zip (PK\3\4 or an empty archive's PK\5\6) or ustar, by content, not by name.
  static func read(_ data: Data, limits: UploadLimits) throws(UploadRejection) -> [UploadedFile] {
    if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
      return try unzip(data, limits: limits)
    }
    if data.count >= 512, String(decoding: data[257..<262], as: UTF8.self) == "ustar" {
      return try untar(data, limits: limits)
    }
    throw UploadRejection(
      status: 415, code: "upload.archive-type",
      detail: "the archive is neither a zip nor an uncompressed (ustar) tar")
  }

  /// Writes checked files under `root` (which must not exist yet).
  static func write(_ files: [UploadedFile], under root: URL) throws {
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    for file in files {
      let url = root.appendingPathComponent(file.name)
      // checkedPath already refused `..` and absolute names; this guards the invariant.
      precondition(url.standardizedFileURL.path.hasPrefix(root.standardizedFileURL.path + "/"))
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try file.data.write(to: url)
    }
  }
}
