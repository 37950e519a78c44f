/// Escaping for every text format a reporter writes. Ledger values and messages come from
/// user files, so each one passes through here before it reaches markup.
enum Escape {
  /// HTML and XML text and attribute values. Characters XML 1.0 forbids (most C0 controls)
  /// become U+FFFD so the output always parses.
  static func xml(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// An XML attribute value: as `xml`, and line breaks kept as character references
  /// (a parser would otherwise normalise them to spaces).
  static func xmlAttribute(_ s: String) -> String {
    xml(s).replacingOccurrences(of: "\n", with: "&#10;").replacingOccurrences(
      of: "\r", with: "&#13;"
    )
    .replacingOccurrences(of: "\t", with: "&#9;")
  }

  /// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled).
  /// A leading `= + - @`, tab or CR is prefixed with `'` so spreadsheets do not run it as a
  /// formula, unless the field is a plain number such as `-12.5`.
  static func csv(_ s: String) -> String {
    var field = s
    if let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first),
      !isNumber(field)
    {
      field = "'" + field
    }
    if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
      return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return field
  }

  /// Markdown inline text (also safe inside a table cell): backslash-escapes the characters
  /// that start markup, HTML-escapes `<` and `&`, and turns line breaks into `<br>`.
  static func markdown(_ s: String) -> String {
    var out = ""
    for ch in s {
      switch ch {
      case "\\", "`", "*", "_", "[", "]", "|", "#", "~", "!", "{", "}":
        out.append("\\")
        out.append(ch)
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      case "\r\n", "\n", "\r": out += "<br>"
      default: out.append(ch)
      }
    }
    return out
  }

  /// Text for a terminal: C0 and C1 control characters (ESC starts colour and cursor
  /// sequences) and DEL become U+FFFD; tabs stay.
  static func terminal(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: isControl) else { return s }
    var out = String.UnicodeScalarView()
    for scalar in s.unicodeScalars {
      out.append(isControl(scalar) ? "\u{FFFD}" : scalar)
    }
    return String(out)
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar != "\t" && (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value))
  }

  private static func isNumber(_ s: String) -> Bool {
    var body = Substring(s)
    if body.first == "-" || body.first == "+" { body = body.dropFirst() }
    guard !body.isEmpty else { return false }
    var dots = 0
    for ch in body {
      if ch == "." { dots += 1 } else if !ch.isASCII || !ch.isNumber { return false }
    }
    return dots <= 1 && body.first != "." && body.last != "."
  }
}
