import CustodyDiagnostics

/// How a scalar was written. Quoted scalars are always strings; plain ones may be numbers,
/// booleans or null depending on the format that reads them.
public enum ScalarStyle: Sendable, Hashable {
  case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A YAML scalar with its exact source position and the raw source text it came from, so a
/// position inside the value (a token in an expression) maps back to file:line:column.
public struct YAMLScalar: Sendable, Hashable {
  public var value: String
  public var style: ScalarStyle
  public var span: SourceSpan
  /// The source characters from the scalar's first character to its end, as written.
  public var raw: String

  public init(value: String, style: ScalarStyle, span: SourceSpan, raw: String) {
    self.value = value
    self.style = style
    self.span = span
    self.raw = raw
  }

  /// True for a plain `null`, `~` or empty plain scalar.
  public var isNull: Bool {
    style == .plain
      && (value.isEmpty || value == "null" || value == "~" || value == "Null" || value == "NULL")
  }

  /// The source location of the value's `offset`-th Unicode scalar.
  ///
  /// Aligns the value against the raw source text: quotes, escapes, indentation and line
  /// folding are skipped, so tokens in multi-line and quoted expressions point at the right
  /// line and column.
  public func location(ofValueOffset offset: Int) -> SourceLocation {
    let value = Array(self.value.unicodeScalars)
    let raw = Array(self.raw.unicodeScalars)
    var line = span.start.line
    var column = span.start.column
    var r = 0
    var v = 0
    func advance() {
      if raw[r] == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
      r += 1
    }
    // Skip the block indicator line (`|`, `>-` ...) and the opening quote.
    switch style {
    case .literal, .folded:
      while r < raw.count && raw[r] != "\n" { advance() }
      if r < raw.count { advance() }
    case .singleQuoted, .doubleQuoted:
      if r < raw.count { advance() }
    case .plain: break
    }
    let target = min(offset, value.count)
    func matches(_ c: Unicode.Scalar, _ source: Unicode.Scalar) -> Bool {
      c == source || (c == " " && source == "\n")
    }
    // Greedy alignment: consume each value character at the next source character that can
    // produce it, skipping indentation, quotes and escape backslashes.
    while v < target && r < raw.count {
      while r < raw.count && !matches(value[v], raw[r]) { advance() }
      if r < raw.count { advance() }
      v += 1
    }
    if target < value.count {
      while r < raw.count && !matches(value[target], raw[r]) { advance() }
    }
    if r >= raw.count && v < target {
      return SourceLocation(file: span.file, line: line, column: column + (target - v))
    }
    return SourceLocation(file: span.file, line: line, column: column)
  }

  /// The span of the value characters `range` (for a caret under one token).
  public func span(ofValueRange range: Range<Int>) -> SourceSpan {
    let start = location(ofValueOffset: range.lowerBound)
    let end =
      range.count > 1
      ? location(ofValueOffset: range.upperBound - 1).advanced(by: 1) : start.advanced(by: 1)
    return SourceSpan(start: start, end: end.line == start.line ? end : start.advanced(by: 1))
  }
}

/// A node of a YAML document. Every node carries its span.
public indirect enum YAMLNode: Sendable, Hashable {
  case scalar(YAMLScalar)
  case mapping(YAMLMapping)
  case sequence(YAMLSequence)

  public var span: SourceSpan {
    switch self {
    case .scalar(let s): s.span
    case .mapping(let m): m.span
    case .sequence(let s): s.span
    }
  }

  public var scalar: YAMLScalar? { if case .scalar(let s) = self { s } else { nil } }
  public var mapping: YAMLMapping? { if case .mapping(let m) = self { m } else { nil } }
  public var sequence: YAMLSequence? { if case .sequence(let s) = self { s } else { nil } }

  /// "a string", "a mapping", "a list": for messages about wrong value types.
  public var kindDescription: String {
    switch self {
    case .scalar(let s): s.isNull ? "null" : "a scalar"
    case .mapping: "a mapping"
    case .sequence: "a list"
    }
  }
}

/// A mapping: its pairs in document order. Keys are plain scalars (others are rejected).
public struct YAMLMapping: Sendable, Hashable {
  public var pairs: [(key: YAMLScalar, value: YAMLNode)]
  public var span: SourceSpan

  public init(pairs: [(key: YAMLScalar, value: YAMLNode)], span: SourceSpan) {
    self.pairs = pairs
    self.span = span
  }

  public subscript(key: String) -> YAMLNode? { pairs.first { $0.key.value == key }?.value }
  public func keyScalar(_ key: String) -> YAMLScalar? { pairs.first { $0.key.value == key }?.key }
  public var keys: [String] { pairs.map(\.key.value) }

  public static func == (a: YAMLMapping, b: YAMLMapping) -> Bool {
    a.span == b.span && a.pairs.count == b.pairs.count
      && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(span)
    for pair in pairs {
      hasher.combine(pair.key)
      hasher.combine(pair.value)
    }
  }
}

public struct YAMLSequence: Sendable, Hashable {
  public var items: [YAMLNode]
  public var span: SourceSpan

  public init(items: [YAMLNode], span: SourceSpan) {
    self.items = items
    self.span = span
  }
}
