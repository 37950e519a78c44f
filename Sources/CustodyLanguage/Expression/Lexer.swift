import CustodyDiagnostics

/// A token of the expression language. `range` counts Unicode scalars of the YAML value, so a
/// token maps to file:line:column through `YAMLScalar.location(ofValueOffset:)`.
struct Token: Sendable, Hashable {
  enum Kind: Sendable, Hashable {
    case integer(String)
    case decimal(String)
    case duration(Int, String)
    case string(String)
    case identifier(String)
    /// `$name`
    case parameter(String)
    /// Operators and punctuation: `+ - * / == != < <= > >= ( ) [ ] , . ?. @`, and `=` only
    /// after `table[column` (a column lookup).
    case symbol(String)
    case keyword(String)
    case end
  }
  var kind: Kind
  var range: Range<Int>
}

/// Splits an expression into tokens. Problems are reported as CUS3001/CUS3014 and lexing stops.
struct Lexer {
  static let keywords: Set<String> = ["and", "or", "not", "in", "true", "false", "null"]

  let scalars: [Unicode.Scalar]
  let base: Int
  var position = 0

  init(_ scalars: [Unicode.Scalar], base: Int) {
    self.scalars = scalars
    self.base = base
  }

  /// The tokens, ending with `.end`; nil when a character cannot start a token.
  mutating func tokenize(report: (DiagnosticCode, String, Range<Int>, [String]) -> Void) -> [Token]?
  {
    var tokens: [Token] = []
    while true {
      skipSpace()
      guard position < scalars.count else {
        tokens.append(Token(kind: .end, range: (base + position)..<(base + position)))
        return tokens
      }
      let start = position
      let c = scalars[position]
      if isDigit(c) {
        guard let token = number(report: report) else { return nil }
        tokens.append(token)
      } else if isIdentStart(c) {
        let word = identifier()
        let kind: Token.Kind = Self.keywords.contains(word) ? .keyword(word) : .identifier(word)
        tokens.append(Token(kind: kind, range: (base + start)..<(base + position)))
      } else if c == "$" {
        position += 1
        guard position < scalars.count, isIdentStart(scalars[position]) else {
          report(
            .exprSyntax, "expected a parameter name after '$'", (base + start)..<(base + position),
            [])
          return nil
        }
        let word = identifier()
        tokens.append(Token(kind: .parameter(word), range: (base + start)..<(base + position)))
      } else if c == "\"" || c == "'" {
        guard let token = string(quote: c, report: report) else { return nil }
        tokens.append(token)
      } else if c == "=", position + 1 >= scalars.count || scalars[position + 1] != "=",
        Self.opensColumnLookup(tokens)
      {
        // `table[column = value]`: the only place a single '=' is allowed.
        position += 1
        tokens.append(Token(kind: .symbol("="), range: (base + start)..<(base + position)))
      } else if let symbol = self.symbol() {
        position += symbol.unicodeScalars.count
        tokens.append(Token(kind: .symbol(symbol), range: (base + start)..<(base + position)))
      } else {
        let shown = c == "=" ? "'=' (write '==' to compare)" : "character '\(c)'"
        report(.exprSyntax, "unexpected \(shown)", (base + start)..<(base + start + 1), [])
        return nil
      }
    }
  }

  /// Whether the tokens so far end with `name [ name`, so a '=' here separates the column of a
  /// column lookup from its value.
  static func opensColumnLookup(_ tokens: [Token]) -> Bool {
    guard tokens.count >= 3, case .identifier = tokens[tokens.count - 1].kind,
      case .symbol("[") = tokens[tokens.count - 2].kind,
      case .identifier = tokens[tokens.count - 3].kind
    else { return false }
    return true
  }

  private mutating func skipSpace() {
    while position < scalars.count {
      let c = scalars[position]
      guard c == " " || c == "\n" || c == "\t" || c == "\r" else { return }
      position += 1
    }
  }

  private func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
  private func isIdentStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
  }
  private func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }

  private mutating func identifier() -> String {
    var word = ""
    while position < scalars.count, isIdent(scalars[position]) {
      word.unicodeScalars.append(scalars[position])
      position += 1
    }
    return word
  }

  /// `12`, `0.001`, `30d`, `12mo`. Exponents are not numbers here (never binary floating point).
  private mutating func number(report: (DiagnosticCode, String, Range<Int>, [String]) -> Void)
    -> Token?
  {
    let start = position
    var text = ""
    while position < scalars.count, isDigit(scalars[position]) {
      text.unicodeScalars.append(scalars[position])
      position += 1
    }
    var isDecimal = false
    if position + 1 < scalars.count, scalars[position] == ".", isDigit(scalars[position + 1]) {
      isDecimal = true
      text += "."
      position += 1
      while position < scalars.count, isDigit(scalars[position]) {
        text.unicodeScalars.append(scalars[position])
        position += 1
      }
    }
    if position < scalars.count, isIdentStart(scalars[position]) {
      let suffixStart = position
      let suffix = identifier()
      let range = (base + start)..<(base + position)
      if !isDecimal, suffix == "d" || suffix == "mo", let amount = Int(text), text.count <= 6 {
        return Token(kind: .duration(amount, suffix), range: range)
      }
      let hint = suffix == "e" || suffix.hasPrefix("e") ? " (exponents are not allowed)" : ""
      report(
        .badLiteral, "malformed number '\(text)\(suffix)'\(hint)",
        (base + start)..<(base + suffixStart + suffix.unicodeScalars.count),
        !isDecimal ? ["\(text)d", "\(text)mo"] : [])
      return nil
    }
    let range = (base + start)..<(base + position)
    return Token(kind: isDecimal ? .decimal(text) : .integer(text), range: range)
  }

  private mutating func string(
    quote: Unicode.Scalar, report: (DiagnosticCode, String, Range<Int>, [String]) -> Void
  ) -> Token? {
    let start = position
    position += 1
    var text = ""
    while position < scalars.count {
      let c = scalars[position]
      if c == quote {
        position += 1
        return Token(kind: .string(text), range: (base + start)..<(base + position))
      }
      if c == "\\", position + 1 < scalars.count {
        let next = scalars[position + 1]
        switch next {
        case "\\", "\"", "'": text.unicodeScalars.append(next)
        case "n": text += "\n"
        case "t": text += "\t"
        default:
          report(
            .badLiteral, "unknown escape '\\\(next)' in text",
            (base + position)..<(base + position + 2), [])
          return nil
        }
        position += 2
        continue
      }
      text.unicodeScalars.append(c)
      position += 1
    }
    report(.badLiteral, "text is not closed with \(quote)", (base + start)..<(base + start + 1), [])
    return nil
  }

  private func symbol() -> String? {
    let c = scalars[position]
    let next: Unicode.Scalar? = position + 1 < scalars.count ? scalars[position + 1] : nil
    switch c {
    case "=": return next == "=" ? "==" : nil
    case "!": return next == "=" ? "!=" : nil
    case "<": return next == "=" ? "<=" : "<"
    case ">": return next == "=" ? ">=" : ">"
    case "?": return next == "." ? "?." : nil
    case "+", "-", "*", "/", "(", ")", "[", "]", ",", ".", "@": return String(c)
    default: return nil
    }
  }
}
