internal import CYAML
import CustodyDiagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bounds that keep a hostile YAML file from exhausting memory or time. Every bound gives a
/// clear error (docs/limits.md lists them).
public struct YAMLLimits: Sendable, Hashable {
  /// Largest file read, in bytes.
  public var maxBytes: Int = 8 * 1024 * 1024
  /// Most alias (`*name`) uses in one file.
  public var maxAliases: Int = 1_000
  /// Most nodes the document may expand to once aliases are counted at their full size.
  public var maxExpandedNodes: Int = 200_000
  /// Deepest nesting of mappings and lists.
  public var maxDepth: Int = 64

  public init() {}
  public static let `default` = YAMLLimits()
}

/// Reads one YAML document into a `YAMLNode` tree through libyaml's event API.
///
/// Never throws on bad input: problems become diagnostics, and the result is nil when the
/// document cannot be used.
public struct YAMLLoader: Sendable {
  public var limits: YAMLLimits
  public var sources: SourceCache?

  public init(limits: YAMLLimits = .default, sources: SourceCache? = nil) {
    self.limits = limits
    self.sources = sources
  }

  /// Loads a file from disk.
  public func load(path: String, into diagnostics: inout DiagnosticBag) -> YAMLNode? {
    switch FileBytes.read(path: path, limit: limits.maxBytes) {
    case .failure(.tooLarge(let size)):
      diagnostics.report(
        .fileTooLarge, "YAML file is \(size) bytes; the limit is \(limits.maxBytes) bytes",
        at: .file(path), help: "raise the limit with --max-yaml-bytes if the file is trusted")
      return nil
    case .failure(.unreadable(let reason)):
      diagnostics.report(.fileUnreadable, "cannot read '\(path)': \(reason)", at: .file(path))
      return nil
    case .success(let bytes):
      return load(bytes: bytes, path: path, into: &diagnostics)
    }
  }

  /// Loads YAML text; `path` names it in diagnostics.
  public func load(text: String, path: String, into diagnostics: inout DiagnosticBag) -> YAMLNode? {
    load(bytes: Array(text.utf8), path: path, into: &diagnostics)
  }

  public func load(bytes: [UInt8], path: String, into diagnostics: inout DiagnosticBag) -> YAMLNode?
  {
    if bytes.count > limits.maxBytes {
      diagnostics.report(
        .fileTooLarge, "YAML file is \(bytes.count) bytes; the limit is \(limits.maxBytes) bytes",
        at: .file(path))
      return nil
    }
    if let bad = UTF8Check.firstInvalid(bytes) {
      diagnostics.report(
        .invalidUTF8, "invalid UTF-8 byte 0x\(String(bad.byte, radix: 16, uppercase: true))",
        at: SourceSpan(SourceLocation(file: path, line: bad.line, column: bad.column)),
        help: "save the file as UTF-8")
      return nil
    }
    var body = bytes
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
    let text = String(decoding: body, as: UTF8.self)
    sources?.register(path: path, text: text)
    if text.allSatisfy({ $0.isWhitespace }) {
      diagnostics.report(.emptyFile, "'\(path)' is empty", at: .file(path))
      return nil
    }
    if body.contains(0) {
      let location = UTF8Check.location(ofFirst: 0, in: body, path: path)
      diagnostics.report(.yamlSyntax, "NUL character in YAML file", at: SourceSpan(location))
      return nil
    }
    var builder = TreeBuilder(path: path, text: text, bytes: body, limits: limits)
    let node = builder.run(body)
    diagnostics.append(contentsOf: builder.diagnostics.diagnostics)
    if node == nil && !builder.diagnostics.hasErrors {
      diagnostics.report(.emptyFile, "'\(path)' holds no YAML document", at: .file(path))
    }
    return builder.diagnostics.hasErrors ? nil : node
  }
}

