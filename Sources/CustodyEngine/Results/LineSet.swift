/// A set of row lines (1-based), as one bit per line. Rules record the rows they failed or did
/// not pass so prerequisites and books can ask about them; a ledger where most rows fail puts
/// hundreds of thousands of lines in several such sets, and a `Set<Int>` cost a fifth of the
/// run (hashing, resizing) and about 20 bytes a line. Hand-written: no package here offers a
/// growable bit set with these operations (swift-collections' `BitSet` needs its own import
/// and has no exact-count tracking).
public struct LineSet: Sendable, Hashable, ExpressibleByArrayLiteral {
  private var words: [UInt64] = []
  public private(set) var count = 0

  public init() {}
  public init(arrayLiteral lines: Int...) { for line in lines { insert(line) } }

  public var isEmpty: Bool { count == 0 }

  @inline(__always) public func contains(_ line: Int) -> Bool {
    guard line >= 0 else { return false }
    let w = line >> 6
    return w < words.count && words[w] & (1 << UInt64(line & 63)) != 0
  }

  @discardableResult
  public mutating func insert(_ line: Int) -> Bool {
    precondition(line >= 0, "line numbers are not negative")
    let w = line >> 6
    if w >= words.count {
      words.append(contentsOf: repeatElement(0, count: max(w + 1, words.count * 2) - words.count))
    }
    let bit: UInt64 = 1 << UInt64(line & 63)
    if words[w] & bit != 0 { return false }
    words[w] |= bit
    count += 1
    return true
  }

  public mutating func formUnion(_ other: LineSet) {
    if other.words.count > words.count {
      words.append(contentsOf: repeatElement(0, count: other.words.count - words.count))
    }
    var n = 0
    for i in words.indices {
      if i < other.words.count { words[i] |= other.words[i] }
      n += words[i].nonzeroBitCount
    }
    count = n
  }

  public func union(_ other: LineSet) -> LineSet {
    var copy = self
    copy.formUnion(other)
    return copy
  }

  public func intersection(_ other: LineSet) -> LineSet {
    var out = LineSet()
    let n = min(words.count, other.words.count)
    out.words = (0..<n).map { words[$0] & other.words[$0] }
    out.count = out.words.reduce(0) { $0 + $1.nonzeroBitCount }
    return out
  }

  public func subtracting(_ other: LineSet) -> LineSet {
    var out = self
    for i in out.words.indices where i < other.words.count { out.words[i] &= ~other.words[i] }
    out.count = out.words.reduce(0) { $0 + $1.nonzeroBitCount }
    return out
  }

  public static func == (a: LineSet, b: LineSet) -> Bool {
    guard a.count == b.count else { return false }
    let n = max(a.words.count, b.words.count)
    for i in 0..<n
    where (i < a.words.count ? a.words[i] : 0) != (i < b.words.count ? b.words[i] : 0) {
      return false
    }
    return true
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(count)
    var last = words.count
    while last > 0 && words[last - 1] == 0 { last -= 1 }
    for i in 0..<last { hasher.combine(words[i]) }
  }
}
