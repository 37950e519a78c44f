import CustodyDiagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The character encodings a profile's `encoding:` can name (issue 19).
public enum TextEncoding: String, Sendable, Hashable, CaseIterable {
  case utf8 = "utf-8"
  case cp932
  case eucJP = "euc-jp"
  case windows1252 = "windows-1252"
  case latin1 = "latin-1"
  case utf16 = "utf-16"

  /// Names accepted in a profile, lowercased (aliases included).
  public static let names: [String: TextEncoding] = [
    "utf-8": .utf8, "utf8": .utf8,
    "cp932": .cp932, "shift_jis": .cp932, "shift-jis": .cp932, "sjis": .cp932,
    "windows-31j": .cp932, "ms932": .cp932,
    "euc-jp": .eucJP, "eucjp": .eucJP,
    "windows-1252": .windows1252, "cp1252": .windows1252,
    "latin-1": .latin1, "latin1": .latin1, "iso-8859-1": .latin1,
    "utf-16": .utf16, "utf16": .utf16,
  ]

  public init?(name: String) {
    guard let e = TextEncoding.names[name.lowercased()] else { return nil }
    self = e
  }

  /// glibc iconv's name for it. `shift_jis` is read as cp932 (Windows-31J), the superset
  /// Japanese Windows ERPs actually write (NEC and IBM extensions, `～` as U+FF5E).
  var iconvName: String {
    switch self {
    case .utf8: "UTF-8"
    case .cp932: "CP932"
    case .eucJP: "EUC-JP"
    case .windows1252: "WINDOWS-1252"
    case .latin1: "ISO-8859-1"
    case .utf16: "UTF-16"
    }
  }
}

/// Streams a file in a legacy encoding as UTF-8, so the CSV tokenizer (and its hot UTF-8 path)
/// stays the same for every encoding. The raw bytes are hashed by `ByteStream` before they are
/// decoded: the sha256 is that of the file as submitted.
///
/// Why glibc iconv and not Foundation: Foundation's `String(data:encoding:)` converts a whole
/// buffer at once and answers nil on a bad byte, without saying where; it cannot resume
/// across chunk boundaries, and on Linux its Japanese encodings depend on how CoreFoundation
/// was built. iconv is a streaming converter by design (EINVAL: a sequence continues in the
/// next chunk; EILSEQ: the exact byte that cannot be decoded), ships with glibc (gconv
/// modules CP932, EUC-JP, WINDOWS-1252, ISO-8859-1, UTF-16LE/BE), and is fast. ASCII runs,
/// most of an ERP export (digits, dates, codes, delimiters), are copied without calling it;
/// only non-ASCII runs go through iconv (measured: docs/performance.md).
final class StreamDecoder {
  let encoding: TextEncoding
  private var cd: iconv_t?
  /// Raw (undecoded, already hashed) bytes waiting: [rawStart, rawEnd).
  private let raw: UnsafeMutablePointer<UInt8>
  private let rawCapacity = 1 << 18
  private var rawStart = 0
  private var rawEnd = 0
  private var rawEOF = false
  /// Raw bytes decoded so far (offset of `raw[rawStart]` in the file).
  private var consumed = 0
  private var first = true
  /// Set when decoding stopped at bytes the encoding does not allow (or a cut-off sequence);
  /// the tokenizer reports it at the line and column it has reached.
  private(set) var failure: String?
  /// ASCII bytes stand for themselves (all but UTF-16).
  private let asciiCompatible: Bool

  init(encoding: TextEncoding, path: String) throws(LedgerError) {
    self.encoding = encoding
    raw = .allocate(capacity: rawCapacity)
    asciiCompatible = encoding != .utf16
    if encoding != .utf16 { try openConverter(encoding.iconvName, path: path) }
  }

  deinit {
    raw.deallocate()
    if let cd { iconv_close(cd) }
  }

  private func openConverter(_ from: String, path: String) throws(LedgerError) {
    let handle = iconv_open("UTF-8", from)
    if handle == iconv_t(bitPattern: -1) {
      throw LedgerError(
        Diagnostic(
          .ledgerFileUnreadable,
          "this system's iconv cannot decode \(from) (glibc's gconv modules missing?)",
          at: .file(path)))
    }
    cd = handle
  }