/// Drives libyaml's parser and assembles nodes on an explicit stack (no recursion, so deep
/// nesting cannot overflow the call stack).
private struct TreeBuilder {
  let path: String
  let text: String
  /// The file's bytes; when they are all ASCII, libyaml's character index is a byte offset.
  let bytes: [UInt8]
  /// The file's scalars, for `rawText` when some byte is not ASCII (empty otherwise: most
  /// files are ASCII, and building this array and slicing it for every scalar's raw text was a
  /// measurable part of compiling a standard at startup).
  let scalars: [Unicode.Scalar]
  let limits: YAMLLimits
  var diagnostics = DiagnosticBag()

  private enum Frame {
    case mapping(
      start: SourceLocation, pairs: [(key: YAMLScalar, value: YAMLNode)], pendingKey: YAMLScalar?,
      anchor: String?, size: Int, badKey: Bool)
    case sequence(start: SourceLocation, items: [YAMLNode], anchor: String?, size: Int)
  }

  private var stack: [Frame] = []
  private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
  private var aliasCount = 0
  private var expanded = 0
  private var root: YAMLNode?
  private var documents = 0

  init(path: String, text: String, bytes: [UInt8], limits: YAMLLimits) {
    self.path = path
    self.text = text
    self.bytes = bytes
    self.scalars = bytes.allSatisfy { $0 < 0x80 } ? [] : Array(text.unicodeScalars)
    self.limits = limits
  }

  func location(_ mark: yaml_mark_t) -> SourceLocation {
    SourceLocation(file: path, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
  }

  func rawText(_ start: yaml_mark_t, _ end: yaml_mark_t) -> String {
    if scalars.isEmpty {
      let a = min(Int(start.index), bytes.count)
      let b = min(max(a, Int(end.index)), bytes.count)
      return String(decoding: bytes[a..<b], as: UTF8.self)
    }
    let a = min(Int(start.index), scalars.count)
    let b = min(max(a, Int(end.index)), scalars.count)
    var s = String.UnicodeScalarView()
    s.append(contentsOf: scalars[a..<b])
    return String(s)
  }

  mutating func run(_ bytes: [UInt8]) -> YAMLNode? {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) != 0 else {
      diagnostics.report(.yamlSyntax, "libyaml could not start", at: .file(path))
      return nil
    }
    defer { yaml_parser_delete(&parser) }
    return bytes.withUnsafeBufferPointer { buffer -> YAMLNode? in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      var event = yaml_event_t()
      while true {
        if yaml_parser_parse(&parser, &event) == 0 {
          reportParserError(parser)
          return nil
        }
        let keepGoing = handle(&event)
        let done = event.type == YAML_STREAM_END_EVENT
        yaml_event_delete(&event)
        if !keepGoing { return nil }
        if done { break }
      }
      return root
    }
  }

  mutating func reportParserError(_ parser: yaml_parser_t) {
    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
    let mark = parser.problem_mark
    var at = location(mark)
    // Reader errors ("control characters are not allowed") carry a byte offset, not a mark
    // (the mark is zero, which showed every one at 1:1).
    if parser.error == YAML_READER_ERROR {
      at = UTF8Check.location(ofOffset: Int(parser.problem_offset), in: bytes, path: path)
      let value = Int(parser.problem_value)
      let hex = String(value, radix: 16, uppercase: true)
      let which =
        value >= 0
        ? " (character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex))" : ""
      diagnostics.report(.yamlSyntax, "YAML syntax error: \(problem)\(which)", at: SourceSpan(at))
      return
    }
    var message = problem
    if let context = parser.context.map({ String(cString: $0) }) {
      message = "\(problem) \(context)"
    }
    // libyaml reports tabs as "found character that cannot start any token"; say what it is.
    if let tab = tabInIndentation(near: at.line) {
      diagnostics.report(
        .tabIndentation, "tab character used for indentation", at: SourceSpan(tab),
        help: "YAML forbids tabs in indentation; indent with spaces")
      return
    }
    if at.line < 1 { at.line = 1 }
    diagnostics.report(.yamlSyntax, "YAML syntax error: \(message)", at: SourceSpan(at))
  }

