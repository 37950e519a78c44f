/// Source text by file path, so a renderer can quote the offending line.
public final class SourceCache: Sendable {
  // Compilers register files (from several compile jobs at once) and renderers read them later.
  private let lines = Locked<[String: [Substring]]>([:])

  public init() {}

  public func register(path: String, text: String) {
    let split = text.split(separator: "\n", omittingEmptySubsequences: false)
    lines.withLock { $0[path] = split }
  }

  /// The 1-based line without its line terminator, if known.
  public func line(_ number: Int, in path: String) -> Substring? {
    lines.withLock { lines in
      guard let file = lines[path], number >= 1, number <= file.count else { return nil }
      var line = file[number - 1]
      if line.last == "\r" { line = line.dropLast() }
      return line
    }
  }
}

/// Renders diagnostics as text (source line and caret, as cel-go and Yams do) or JSON lines.
public struct DiagnosticRenderer: Sendable {
  public var sources: SourceCache
  public var colour: Bool
  /// At most this many diagnostics are printed; the rest are summarised as "N more".
  public var limit: Int

  public init(sources: SourceCache, colour: Bool = false, limit: Int = 100) {
    self.sources = sources
    self.colour = colour
    self.limit = limit
  }

  public func render(_ diagnostics: [Diagnostic]) -> String {
    var out = ""
    for diagnostic in diagnostics.prefix(limit) {
      out += render(diagnostic)
    }
    if diagnostics.count > limit {
      out += "... and \(diagnostics.count - limit) more diagnostics not shown\n"
    }
    return out
  }

  public func render(_ d: Diagnostic) -> String {
    var out = ""
    let label: String
    switch d.severity {
    case .error: label = paint("error", "1;31")
    case .warning: label = paint("warning", "1;33")
    case .note: label = paint("note", "1;36")
    }
    let location = d.span.map { "\($0.start): " } ?? ""
    out += "\(location)\(label): \(d.message) [\(d.code.id)]\n"
    if let span = d.span { out += snippet(span) }
    for note in d.notes {
      let at = note.span.map { "\($0.start): " } ?? ""
      out += "  \(at)note: \(note.message)\n"
      if let span = note.span { out += snippet(span, indent: "  ") }
    }
    if !d.suggestions.isEmpty {
      let quoted = d.suggestions.map { "'\($0)'" }
      out += "  help: did you mean \(quoted.joined(separator: " or "))?\n"
    }
    if let help = d.help { out += "  help: \(help)\n" }
    return out
  }

  /// The source line and a caret line under the span (tabs kept so the caret aligns).
  func snippet(_ span: SourceSpan, indent: String = "") -> String {
    guard let line = sources.line(span.start.line, in: span.file) else { return "" }
    let scalars = Array(line.unicodeScalars)
    let startColumn = max(1, span.start.column)
    var marker = ""
    for i in 0..<min(startColumn - 1, scalars.count) {
      marker.append(scalars[i] == "\t" ? "\t" : " ")
    }
    var width = 1
    if span.end.line == span.start.line, span.end.column > span.start.column {
      width = span.end.column - span.start.column
    }
    width = max(1, min(width, max(1, scalars.count - (startColumn - 1))))
    marker += "^" + String(repeating: "~", count: width - 1)
    let number = String(span.start.line)
    let pad = String(repeating: " ", count: number.count)
    return
      "\(indent)\(pad) |\n\(indent)\(number) | \(line)\n\(indent)\(pad) | \(paint(marker, "1;32"))\n"
  }

  private func paint(_ text: String, _ code: String) -> String {
    colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}
