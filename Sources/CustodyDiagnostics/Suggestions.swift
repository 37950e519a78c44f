/// "Did you mean" candidates by edit distance, as swift-argument-parser and Cedar do.
public enum Suggestions {
  /// Candidates within a distance that scales with the word length, closest first.
  public static func closest(to word: String, in candidates: some Sequence<String>, limit: Int = 3)
    -> [String]
  {
    let lower = word.lowercased()
    let maxDistance = max(1, min(3, lower.count / 3 + 1))
    var scored: [(Int, String)] = []
    for candidate in candidates {
      let distance = editDistance(lower, candidate.lowercased())
      if distance <= maxDistance || (candidate.lowercased().hasPrefix(lower) && lower.count >= 3) {
        scored.append((distance, candidate))
      }
    }
    var seen = Set<String>()
    return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.1).filter {
      seen.insert($0).inserted
    }
    .prefix(limit).map { $0 }
  }

  /// Optimal string alignment distance (Levenshtein plus adjacent transposition).
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars)
    let y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous2 = [Int](repeating: 0, count: y.count + 1)
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
      current[0] = i
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
          value = min(value, previous2[j - 2] + 1)
        }
        current[j] = value
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[y.count]
  }
}
