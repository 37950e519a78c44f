/// A position in a source file. Lines and columns are 1-based; columns count Unicode scalars,
/// the same unit libyaml reports, so a caret lands under the right character in any editor
/// that counts characters.
public struct SourceLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  public var description: String { "\(file):\(line):\(column)" }

  public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
    (a.file, a.line, a.column) < (b.file, b.line, b.column)
  }

  /// The location `count` scalars to the right on the same line (for tokens inside a scalar).
  public func advanced(by count: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column + count)
  }
}

/// A range in a source file: where a token starts and where it ends (end exclusive).
public struct SourceSpan: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public var start: SourceLocation
  /// Exclusive end on the same file; equal to `start` for a point.
  public var end: SourceLocation

  public init(start: SourceLocation, end: SourceLocation) {
    self.start = start
    self.end = end
  }

  public init(_ location: SourceLocation, length: Int = 1) {
    self.start = location
    self.end = location.advanced(by: max(length, 0))
  }

  public var file: String { start.file }
  public var description: String { start.description }

  public static func < (a: SourceSpan, b: SourceSpan) -> Bool { a.start < b.start }

  /// A span for a whole file when nothing more precise is known.
  public static func file(_ path: String) -> SourceSpan {
    SourceSpan(SourceLocation(file: path, line: 1, column: 1), length: 0)
  }
}