  /// The first tab in leading whitespace on the given line or the line before it.
  func tabInIndentation(near line: Int) -> SourceLocation? {
    var current = 1
    var column = 1
    var leading = true
    var found: [Int: SourceLocation] = [:]
    for s in text.unicodeScalars {
      if current > line { break }
      if s == "\n" {
        current += 1
        column = 1
        leading = true
        continue
      }
      if leading && s == "\t" && found[current] == nil && current >= line - 1 {
        found[current] = SourceLocation(file: path, line: current, column: column)
      }
      if s != " " && s != "\t" { leading = false }
      column += 1
    }
    return found[line] ?? found[line - 1]
  }

  mutating func handle(_ event: inout yaml_event_t) -> Bool {
    switch event.type {
    case YAML_DOCUMENT_START_EVENT:
      documents += 1
      if documents > 1 {
        diagnostics.report(
          .multipleDocuments, "a second YAML document starts here; one document per file",
          at: SourceSpan(location(event.start_mark)))
        return false
      }
    case YAML_SCALAR_EVENT:
      let data = event.data.scalar
      let value = String(
        decoding: UnsafeBufferPointer(start: data.value, count: Int(data.length)), as: UTF8.self)
      let style: ScalarStyle
      switch data.style {
      case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
      case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
      case YAML_LITERAL_SCALAR_STYLE: style = .literal
      case YAML_FOLDED_SCALAR_STYLE: style = .folded
      default: style = .plain
      }
      if let tag = data.tag.map({ String(cString: $0) }),
        let problem = CoreTags.problem(tag: tag, scalar: value, style: style)
      {
        diagnostics.report(
          .unsupportedTag, problem, at: SourceSpan(location(event.start_mark)),
          help: CoreTags.help)
        return false
      }
      let start = location(event.start_mark)
      var end = location(event.end_mark)
      if end.line != start.line { end = start.advanced(by: max(1, value.unicodeScalars.count)) }
      let scalar = YAMLScalar(
        value: value, style: style, span: SourceSpan(start: start, end: end),
        raw: rawText(event.start_mark, event.end_mark))
      let anchor = data.anchor.map { String(cString: $0) }
      return add(.scalar(scalar), size: 1, anchor: anchor)
    case YAML_ALIAS_EVENT:
      let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
      let at = SourceSpan(location(event.start_mark))
      aliasCount += 1
      if aliasCount > limits.maxAliases {
        diagnostics.report(
          .aliasLimit, "more than \(limits.maxAliases) aliases in one file", at: at,
          help: "write the values out; the limit is --max-yaml-aliases")
        return false
      }
      guard let target = anchors[name] else {
        diagnostics.report(
          .undefinedAlias, "alias '*\(name)' has no anchor '&\(name)' before it", at: at)
        return false
      }
      return add(target.node, size: target.size, anchor: nil)
    case YAML_MAPPING_START_EVENT:
      if let tag = event.data.mapping_start.tag.map({ String(cString: $0) }),
        tag != CoreTags.prefix + "map"
      {
        diagnostics.report(
          .unsupportedTag, "YAML tag '\(CoreTags.shown(tag))' is not supported on a mapping",
          at: SourceSpan(location(event.start_mark)), help: CoreTags.help)
        return false
      }
      if !push(at: event.start_mark) { return false }
      let anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
      stack.append(
        .mapping(
          start: location(event.start_mark), pairs: [], pendingKey: nil, anchor: anchor, size: 1,
          badKey: false))
    case YAML_SEQUENCE_START_EVENT:
      if let tag = event.data.sequence_start.tag.map({ String(cString: $0) }),
        tag != CoreTags.prefix + "seq"
      {
        diagnostics.report(
          .unsupportedTag, "YAML tag '\(CoreTags.shown(tag))' is not supported on a list",
          at: SourceSpan(location(event.start_mark)), help: CoreTags.help)
        return false
      }
      if !push(at: event.start_mark) { return false }
      let anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
      stack.append(.sequence(start: location(event.start_mark), items: [], anchor: anchor, size: 1))
    case YAML_MAPPING_END_EVENT:
      guard case .mapping(let start, let pairs, _, let anchor, let size, _) = stack.popLast() else {
        return false
      }
      let mapping = YAMLMapping(
        pairs: pairs, span: SourceSpan(start: start, end: location(event.end_mark)))
      checkDuplicates(mapping)
      return add(.mapping(mapping), size: size, anchor: anchor, counted: 1)
    case YAML_SEQUENCE_END_EVENT:
      guard case .sequence(let start, let items, let anchor, let size) = stack.popLast() else {
        return false
      }
      let sequence = YAMLSequence(
        items: items, span: SourceSpan(start: start, end: location(event.end_mark)))
      return add(.sequence(sequence), size: size, anchor: anchor, counted: 1)
    default:
      break
    }
    return true
  }

