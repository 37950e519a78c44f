/// What makes an identifier (an entry id, a document number, a clause or rule id) unsafe to
/// compare: ids are compared character by character, without Unicode normalisation, so an id
/// with a BOM, a zero-width space or a trailing space is a different id that prints exactly
/// like the real one (issue 22, item 11).
///
/// Refused: a leading or trailing space (any white space), and anywhere a control, format
/// (U+FEFF, U+200B, U+200D, U+00AD, bidi controls), line or paragraph separator character, or
/// white space other than U+0020. Not done: NFC normalisation (`é` precomposed and decomposed
/// stay two ids); docs/limits.md says so.
public enum Identifier {
  /// nil when `text` is a safe identifier, else what is wrong with it.
  public static func problem(_ text: String) -> String? {
    let utf8 = text.utf8
    guard let first = utf8.first, let last = utf8.last else { return nil }
    // Fast path: printable ASCII with inner spaces only.
    if first != 0x20, last != 0x20, utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
    let scalars = Array(text.unicodeScalars)
    if scalars.first!.properties.isWhitespace {
      return "starts with \(name(scalars.first!))"
    }
    if scalars.last!.properties.isWhitespace {
      return "ends with \(name(scalars.last!))"
    }
    for (i, s) in scalars.enumerated() {
      switch s.properties.generalCategory {
      case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned,
        .surrogate:
        return "holds an invisible character \(name(s)) at character \(i + 1)"
      case .spaceSeparator where s != " ":
        return "holds \(name(s)) at character \(i + 1), which looks like a space"
      default: continue
      }
    }
    return nil
  }

  /// `U+FEFF`, or "a space" for U+0020.
  static func name(_ s: Unicode.Scalar) -> String {
    if s == " " { return "a space" }
    let hex = String(s.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }
}