  /// Decodes into `out` (at most `capacity` bytes), reading raw bytes from `source` as needed.
  /// Returns the number of UTF-8 bytes written; 0 at the end of the file or when `failure` is
  /// set (everything before the bad bytes has been returned by then).
  func read(
    into out: UnsafeMutablePointer<UInt8>, capacity: Int,
    source: (UnsafeMutablePointer<UInt8>, Int) throws(LedgerError) -> Int
  ) throws(LedgerError) -> Int {
    if failure != nil { return 0 }
    var written = 0
    // Room for the longest UTF-8 character iconv may produce at once.
    while capacity - written >= 8 {
      if rawStart == rawEnd || (rawEnd - rawStart < 4 && !rawEOF) {
        if rawStart > 0 {
          (raw).update(from: raw + rawStart, count: rawEnd - rawStart)
          rawEnd -= rawStart
          rawStart = 0
        }
        if !rawEOF {
          let n = try source(raw + rawEnd, rawCapacity - rawEnd)
          if n == 0 { rawEOF = true }
          rawEnd += n
        }
        if first {
          first = false
          try startOfFile()
          if failure != nil { return written }
        }
        if rawStart == rawEnd { return written }
      }
      if asciiCompatible {
        written += copyASCII(to: out + written, capacity: capacity - written)
        if rawStart == rawEnd || capacity - written < 8 { continue }
      }
      let end = asciiCompatible ? nonASCIIRun() : rawEnd
      switch convert(end: end, out: out + written, capacity: capacity - written) {
      case .progress(let n): written += n
      case .full(let n): return written + n
      case .incomplete(let n):
        written += n
        if end < rawEnd || rawEnd - rawStart >= 4 {
          // The run ends (an ASCII byte follows) inside a character, or a sequence longer
          // than any character: invalid, not merely cut by the chunk.
          failure = invalid()
          return written
        }
        if rawEOF {
          failure =
            "the file ends inside a \(encoding.rawValue) character (bytes \(hexBytes(rawStart, 4)), file offset \(consumed))"
          return written
        }
      // Otherwise the loop reads more raw bytes (fewer than 4 remain).
      case .invalid(let n):
        written += n
        failure = invalid()
        return written
      }
    }
    return written
  }

  private func invalid() -> String {
    "bytes \(hexBytes(rawStart, 2)) (file offset \(consumed)) are not valid \(encoding.rawValue), the encoding the profile names"
  }

  /// UTF-16 needs its byte-order mark (nothing else tells LE from BE); a UTF-8 BOM is accepted
  /// before any ASCII-compatible encoding's text only when the encoding is UTF-8 (handled by
  /// the tokenizer), so here it would be bytes the encoding reads as text.
  private func startOfFile() throws(LedgerError) {
    guard encoding == .utf16 else { return }
    if rawEnd - rawStart >= 2, raw[0] == 0xFF, raw[1] == 0xFE {
      try openConverter("UTF-16LE", path: "")
    } else if rawEnd - rawStart >= 2, raw[0] == 0xFE, raw[1] == 0xFF {
      try openConverter("UTF-16BE", path: "")
    } else {
      if rawEnd == 0 { return }
      failure =
        "a utf-16 file starts with its byte-order mark (FF FE or FE FF); this one starts with \(hexBytes(0, 2))"
      return
    }
    rawStart = 2
    consumed = 2
  }

  /// Copies the ASCII run at `rawStart` (bytes below 0x80 stand for themselves).
  @inline(__always)
  private func copyASCII(to out: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
    let limit = min(rawEnd, rawStart + capacity)
    var i = rawStart
    while i + 8 <= limit {
      let w = UnsafeRawPointer(raw + i).loadUnaligned(as: UInt64.self)
      if w & 0x8080_8080_8080_8080 != 0 { break }
      UnsafeMutableRawPointer(out + (i - rawStart)).storeBytes(of: w, as: UInt64.self)
      i += 8
    }
    while i < limit && raw[i] < 0x80 {
      out[i - rawStart] = raw[i]
      i += 1
    }
    let n = i - rawStart
    consumed += n
    rawStart = i
    return n
  }

  /// End of the non-ASCII run at `rawStart`, on a character boundary. In cp932 a double-byte
  /// character's second byte may be ASCII-range (`ソ` is 83 5C), so lead bytes skip two.
  @inline(__always)
  private func nonASCIIRun() -> Int {
    var i = rawStart
    if encoding == .cp932 {
      while i < rawEnd {
        let c = raw[i]
        if c < 0x80 { break }
        i += (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC) ? 2 : 1
      }
      return min(i, rawEnd)
    }
    // EUC-JP trail bytes are >= 0xA1; single-byte encodings have no trail bytes.
    while i < rawEnd && raw[i] >= 0x80 { i += 1 }
    return i
  }

  private enum Converted {
    case progress(Int), full(Int), incomplete(Int), invalid(Int)
  }

  private func convert(end: Int, out: UnsafeMutablePointer<UInt8>, capacity: Int) -> Converted {
    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(raw + rawStart)
      .assumingMemoryBound(to: CChar.self)
    var inLeft = end - rawStart
    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(out).assumingMemoryBound(
      to: CChar.self)
    var outLeft = capacity
    let result = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
    let error = errno
    let used = (end - rawStart) - inLeft
    consumed += used
    rawStart += used
    let produced = capacity - outLeft
    if result != -1 { return .progress(produced) }
    switch error {
    case E2BIG: return .full(produced)
    case EINVAL: return .incomplete(produced)
    default: return .invalid(produced)
    }
  }

  private func hexBytes(_ from: Int, _ count: Int) -> String {
    let digits = Array("0123456789ABCDEF")
    return (from..<min(from + count, rawEnd)).map { i -> String in
      let b = raw[i]
      return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }.joined(separator: " ")
  }
}