  mutating func push(at mark: yaml_mark_t) -> Bool {
    if stack.count >= limits.maxDepth {
      diagnostics.report(
        .nestingLimit, "nesting deeper than \(limits.maxDepth) levels",
        at: SourceSpan(location(mark)), help: "flatten the structure; the limit is --max-yaml-depth"
      )
      return false
    }
    return true
  }

  /// Adds a finished node to its parent, counting its expanded size against the limit.
  /// `counted` is what the node adds to the expanded total: a closed mapping or sequence
  /// counts only itself (its children were counted as they were added).
  mutating func add(_ node: YAMLNode, size: Int, anchor: String?, counted: Int? = nil) -> Bool {
    expanded += counted ?? size
    if expanded > limits.maxExpandedNodes {
      diagnostics.report(
        .aliasExpansionLimit,
        "document expands to more than \(limits.maxExpandedNodes) nodes through aliases",
        at: node.span, help: "aliases that refer to aliases multiply; write the values out")
      return false
    }
    if let anchor { anchors[anchor] = (node, size) }
    guard let top = stack.popLast() else {
      root = node
      return true
    }
    // `consume` leaves `items` / `pairs` uniquely referenced, so appending does not copy the
    // whole array (a copy per node made a long list or mapping quadratic).
    switch consume top {
    case .sequence(let start, var items, let a, let s):
      items.append(node)
      stack.append(.sequence(start: start, items: items, anchor: a, size: s + size))
    case .mapping(let start, var pairs, let pending, let a, let s, let badKey):
      if let key = pending {
        if !badKey { pairs.append((key, node)) }
        stack.append(
          .mapping(
            start: start, pairs: pairs, pendingKey: nil, anchor: a, size: s + size, badKey: false))
      } else if case .scalar(let key) = node {
        stack.append(
          .mapping(
            start: start, pairs: pairs, pendingKey: key, anchor: a, size: s + size, badKey: false))
      } else {
        diagnostics.report(
          .complexKey, "mapping key is \(node.kindDescription), not a plain string", at: node.span)
        let placeholder = YAMLScalar(value: "", style: .plain, span: node.span, raw: "")
        stack.append(
          .mapping(
            start: start, pairs: pairs, pendingKey: placeholder, anchor: a, size: s + size,
            badKey: true))
      }
    }
    return true
  }

  mutating func checkDuplicates(_ mapping: YAMLMapping) {
    var first: [String: YAMLScalar] = [:]
    for (key, _) in mapping.pairs {
      if let original = first[key.value] {
        diagnostics.report(
          .duplicateKey, "duplicate key '\(key.value)'", at: key.span,
          notes: [DiagnosticNote("'\(key.value)' first defined here", at: original.span)])
      } else {
        first[key.value] = key
      }
    }
  }
}

/// The explicit tags custody accepts: the YAML 1.2 core schema's `!!str`, `!!int`, `!!bool`,
/// `!!null`, `!!map` and `!!seq`, and only where the tag agrees with how the value reads
/// untagged, so a tag can never change what custody reads (`!!str 12` would be text to a YAML
/// library and a number to custody's readers: quote it instead). `!!float` is refused
/// (quantities are exact decimals, never binary floating point), and so is every other tag
/// (`!!timestamp`, `!!binary`, `!!python/...`, `!custom`).
enum CoreTags {
  static let prefix = "tag:yaml.org,2002:"
  static let help =
    "custody accepts only the core tags !!str, !!int, !!bool, !!null, !!map and !!seq, where they agree with the untagged value; remove the tag (quote a value to make it text)"

