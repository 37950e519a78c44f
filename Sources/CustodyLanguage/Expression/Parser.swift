import CustodyDiagnostics

/// Recursive-descent parser with an explicit depth bound: it stops before recursing past
/// `maxDepth`, so a 10,000-deep expression is an error, never a stack overflow.
///
/// Grammar (low to high): or; and; not; comparison (`== != < <= > >= in`, `not in`);
/// `+ -`; `* /`; unary `-`; postfix (`[...]`, `[column = value]`, `.name`, `?.name`); primary.
struct Parser {
  var tokens: [Token]
  var index = 0
  let maxDepth: Int
  var depth = 0
  /// Set after the first error; every level then unwinds without reporting more.
  var failed = false
  var diagnostics: [(DiagnosticCode, String, Range<Int>, [String])] = []

  init(tokens: [Token], maxDepth: Int) {
    self.tokens = tokens
    self.maxDepth = maxDepth
  }

  /// Parses the whole token stream; nil after an error (already recorded in `diagnostics`).
  mutating func parseAll() -> Syntax? {
    guard let expr = parseOr() else { return nil }
    if case .end = peek.kind { return expr }
    fail(.exprSyntax, "unexpected \(describe(peek)) after a complete expression", peek.range)
    return nil
  }

  private var peek: Token { tokens[min(index, tokens.count - 1)] }

  private mutating func advance() -> Token {
    let t = peek
    if index < tokens.count - 1 { index += 1 }
    return t
  }

  private func isSymbol(_ s: String) -> Bool {
    if case .symbol(let x) = peek.kind { return x == s }
    return false
  }
  private func isKeyword(_ s: String) -> Bool {
    if case .keyword(let x) = peek.kind { return x == s }
    return false
  }

  private mutating func fail(
    _ code: DiagnosticCode, _ message: String, _ range: Range<Int>, _ suggestions: [String] = []
  ) {
    if !failed { diagnostics.append((code, message, range, suggestions)) }
    failed = true
  }

  func describe(_ t: Token) -> String {
    switch t.kind {
    case .end: "end of expression"
    case .integer(let s), .decimal(let s): "number \(s)"
    case .duration(let n, let u): "duration \(n)\(u)"
    case .string(let s): "text \"\(s)\""
    case .identifier(let s): "name '\(s)'"
    case .parameter(let s): "parameter '$\(s)'"
    case .symbol(let s): "'\(s)'"
    case .keyword(let s): "'\(s)'"
    }
  }

  /// Enters one level of nesting; false (after reporting) when the limit is reached.
  private mutating func enter(_ range: Range<Int>) -> Bool {
    depth += 1
    if depth > maxDepth {
      fail(.expressionTooDeep, "expression is nested more than \(maxDepth) levels deep", range)
      return false
    }
    return true
  }

  private mutating func make(_ kind: Syntax.Kind, _ range: Range<Int>, children: [Syntax])
    -> Syntax?
  {
    let d = 1 + (children.map(\.depth).max() ?? 0)
    if d > maxDepth {
      fail(.expressionTooDeep, "expression is nested more than \(maxDepth) levels deep", range)
      return nil
    }
    return Syntax(kind: kind, range: range, depth: d)
  }

  private mutating func binaryChain(
    operators: (inout Parser) -> String?, next: (inout Parser) -> Syntax?
  ) -> Syntax? {
    guard var left = next(&self) else { return nil }
    while let op = operators(&self) {
      guard let right = next(&self) else { return nil }
      guard
        let node = make(
          .binary(op, left, right), left.range.lowerBound..<right.range.upperBound,
          children: [left, right])
      else { return nil }
      left = node
    }
    return left
  }

  mutating func parseOr() -> Syntax? {
    binaryChain(
      operators: { p in
        if p.isKeyword("or") { _ = p.advance(); return "or" }
        return nil
      }, next: { p in p.parseAnd() })
  }

