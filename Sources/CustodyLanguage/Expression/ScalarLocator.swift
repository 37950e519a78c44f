import CustodyDiagnostics
import CustodyYAML

/// Source locations of every value offset of a YAML scalar, computed in one pass with the
/// same alignment as `YAMLScalar.location(ofValueOffset:)` (which is linear per call; an
/// expression asks for a span per node). A test checks both agree.
struct ScalarLocator {
  private var locations: [SourceLocation] = []
  private let file: String

  init(_ scalar: YAMLScalar) {
    file = scalar.span.file
    let value = Array(scalar.value.unicodeScalars)
    let raw = Array(scalar.raw.unicodeScalars)
    var line = scalar.span.start.line
    var column = scalar.span.start.column
    var r = 0
    func advance() {
      if raw[r] == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
      r += 1
    }
    switch scalar.style {
    case .literal, .folded:
      while r < raw.count && raw[r] != "\n" { advance() }
      if r < raw.count { advance() }
    case .singleQuoted, .doubleQuoted:
      if r < raw.count { advance() }
    case .plain: break
    }
    locations.reserveCapacity(value.count + 1)
    var v = 0
    while v < value.count && r < raw.count {
      let c = value[v]
      while r < raw.count && !(c == raw[r] || (c == " " && raw[r] == "\n")) { advance() }
      locations.append(SourceLocation(file: file, line: line, column: column))
      if r < raw.count { advance() }
      v += 1
    }
    // Past the raw text: count on from the last position, as the per-offset version does.
    let base = v
    let (endLine, endColumn) = (line, column)
    while locations.count <= value.count {
      locations.append(
        SourceLocation(file: file, line: endLine, column: endColumn + (locations.count - base)))
    }
  }

  func location(_ offset: Int) -> SourceLocation {
    locations[max(0, min(offset, locations.count - 1))]
  }

  /// Same contract as `YAMLScalar.span(ofValueRange:)`.
  func span(_ range: Range<Int>) -> SourceSpan {
    let start = location(range.lowerBound)
    let end =
      range.count > 1 ? location(range.upperBound - 1).advanced(by: 1) : start.advanced(by: 1)
    return SourceSpan(start: start, end: end.line == start.line ? end : start.advanced(by: 1))
  }
}
