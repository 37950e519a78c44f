import Crypto
import CustodyDiagnostics
import CustodyValues
import CustodyYAML

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
  #else
    Darwin.read(fd, buffer, count)
  #endif
}

/// Limits for reading ledger files (issue 8). Each has a clear error when exceeded.
public struct LedgerReadLimits: Sendable, Hashable {
  /// Largest field (CSV) or string value (JSON Lines), in bytes after unquoting.
  public var maxFieldBytes: Int = 1 << 20
  /// Largest record: one CSV record (all its fields) or one JSON Lines line.
  public var maxRecordBytes: Int = 16 << 20
  /// Most fields in one record or keys in one object.
  public var maxColumns: Int = 4096
  /// Cell errors kept per ledger (all are counted; see `FolderLedger.cellErrorCounts`).
  public var maxCellErrors: Int = 100_000
  /// Bytes read from the file per chunk.
  public var chunkBytes: Int = 1 << 20
  /// Largest part of an .xlsx workbook once inflated (a sheet's XML), counted while inflating.
  public var maxWorkbookPartBytes: Int = 4 << 30
  /// Most an .xlsx part may inflate per compressed byte once past 16 MiB (sheet XML compresses
  /// 5-50 times; a zip bomb ~1,000 times).
  public var maxCompressionRatio: Int = 200
  /// Most text in a workbook's shared strings table (held in memory while the sheet is read).
  public var maxSharedStringBytes: Int = 256 << 20
  public init() {}
  public static let `default` = LedgerReadLimits()
}

/// Reads a file in fixed-size chunks and hashes every byte on the way (sha256 of the file as
/// stored), so a ledger is read once and never held whole in memory.
final class ByteStream {
  let path: String
  private let fd: Int32
  private var hasher = SHA256()
  private(set) var totalBytes = 0
  private(set) var atEOF = false

  /// Opens `path` for reading. Directories, symlink loops and missing files are clear errors.
  init(path: String) throws(LedgerError) {
    self.path = path
    var st = stat()
    if stat(path, &st) != 0 {
      let reason = errno == ELOOP ? "a symlink loop" : String(cString: strerror(errno))
      throw LedgerError(
        Diagnostic(.ledgerFileUnreadable, "cannot read '\(path)': \(reason)", at: .file(path)))
    }
    if (st.st_mode & S_IFMT) == S_IFDIR {
      throw LedgerError(
        Diagnostic(
          .ledgerFileUnreadable, "'\(path)' is a directory, not a ledger file", at: .file(path)))
    }
    // A pipe would block `open` forever and a device never ends: only regular files (issue 8).
    if (st.st_mode & S_IFMT) != S_IFREG {
      throw LedgerError(
        Diagnostic(
          .ledgerFileUnreadable, "'\(path)' is not a regular file (a pipe or a device?)",
          at: .file(path)))
    }
    let fd = open(path, O_RDONLY)
    if fd < 0 {
      throw LedgerError(
        Diagnostic(
          .ledgerFileUnreadable, "cannot read '\(path)': \(String(cString: strerror(errno)))",
          at: .file(path)))
    }
    self.fd = fd
  }

  deinit { close(fd) }

  /// Decodes a legacy encoding to UTF-8 on the way (nil: the file is read as UTF-8).
  var decoder: StreamDecoder?

  /// Why decoding stopped early (bytes the encoding does not allow), once `read` returned 0.
  var decodingFailure: String? { decoder?.failure }

  /// Reads up to `capacity` bytes of UTF-8 text into `buffer` (decoded when the file is in
  /// another encoding); 0 means end of file, or a decoding failure (`decodingFailure`).
  func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(LedgerError) -> Int {
    guard let decoder else { return try readRaw(into: buffer, capacity: capacity) }
    return try decoder.read(into: buffer, capacity: capacity) { (p, n) throws(LedgerError) in
      try readRaw(into: p, capacity: n)
    }
  }

  /// Reads up to `capacity` bytes of the file as stored; 0 means end of file.
  func readRaw(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(LedgerError) -> Int {
    if atEOF { return 0 }
    var filled = 0
    while filled < capacity {
      let n = systemRead(fd, buffer + filled, capacity - filled)
      if n < 0 {
        if errno == EINTR { continue }
        throw LedgerError(
          Diagnostic(
            .ledgerFileUnreadable, "cannot read '\(path)': \(String(cString: strerror(errno)))",
            at: .file(path)))
      }
      if n == 0 {
        atEOF = true
        break
      }
      filled += n
    }
    if filled > 0 {
      hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: filled))
      totalBytes += filled
    }
    return filled
  }

  /// Reads the rest of the file (hashing it) so the digest covers every byte.
  func drain() throws(LedgerError) {
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
    defer { scratch.deallocate() }
    while try readRaw(into: scratch, capacity: 1 << 16) > 0 {}
  }

  /// Lowercase hex sha256 of every byte read so far (call after `drain`).
  func sha256Hex() -> String {
    Hex.lowercase(hasher.finalize())
  }
}

/// Fast UTF-8 validation over a chunk: an 8-byte ASCII fast path, then full checks.
enum UTF8Validator {
  enum Stop: Equatable {
    /// Everything up to the end is valid.
    case valid
    /// A multi-byte sequence starts at `offset` but the chunk ends before it does.
    case incomplete(offset: Int)
    case invalid(offset: Int)
    case nul(offset: Int)
  }

  static func scan(_ b: UnsafePointer<UInt8>, count n: Int) -> Stop {
    var i = 0
    while i < n {
      // ASCII fast path, 8 bytes at a time; stops at any high bit or zero byte.
      while i + 8 <= n {
        let w = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
        let zero = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
        if (w & 0x8080_8080_8080_8080) != 0 || zero != 0 { break }
        i += 8
      }
      if i >= n { break }
      let c = b[i]
      if c < 0x80 {
        if c == 0 { return .nul(offset: i) }
        i += 1
        continue
      }
      switch UTF8Check.sequence(b, at: i, count: n) {
      case .scalar(let length): i += length
      case .truncated: return .incomplete(offset: i)
      // The ledger reports the sequence's first byte, where the bad character starts.
      case .invalid: return .invalid(offset: i)
      }
    }
    return .valid
  }
}
