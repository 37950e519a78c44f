/// A small regular-expression matcher for `matches(string, pattern)` that runs in linear time
/// (Thompson NFA simulation, no backtracking), so a hostile pattern cannot stall a run.
///
/// Syntax: literals, `.`, classes `[a-z0-9_]` and `[^...]`, escapes `\d \w \s` and `\.` etc.,
/// groups `( )`, alternation `|`, quantifiers `* + ?`, anchors `^` and `$`. A pattern matches
/// anywhere in the string unless anchored (like RE2 and CEL `matches`).
struct Pattern {
  private enum Atom {
    case any
    case set([ClosedRange<Character>], negated: Bool)
  }
  private enum Inst {
    case char(Atom)
    case split(Int, Int)
    case jump(Int)
    case start, end, match
  }
  private indirect enum Node {
    case atom(Atom), start, end, empty
    case concat([Node]), alt(Node, Node), star(Node), plus(Node), optional(Node)
  }

  private var program: [Inst] = []

  /// Longest pattern accepted, in characters. Parsing, compiling and the epsilon closure
  /// recurse at most this deep, so a pattern taken from a ledger cell cannot overflow the stack.
  static let maxLength = 1_000
  /// Deepest group nesting accepted.
  static let maxDepth = 32

  init?(_ text: String) {
    guard text.count <= Pattern.maxLength else { return nil }
    var parser = Parser(chars: Array(text))
    guard let node = parser.parseAlt(), parser.index == parser.chars.count else { return nil }
    emit(node)
    program.append(.match)
  }

  private mutating func emit(_ node: Node) {
    switch node {
    case .atom(let a): program.append(.char(a))
    case .start: program.append(.start)
    case .end: program.append(.end)
    case .empty: break
    case .concat(let nodes): for n in nodes { emit(n) }
    case .alt(let a, let b):
      let split = program.count
      program.append(.split(0, 0))
      emit(a)
      let jump = program.count
      program.append(.jump(0))
      program[split] = .split(split + 1, program.count)
      emit(b)
      program[jump] = .jump(program.count)
    case .star(let a):
      let split = program.count
      program.append(.split(0, 0))
      emit(a)
      program.append(.jump(split))
      program[split] = .split(split + 1, program.count)
    case .plus(let a):
      let begin = program.count
      emit(a)
      program.append(.split(begin, program.count + 1))
    case .optional(let a):
      let split = program.count
      program.append(.split(0, 0))
      emit(a)
      program[split] = .split(split + 1, program.count)
    }
  }

  func matches(_ text: String) -> Bool {
    let chars = Array(text)
    var current: [Int] = []
    var seen = [Int](repeating: -1, count: program.count)
    var generation = 0
    func add(_ pc: Int, _ at: Int, _ list: inout [Int]) -> Bool {
      if seen[pc] == generation { return false }
      seen[pc] = generation
      switch program[pc] {
      case .jump(let t): return add(t, at, &list)
      case .split(let a, let b):
        let x = add(a, at, &list)
        return add(b, at, &list) || x
      case .start: return at == 0 ? add(pc + 1, at, &list) : false
      case .end: return at == chars.count ? add(pc + 1, at, &list) : false
      case .match: return true
      case .char: list.append(pc); return false
      }
    }
    for i in 0...chars.count {
      // Unanchored search: a new thread starts at every position.
      if add(0, i, &current) { return true }
      guard i < chars.count else { break }
      generation += 1
      var next: [Int] = []
      for pc in current {
        if case .char(let atom) = program[pc], Pattern.accepts(atom, chars[i]) {
          if add(pc + 1, i + 1, &next) { return true }
        }
      }
      current = next
    }
    return false
  }

  private static func accepts(_ atom: Atom, _ c: Character) -> Bool {
    switch atom {
    case .any: return c != "\n"
    case .set(let ranges, let negated): return ranges.contains { $0.contains(c) } != negated
    }
  }

  private struct Parser {
    var chars: [Character]
    var index = 0
    var depth = 0

    mutating func parseAlt() -> Node? {
      guard let left = parseConcat() else { return nil }
      if index < chars.count, chars[index] == "|" {
        index += 1
        guard let right = parseAlt() else { return nil }
        return .alt(left, right)
      }
      return left
    }

    mutating func parseConcat() -> Node? {
      var items: [Node] = []
      while index < chars.count, chars[index] != "|", chars[index] != ")" {
        guard var atom = parseAtom() else { return nil }
        while index < chars.count, "*+?".contains(chars[index]) {
          switch chars[index] {
          case "*": atom = .star(atom)
          case "+": atom = .plus(atom)
          default: atom = .optional(atom)
          }
          index += 1
        }
        items.append(atom)
      }
      return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .concat(items))
    }

    mutating func parseAtom() -> Node? {
      let c = chars[index]
      index += 1
      switch c {
      case ".": return .atom(.any)
      case "^": return .start
      case "$": return .end
      case "*", "+", "?": return nil
      case "(":
        depth += 1
        defer { depth -= 1 }
        guard depth <= Pattern.maxDepth, let inner = parseAlt(), index < chars.count,
          chars[index] == ")"
        else { return nil }
        index += 1
        return inner
      case "[": return parseClass()
      case "\\":
        guard index < chars.count else { return nil }
        index += 1
        return .atom(.set(Parser.escape(chars[index - 1]), negated: false))
      default: return .atom(.set([c...c], negated: false))
      }
    }

    mutating func parseClass() -> Node? {
      var negated = false
      if index < chars.count, chars[index] == "^" {
        negated = true
        index += 1
      }
      var ranges: [ClosedRange<Character>] = []
      var first = true
      while index < chars.count, chars[index] != "]" || first {
        first = false
        var c = chars[index]
        index += 1
        if c == "\\", index < chars.count {
          c = chars[index]
          index += 1
          let escaped = Parser.escape(c)
          if escaped.count != 1 || escaped[0].lowerBound != c {
            ranges += escaped
            continue
          }
        }
        if index + 1 < chars.count, chars[index] == "-", chars[index + 1] != "]" {
          let hi = chars[index + 1]
          index += 2
          guard c <= hi else { return nil }
          ranges.append(c...hi)
        } else {
          ranges.append(c...c)
        }
      }
      guard index < chars.count else { return nil }
      index += 1
      return .atom(.set(ranges, negated: negated))
    }

    static func escape(_ c: Character) -> [ClosedRange<Character>] {
      switch c {
      case "d": return ["0"..."9"]
      case "w": return ["a"..."z", "A"..."Z", "0"..."9", "_"..."_"]
      case "s": return [" "..." ", "\t"..."\t", "\n"..."\n", "\r"..."\r"]
      default: return [c...c]
      }
    }
  }
}