  /// `!!name` for a core tag, the tag as written otherwise.
  static func shown(_ tag: String) -> String {
    tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
  }

  static func isNull(_ v: String) -> Bool { ["", "~", "null", "Null", "NULL"].contains(v) }
  static func isBool(_ v: String) -> Bool {
    ["true", "True", "TRUE", "false", "False", "FALSE"].contains(v)
  }
  static func isInt(_ v: String) -> Bool {
    let digits = v.first == "-" || v.first == "+" ? v.dropFirst() : Substring(v)
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
  }
  /// Would the core schema read this plain scalar as something other than text?
  static func isNonString(_ v: String) -> Bool {
    if isNull(v) || isBool(v) || isInt(v) { return true }
    let body = v.first == "-" || v.first == "+" ? v.dropFirst() : Substring(v)
    if [".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"].contains(String(body)) { return true }
    var sawDigit = false
    var sawPoint = false
    var rest = body[...]
    while let c = rest.first, c.isASCII, c.isNumber || (c == "." && !sawPoint) {
      if c == "." { sawPoint = true } else { sawDigit = true }
      rest = rest.dropFirst()
    }
    guard sawDigit else { return false }
    if rest.isEmpty { return true }
    guard rest.first == "e" || rest.first == "E" else { return false }
    rest = rest.dropFirst()
    if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
    return !rest.isEmpty && rest.allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// nil when the tag is accepted on this scalar, else the message.
  static func problem(tag: String, scalar value: String, style: ScalarStyle) -> String? {
    let name = shown(tag)
    let plain = style == .plain
    switch tag {
    case prefix + "str":
      return plain && isNonString(value)
        ? "YAML tag '!!str' on '\(value)', which custody would not read as text; quote the value instead"
        : nil
    case prefix + "int":
      return plain && isInt(value)
        ? nil : "YAML tag '!!int' on '\(value)', which is not a plain decimal whole number"
    case prefix + "bool":
      return plain && isBool(value)
        ? nil : "YAML tag '!!bool' on '\(value)', which is not true or false"
    case prefix + "null":
      return plain && isNull(value) ? nil : "YAML tag '!!null' on '\(value)', which is not null"
    case prefix + "float":
      return
        "YAML tag '!!float' is not supported: custody reads numbers as exact decimals; write the number without a tag"
    default:
      return "YAML tag '\(name)' is not supported"
    }
  }
}

/// Finds the first byte that is not valid UTF-8, with its line and column.
public enum UTF8Check {
  public struct Invalid: Sendable, Equatable {
    public var offset: Int
    public var byte: UInt8
    public var line: Int
    public var column: Int
  }

  public static func firstInvalid(_ bytes: [UInt8]) -> Invalid? {
    bytes.withUnsafeBufferPointer { firstInvalid($0, startLine: 1, startColumn: 1) }
  }

  /// Validates `bytes`; line and column count from the given start (for streamed chunks).
  public static func firstInvalid(_ b: UnsafeBufferPointer<UInt8>, startLine: Int, startColumn: Int)
    -> Invalid?
  {
    var i = 0
    var line = startLine
    var column = startColumn
    let n = b.count
    while i < n {
      let c = b[i]
      if c < 0x80 {
        if c == 0x0A {
          line += 1
          column = 1
        } else {
          column += 1
        }
        i += 1
        continue
      }
      switch sequence(b.baseAddress!, at: i, count: n) {
      case .scalar(let length):
        i += length
        column += 1
      case .truncated:
        return Invalid(offset: i, byte: c, line: line, column: column)
      case .invalid:
        // The sequence's first byte is the bad one to name (0xE9 in "Caf\xE9\""), as the CSV
        // reader does, not the byte that showed it was cut short (issue 22, item 15).
        return Invalid(offset: i, byte: c, line: line, column: column)
      }
    }
    return nil
  }