  mutating func parseAnd() -> Syntax? {
    binaryChain(
      operators: { p in
        if p.isKeyword("and") { _ = p.advance(); return "and" }
        return nil
      }, next: { p in p.parseNot() })
  }

  mutating func parseNot() -> Syntax? {
    guard isKeyword("not") else { return parseComparison() }
    let start = advance().range
    guard enter(start) else { return nil }
    defer { depth -= 1 }
    guard let operand = parseNot() else { return nil }
    return make(
      .unary("not", operand), start.lowerBound..<operand.range.upperBound, children: [operand])
  }

  mutating func parseComparison() -> Syntax? {
    guard let left = parseAdditive() else { return nil }
    var op: String?
    if case .symbol(let s) = peek.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
      op = s
      _ = advance()
    } else if isKeyword("in") {
      op = "in"
      _ = advance()
    } else if isKeyword("not") {
      let save = index
      _ = advance()
      if isKeyword("in") {
        _ = advance()
        op = "not in"
      } else {
        index = save
      }
    }
    guard let op else { return left }
    guard let right = parseAdditive() else { return nil }
    if case .symbol(let s) = peek.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
      fail(.exprSyntax, "comparisons do not chain; join them with 'and'", peek.range)
      return nil
    }
    return make(
      .binary(op, left, right), left.range.lowerBound..<right.range.upperBound,
      children: [left, right])
  }

  mutating func parseAdditive() -> Syntax? {
    binaryChain(
      operators: { p in
        if p.isSymbol("+") || p.isSymbol("-") {
          if case .symbol(let s) = p.advance().kind { return s }
        }
        return nil
      }, next: { p in p.parseMultiplicative() })
  }

  mutating func parseMultiplicative() -> Syntax? {
    binaryChain(
      operators: { p in
        if p.isSymbol("*") || p.isSymbol("/") {
          if case .symbol(let s) = p.advance().kind { return s }
        }
        return nil
      }, next: { p in p.parseUnary() })
  }

  mutating func parseUnary() -> Syntax? {
    guard isSymbol("-") else { return parsePostfix() }
    let start = advance().range
    guard enter(start) else { return nil }
    defer { depth -= 1 }
    guard let operand = parseUnary() else { return nil }
    return make(
      .unary("-", operand), start.lowerBound..<operand.range.upperBound, children: [operand])
  }

  mutating func parsePostfix() -> Syntax? {
    guard var base = parsePrimary() else { return nil }
    while true {
      if isSymbol("[") {
        let open = advance().range
        guard enter(open) else { return nil }
        if case .identifier(let column) = peek.kind, index + 1 < tokens.count,
          case .symbol("=") = tokens[index + 1].kind
        {
          guard let node = parseColumnLookup(base, column: column) else { return nil }
          base = node
          continue
        }
        var keys: [Syntax] = []
        var at: Syntax?
        repeat {
          if !keys.isEmpty { _ = advance() }
          guard let key = parseOr() else { return nil }
          keys.append(key)
        } while isSymbol(",")
        if isSymbol("@") {
          _ = advance()
          guard let date = parseOr() else { return nil }
          at = date
        }
        guard isSymbol("]") else {
          fail(.exprSyntax, "expected ']' to close the lookup, found \(describe(peek))", peek.range)
          return nil
        }
        let close = advance().range
        depth -= 1
        guard
          let node = make(
            .index(base, keys, at: at), base.range.lowerBound..<close.upperBound,
            children: [base] + keys + (at.map { [$0] } ?? []))
        else { return nil }
        base = node
      } else if isSymbol(".") || isSymbol("?.") {
        let nullSafe = isSymbol("?.")
        _ = advance()
        guard case .identifier(let name) = peek.kind else {
          fail(
            .exprSyntax,
            "expected a column name after '\(nullSafe ? "?." : ".")', found \(describe(peek))",
            peek.range)
          return nil
        }
        let nameRange = advance().range
        guard
          let node = make(
            .member(base, name, nameRange: nameRange, nullSafe: nullSafe),
            base.range.lowerBound..<nameRange.upperBound, children: [base])
        else { return nil }
        base = node
      } else {
        return base
      }
    }
  }

  /// The rest of `base[column = value]` or `base[column = value @ date]`, from the column name
  /// (the '[' is consumed and its nesting level entered).
  private mutating func parseColumnLookup(_ base: Syntax, column: String) -> Syntax? {
    let columnRange = advance().range
    _ = advance()  // '='
    guard let value = parseOr() else { return nil }
    var at: Syntax?
    if isSymbol("@") {
      _ = advance()
      guard let date = parseOr() else { return nil }
      at = date
    }
    guard isSymbol("]") else {
      let hint = isSymbol(",") ? " (a column lookup matches one column: table[column = value])" : ""
      fail(
        .exprSyntax, "expected ']' to close the lookup, found \(describe(peek))\(hint)", peek.range)
      return nil
    }
    let close = advance().range
    depth -= 1
    return make(
      .indexWhere(base, column: column, columnRange: columnRange, value: value, at: at),
      base.range.lowerBound..<close.upperBound, children: [base, value] + (at.map { [$0] } ?? []))
  }

  mutating func parsePrimary() -> Syntax? {
    let token = advance()
    switch token.kind {
    case .integer(let s): return Syntax(kind: .integer(s), range: token.range, depth: 1)
    case .decimal(let s): return Syntax(kind: .decimal(s), range: token.range, depth: 1)
    case .duration(let n, let u): return Syntax(kind: .duration(n, u), range: token.range, depth: 1)
    case .string(let s): return Syntax(kind: .string(s), range: token.range, depth: 1)
    case .parameter(let s): return Syntax(kind: .parameter(s), range: token.range, depth: 1)
    case .keyword("true"): return Syntax(kind: .bool(true), range: token.range, depth: 1)
    case .keyword("false"): return Syntax(kind: .bool(false), range: token.range, depth: 1)
    case .keyword("null"): return Syntax(kind: .null, range: token.range, depth: 1)
    case .identifier(let name):
      guard isSymbol("(") else { return Syntax(kind: .name(name), range: token.range, depth: 1) }
      let open = advance().range
      guard enter(open) else { return nil }
      defer { depth -= 1 }
      guard let (args, close) = parseList(closing: ")") else { return nil }
      return make(
        .call(name, nameRange: token.range, args), token.range.lowerBound..<close.upperBound,
        children: args)
    case .symbol("("):
      guard enter(token.range) else { return nil }
      defer { depth -= 1 }
      guard let inner = parseOr() else { return nil }
      guard isSymbol(")") else {
        fail(.exprSyntax, "expected ')' to close '(', found \(describe(peek))", peek.range)
        return nil
      }
      let close = advance().range
      return Syntax(
        kind: inner.kind, range: token.range.lowerBound..<close.upperBound, depth: inner.depth)
    case .symbol("["):
      guard enter(token.range) else { return nil }
      defer { depth -= 1 }
      guard let (items, close) = parseList(closing: "]") else { return nil }
      return make(.list(items), token.range.lowerBound..<close.upperBound, children: items)
    case .end:
      fail(
        .exprSyntax, "expression ends where a value is expected",
        token.range.isEmpty ? token.range.lowerBound..<(token.range.lowerBound + 1) : token.range)
      return nil
    default:
      fail(.exprSyntax, "expected a value, found \(describe(token))", token.range)
      return nil
    }
  }

  /// Comma-separated expressions up to `closing`; returns them and the closing token's range.
  private mutating func parseList(closing: String) -> ([Syntax], Range<Int>)? {
    var items: [Syntax] = []
    if isSymbol(closing) { return (items, advance().range) }
    while true {
      guard let item = parseOr() else { return nil }
      items.append(item)
      if isSymbol(",") {
        _ = advance()
        continue
      }
      if isSymbol(closing) { return (items, advance().range) }
      fail(.exprSyntax, "expected ',' or '\(closing)', found \(describe(peek))", peek.range)
      return nil
    }
  }
}
