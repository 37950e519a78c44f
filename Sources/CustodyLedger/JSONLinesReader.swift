import CustodyDiagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A JSON value as a ledger cell: numbers keep the text they were written with, so
/// `0.1` is read by `ExactDecimal` exactly and never passes through a Double.
enum JSONCell: Equatable {
  case string(String)
  case number(String)
  case bool(Bool)
  case null
  /// An object or a list: not a cell (a cell error).
  case nested

  /// The cell text the shared cell parser reads.
  var text: String {
    switch self {
    case .string(let s), .number(let s): s
    case .bool(let b): b ? "true" : "false"
    case .null, .nested: ""
    }
  }
}

/// Reads a JSON Lines file: one object per physical line, blank lines skipped. Lines are read
/// in chunks through `ByteStream` (hashing as it goes); each line is limited in size.
final class JSONLinesReader {
  let path: String
  let limits: LedgerReadLimits
  let stream: ByteStream
  private var buffer: [UInt8]
  private var start = 0
  private var end = 0
  private var firstRead = true
  /// Physical line of the last object returned.
  private(set) var line = 0

  init(path: String, limits: LedgerReadLimits) throws(LedgerError) {
    self.path = path
    self.limits = limits
    self.stream = try ByteStream(path: path)
    buffer = [UInt8](repeating: 0, count: max(limits.chunkBytes, 16))
  }

  /// The next object's key/value pairs with the column where each key starts; nil at the end.
  func next() throws(LedgerError) -> [(key: String, column: Int, value: JSONCell)]? {
    while true {
      guard let bytes = try nextLine() else { return nil }
      line += 1
      var content = bytes[...]
      if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
      if content.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
      let checked = content.withUnsafeBufferPointer { b in
        b.baseAddress.map { UTF8Validator.scan($0, count: b.count) } ?? .valid
      }
      switch checked {
      case .invalid(let o), .incomplete(let o):
        throw LedgerError(
          Diagnostic(
            .ledgerNotUTF8, "invalid UTF-8 byte; the file is not UTF-8", at: span(content, o)))
      case .nul(let o):
        throw LedgerError(
          Diagnostic(
            .nulByte, "NUL byte in a text file; is it binary or UTF-16?", at: span(content, o)))
      case .valid: break
      }
      var parser = JSONObjectParser(
        bytes: Array(content), maxColumns: limits.maxColumns, maxFieldBytes: limits.maxFieldBytes)
      do {
        return try parser.parseObject()
      } catch let failure {
        throw LedgerError(
          Diagnostic(failure.code, failure.message, at: span(content, failure.offset)))
      }
    }
  }

  func finish() throws(LedgerError) -> (sha256: String, bytes: Int) {
    try stream.drain()
    return (stream.sha256Hex(), stream.totalBytes)
  }

  private func span(_ content: ArraySlice<UInt8>, _ offset: Int) -> SourceSpan {
    let prefix = content.prefix(offset)
    let column = prefix.reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
    return SourceSpan(SourceLocation(file: path, line: line, column: column))
  }

  /// The bytes of the next physical line without its LF; nil at the end of the file.
  private func nextLine() throws(LedgerError) -> [UInt8]? {
    var pending: [UInt8] = []
    while true {
      if start < end {
        let from = start
        let upTo = end
        let found = buffer.withUnsafeBufferPointer { b -> Int? in
          guard let base = b.baseAddress, let hit = memchr(base + from, 10, upTo - from) else {
            return nil
          }
          return hit.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: base)
        }
        if let nl = found {
          pending += buffer[start..<nl]
          start = nl + 1
          try checkSize(pending.count)
          return pending
        }
        pending += buffer[start..<end]
        start = end
        try checkSize(pending.count)
      }
      let n = try buffer.withUnsafeMutableBufferPointer { (b) throws(LedgerError) -> Int in
        guard let base = b.baseAddress else { return 0 }
        return try stream.read(into: base, capacity: b.count)
      }
      start = 0
      end = n
      if firstRead && n >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
        start = 3
      }
      firstRead = false
      if n == 0 { return pending.isEmpty ? nil : pending }
    }
  }

  private func checkSize(_ count: Int) throws(LedgerError) {
    if count > limits.maxRecordBytes {
      throw LedgerError(
        Diagnostic(
          .recordTooLarge, "line is longer than \(limits.maxRecordBytes) bytes",
          at: SourceSpan(SourceLocation(file: path, line: line + 1, column: 1))))
    }
  }
}

/// A strict parser for one flat JSON object (RFC 8259 grammar; nested values are skipped and
/// marked). Numbers are validated and kept as text.
struct JSONObjectParser {
  struct Failure: Error {
    var code: DiagnosticCode
    var message: String
    var offset: Int
  }

  let bytes: [UInt8]
  let maxColumns: Int
  /// Largest string value, as for a CSV field (LedgerReadLimits.maxFieldBytes).
  let maxFieldBytes: Int
  var i = 0

  init(bytes: [UInt8], maxColumns: Int, maxFieldBytes: Int = 1 << 20) {
    self.bytes = bytes
    self.maxColumns = maxColumns
    self.maxFieldBytes = maxFieldBytes
  }