  /// What a multi-byte UTF-8 sequence starting at `i` is.
  public enum Sequence: Equatable {
    /// A valid scalar of `length` bytes.
    case scalar(length: Int)
    /// Valid so far, but the buffer ends before the sequence does.
    case truncated
    /// The byte at `offset` makes it invalid (a bad lead byte, a bad continuation byte, an
    /// overlong form, a surrogate or a value above U+10FFFF).
    case invalid(offset: Int)
  }

  /// Decodes the non-ASCII sequence starting at `i` (shared by the YAML loader and the ledger
  /// reader's chunked validator, which keeps its own ASCII fast path).
  @inlinable
  public static func sequence(_ b: UnsafePointer<UInt8>, at i: Int, count n: Int) -> Sequence {
    let c = b[i]
    var need = 0
    var minimum: UInt32 = 0
    var scalar: UInt32 = 0
    if c & 0xE0 == 0xC0 {
      need = 1
      minimum = 0x80
      scalar = UInt32(c & 0x1F)
    } else if c & 0xF0 == 0xE0 {
      need = 2
      minimum = 0x800
      scalar = UInt32(c & 0x0F)
    } else if c & 0xF8 == 0xF0 {
      need = 3
      minimum = 0x10000
      scalar = UInt32(c & 0x07)
    } else {
      return .invalid(offset: i)
    }
    for k in 1...need {
      if i + k >= n { return .truncated }
      let cc = b[i + k]
      if cc & 0xC0 != 0x80 { return .invalid(offset: i + k) }
      scalar = scalar << 6 | UInt32(cc & 0x3F)
    }
    if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) {
      return .invalid(offset: i)
    }
    return .scalar(length: need + 1)
  }

  /// The line and column of the byte at `offset`.
  public static func location(ofOffset offset: Int, in bytes: [UInt8], path: String)
    -> SourceLocation
  {
    var line = 1
    var column = 1
    for c in bytes[..<min(max(0, offset), bytes.count)] {
      if c == 0x0A {
        line += 1
        column = 1
      } else if c & 0xC0 != 0x80 {
        column += 1
      }
    }
    return SourceLocation(file: path, line: line, column: column)
  }

  /// The line and column of the first occurrence of `byte`.
  public static func location(ofFirst byte: UInt8, in bytes: [UInt8], path: String)
    -> SourceLocation
  {
    var line = 1
    var column = 1
    var i = 0
    while i < bytes.count {
      let c = bytes[i]
      if c == byte { break }
      if c == 0x0A {
        line += 1
        column = 1
      } else if c & 0xC0 != 0x80 {
        column += 1
      }
      i += 1
    }
    return SourceLocation(file: path, line: line, column: column)
  }
}

/// Reads a whole small file (YAML, keys) with a size bound, without Foundation.
public enum FileBytes {
  public enum Failure: Error, Sendable, Equatable {
    case unreadable(String)
    case tooLarge(Int)
  }

  public static func read(path: String, limit: Int = Int.max) -> Result<[UInt8], Failure> {
    // `fopen` would block forever on a pipe and a device never ends: only regular files (issue 8).
    var before = stat()
    if stat(path, &before) == 0, (before.st_mode & S_IFMT) != S_IFREG,
      (before.st_mode & S_IFMT) != S_IFDIR
    {
      return .failure(.unreadable("not a regular file (a pipe or a device?)"))
    }
    guard let file = fopen(path, "rb") else {
      return .failure(.unreadable(String(cString: strerror(errno))))
    }
    defer { fclose(file) }
    var st = stat()
    if fstat(fileno(file), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
      return .failure(.unreadable("is a directory"))
    }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65536, file) }
      if n > 0 {
        result.append(contentsOf: chunk[0..<n])
        if result.count > limit { return .failure(.tooLarge(result.count)) }
      }
      if n < 65536 {
        if ferror(file) != 0 { return .failure(.unreadable(String(cString: strerror(errno)))) }
        break
      }
    }
    return .success(result)
  }
}
