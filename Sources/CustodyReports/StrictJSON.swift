/// A strict RFC 8259 syntax check for signed reports, run before any decoding.
///
/// Hand-written because Foundation's JSONSerialization and JSONDecoder silently accept a key
/// written twice (keeping one value while Python, jq and Node keep the other) and a report is
/// only verifiable when every JSON reader sees the same tree (issue 22, item 1). Refused, with
/// the line and column of the offending byte:
/// - a key that appears twice in one object, at any depth (compared after unescaping);
/// - anything but whitespace after the top-level value;
/// - a number a report never holds: only whole numbers `-?(0|[1-9][0-9]*)` within Int64, no
///   `-0`, fraction or exponent (`1.0` and `1e0` read differently in different languages);
/// - invalid UTF-8, a byte-order mark, raw control characters in strings, lone surrogate
///   escapes (`\ud800`), and nesting deeper than `maxDepth`.
public enum StrictJSON {
  public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    /// Valid to a lenient parser but read differently by different readers, or written in a
    /// way custody never writes (duplicate key, trailing content, non-canonical number, lone
    /// surrogate, byte-order mark); false for plain syntax errors (not JSON at all).
    public var ambiguous: Bool = false
    public var description: String { "line \(line), column \(column): \(message)" }
  }

  public static let maxDepth = 256

  /// nil when `bytes` is one strict JSON value.
  public static func check(_ bytes: [UInt8]) -> Problem? {
    var scanner = Scanner(bytes: bytes)
    do throws(Problem) {
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        throw scanner.problem("byte-order mark", ambiguous: true)
      }
      scanner.skipSpace()
      try scanner.value(depth: 0)
      scanner.skipSpace()
      if scanner.i < bytes.count {
        throw scanner.problem("content after the end of the JSON value", ambiguous: true)
      }
      return nil
    } catch {
      return error
    }
  }

  struct Scanner {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The problem at byte offset `at` (default: the current one), with a 1-based line and a
    /// column counted in characters (UTF-8 lead bytes).
    func problem(_ message: String, at offset: Int? = nil, ambiguous: Bool = false) -> Problem {
      let end = min(offset ?? i, bytes.count)
      var line = 1
      var column = 1
      for b in bytes[..<end] {
        if b == 0x0A {
          line += 1
          column = 1
        } else if b & 0xC0 != 0x80 {
          column += 1
        }
      }
      return Problem(message: message, line: line, column: column, ambiguous: ambiguous)
    }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func skipSpace() {
      while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 }
    }

    mutating func expect(_ literal: String) throws(Problem) {
      let start = i
      for b in literal.utf8 {
        guard peek == b else { throw problem("invalid literal", at: start) }
        i += 1
      }
    }

    mutating func value(depth: Int) throws(Problem) {
      guard let c = peek else { throw problem("unexpected end of the file") }
      switch c {
      case UInt8(ascii: "{"): try object(depth: depth + 1)
      case UInt8(ascii: "["): try array(depth: depth + 1)
      case UInt8(ascii: "\""): _ = try string()
      case UInt8(ascii: "t"): try expect("true")
      case UInt8(ascii: "f"): try expect("false")
      case UInt8(ascii: "n"): try expect("null")
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
      default: throw problem("unexpected character")
      }
    }

    mutating func object(depth: Int) throws(Problem) {
      if depth > StrictJSON.maxDepth { throw problem("nesting deeper than \(StrictJSON.maxDepth)") }
      i += 1
      var keys = Set<String>()
      skipSpace()
      if peek == UInt8(ascii: "}") {
        i += 1
        return
      }
      while true {
        skipSpace()
        guard peek == UInt8(ascii: "\"") else { throw problem("expected a string key") }
        let keyStart = i
        let key = try string()
        if !keys.insert(key).inserted {
          throw problem(
            "duplicate key \"\(key.prefix(80))\" in one object", at: keyStart, ambiguous: true)
        }
        skipSpace()
        guard peek == UInt8(ascii: ":") else { throw problem("expected ':'") }
        i += 1
        skipSpace()
        try value(depth: depth)
        skipSpace()
        if peek == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard peek == UInt8(ascii: "}") else { throw problem("expected ',' or '}'") }
        i += 1
        return
      }
    }

    mutating func array(depth: Int) throws(Problem) {
      if depth > StrictJSON.maxDepth { throw problem("nesting deeper than \(StrictJSON.maxDepth)") }
      i += 1
      skipSpace()
      if peek == UInt8(ascii: "]") {
        i += 1
        return
      }
      while true {
        skipSpace()
        try value(depth: depth)
        skipSpace()
        if peek == UInt8(ascii: ",") {
          i += 1
          continue
        }
        guard peek == UInt8(ascii: "]") else { throw problem("expected ',' or ']'") }
        i += 1
        return
      }
    }

    /// Only whole numbers in Int64 range, written the one way an encoder writes them.
    mutating func number() throws(Problem) {
      let start = i
      if peek == UInt8(ascii: "-") { i += 1 }
      let digitsStart = i
      while let c = peek, c >= 0x30 && c <= 0x39 { i += 1 }
      let digits = bytes[digitsStart..<i]
      guard !digits.isEmpty else { throw problem("invalid number", at: start) }
      if let c = peek, c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
        throw problem(
          "non-canonical number: reports hold whole numbers only", at: start, ambiguous: true)
      }
      if digits.count > 1 && digits.first == UInt8(ascii: "0") {
        throw problem("non-canonical number: leading zero", at: start, ambiguous: true)
      }
      let text = String(decoding: bytes[start..<i], as: UTF8.self)
      if text == "-0" { throw problem("non-canonical number: -0", at: start, ambiguous: true) }
      if Int64(text) == nil { throw problem("number out of range", at: start, ambiguous: true) }
    }

    /// Decodes a string (validating UTF-8 and escapes); the cursor ends after the closing quote.
    mutating func string() throws(Problem) -> String {
      i += 1
      var out: [UInt8] = []
      while true {
        guard let c = peek else { throw problem("unterminated string") }
        switch c {
        case UInt8(ascii: "\""):
          i += 1
          return String(decoding: out, as: UTF8.self)
        case UInt8(ascii: "\\"):
          i += 1
          guard let e = peek else { throw problem("unterminated string") }
          i += 1
          switch e {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "u"):
            let escapeStart = i - 2
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
              guard peek == UInt8(ascii: "\\"), i + 1 < bytes.count,
                bytes[i + 1] == UInt8(ascii: "u")
              else { throw problem("lone surrogate escape", at: escapeStart, ambiguous: true) }
              i += 2
              let low = try hex4()
              guard (0xDC00...0xDFFF).contains(low) else {
                throw problem("lone surrogate escape", at: escapeStart, ambiguous: true)
              }
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
              throw problem("lone surrogate escape", at: escapeStart, ambiguous: true)
            }
            out.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
          default:
            throw problem("invalid escape", at: i - 2)
          }
        case 0..<0x20:
          throw problem("control character in a string")
        case 0x80...:
          let at = i
          let length = bytes.withUnsafeBufferPointer {
            UTF8Sequence.length($0.baseAddress!, at: at, count: $0.count)
          }
          guard let length else { throw problem("invalid UTF-8") }
          out.append(contentsOf: bytes[i..<(i + length)])
          i += length
        default:
          out.append(c)
          i += 1
        }
      }
    }

    mutating func hex4() throws(Problem) -> UInt32 {
      guard i + 4 <= bytes.count,
        bytes[i..<(i + 4)].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
        let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
      else { throw problem("invalid \\u escape") }
      i += 4
      return v
    }
  }
}

/// UTF-8 sequence length at `i` (2-4 bytes), nil when invalid or truncated: rejects overlong
/// forms, surrogates and values above U+10FFFF.
enum UTF8Sequence {
  static func length(_ b: UnsafePointer<UInt8>, at i: Int, count n: Int) -> Int? {
    let c = b[i]
    var need = 0
    var minimum: UInt32 = 0
    var scalar: UInt32 = 0
    if c & 0xE0 == 0xC0 {
      (need, minimum, scalar) = (1, 0x80, UInt32(c & 0x1F))
    } else if c & 0xF0 == 0xE0 {
      (need, minimum, scalar) = (2, 0x800, UInt32(c & 0x0F))
    } else if c & 0xF8 == 0xF0 {
      (need, minimum, scalar) = (3, 0x10000, UInt32(c & 0x07))
    } else {
      return nil
    }
    for k in 1...need {
      guard i + k < n, b[i + k] & 0xC0 == 0x80 else { return nil }
      scalar = scalar << 6 | UInt32(b[i + k] & 0x3F)
    }
    if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return nil }
    return need + 1
  }
}