  mutating func parseObject() throws(Failure) -> [(key: String, column: Int, value: JSONCell)] {
    skipSpace()
    try expect(UInt8(ascii: "{"), "a JSON Lines line must be one object starting with '{'")
    var pairs: [(key: String, column: Int, value: JSONCell)] = []
    var seen = Set<String>()
    skipSpace()
    if peek == UInt8(ascii: "}") {
      i += 1
    } else {
      while true {
        skipSpace()
        let keyOffset = i
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
        let key = try parseString()
        if !seen.insert(key).inserted {
          throw Failure(
            code: .duplicateHeader, message: "key '\(key)' appears twice in the object",
            offset: keyOffset)
        }
        if pairs.count >= maxColumns {
          throw Failure(
            code: .tooManyColumns, message: "object has more than \(maxColumns) keys",
            offset: keyOffset)
        }
        skipSpace()
        try expect(UInt8(ascii: ":"), "expected ':' after the key")
        skipSpace()
        let value = try parseValue(depth: 0)
        pairs.append((key, keyOffset, value))
        skipSpace()
        if peek == UInt8(ascii: ",") {
          i += 1
          continue
        }
        try expect(UInt8(ascii: "}"), "expected ',' or '}'")
        break
      }
    }
    skipSpace()
    if i < bytes.count { throw fail("text after the end of the object") }
    return pairs
  }

  private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

  private mutating func skipSpace() {
    while let c = peek, c == 32 || c == 9 { i += 1 }
  }

  private func fail(_ message: String) -> Failure {
    Failure(code: .jsonLinesSyntax, message: message, offset: i)
  }

  private mutating func expect(_ c: UInt8, _ message: String) throws(Failure) {
    guard peek == c else { throw fail(message) }
    i += 1
  }

  private mutating func parseValue(depth: Int) throws(Failure) -> JSONCell {
    guard let c = peek else { throw fail("expected a value") }
    switch c {
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      if depth > 32 { throw fail("nesting is too deep") }
      try skipNested(depth: depth)
      return .nested
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    default: return .number(try parseNumber())
    }
  }

  private mutating func literal(_ word: String) throws(Failure) {
    for b in word.utf8 {
      guard peek == b else { throw fail("expected '\(word)'") }
      i += 1
    }
  }

  /// JSON number grammar; the exponent form is accepted here and refused by the cell parser.
  private mutating func parseNumber() throws(Failure) -> String {
    let s = i
    func digits() -> Int {
      var n = 0
      while let d = peek, d >= 48 && d <= 57 {
        i += 1
        n += 1
      }
      return n
    }
    if peek == UInt8(ascii: "-") { i += 1 }
    if digits() == 0 {
      throw Failure(code: .jsonLinesSyntax, message: "expected a value", offset: s)
    }
    if peek == UInt8(ascii: ".") {
      i += 1
      if digits() == 0 { throw fail("expected digits after '.'") }
    }
    if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
      i += 1
      if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
      if digits() == 0 { throw fail("expected exponent digits") }
    }
    return String(decoding: bytes[s..<i], as: UTF8.self)
  }

  private mutating func parseString() throws(Failure) -> String {
    let start = i
    i += 1  // opening quote
    var out: [UInt8] = []
    while true {
      if out.count > maxFieldBytes {
        throw Failure(
          code: .fieldTooLarge, message: "field is larger than \(maxFieldBytes) bytes",
          offset: start)
      }
      guard let c = peek else { throw fail("string is never closed") }
      if c == UInt8(ascii: "\"") {
        i += 1
        return String(decoding: out, as: UTF8.self)
      }
      if c < 0x20 { throw fail("control character inside a string; escape it") }
      if c != UInt8(ascii: "\\") {
        out.append(c)
        i += 1
        continue
      }
      i += 1
      guard let e = peek else { throw fail("string is never closed") }
      i += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "b"): out.append(8)
      case UInt8(ascii: "f"): out.append(12)
      case UInt8(ascii: "n"): out.append(10)
      case UInt8(ascii: "r"): out.append(13)
      case UInt8(ascii: "t"): out.append(9)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
          guard peek == UInt8(ascii: "\\") else { throw fail("lone surrogate in \\u escape") }
          i += 1
          try expect(UInt8(ascii: "u"), "lone surrogate in \\u escape")
          let low = try hex4()
          guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let u = Unicode.Scalar(scalar), scalar != 0 else { throw fail("invalid \\u escape") }
        out += Array(String(Character(u)).utf8)
      default:
        i -= 1
        throw fail("unknown escape '\\\(Character(Unicode.Scalar(e)))'")
      }
    }
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard let c = peek else { throw fail("expected 4 hex digits") }
      let d: UInt32
      switch c {
      case 48...57: d = UInt32(c - 48)
      case 65...70: d = UInt32(c - 55)
      case 97...102: d = UInt32(c - 87)
      default: throw fail("expected 4 hex digits")
      }
      v = v << 4 | d
      i += 1
    }
    return v
  }

  private mutating func skipNested(depth: Int) throws(Failure) {
    let open = bytes[i]
    let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
    i += 1
    skipSpace()
    if peek == close {
      i += 1
      return
    }
    while true {
      skipSpace()
      if open == UInt8(ascii: "{") {
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
        _ = try parseString()
        skipSpace()
        try expect(UInt8(ascii: ":"), "expected ':' after the key")
        skipSpace()
      }
      _ = try parseValue(depth: depth + 1)
      skipSpace()
      if peek == UInt8(ascii: ",") {
        i += 1
        continue
      }
      try expect(close, "expected ',' or '\(Character(Unicode.Scalar(close)))'")
      return
    }
  }
}
