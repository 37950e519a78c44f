/// How serious a diagnostic is. Errors stop a compile or a run; warnings never change the
/// exit code unless the caller asks for `--strict`.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
  case error, warning, note

  private var rank: Int {
    switch self {
    case .error: 0
    case .warning: 1
    case .note: 2
    }
  }
  public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A secondary message attached to a diagnostic ("first defined here").
public struct DiagnosticNote: Sendable, Hashable, Codable {
  public var message: String
  public var span: SourceSpan?

  public init(_ message: String, at span: SourceSpan? = nil) {
    self.message = message
    self.span = span
  }
}

/// One problem found in a user's file: a stable code, a message, where, and what may help.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
  public var code: DiagnosticCode
  public var severity: Severity
  public var message: String
  public var span: SourceSpan?
  public var notes: [DiagnosticNote]
  /// "did you mean" candidates, best first.
  public var suggestions: [String]
  /// Free-form hint shown after the suggestions ("help: ...").
  public var help: String?

  public init(
    _ code: DiagnosticCode, _ message: String, at span: SourceSpan?,
    severity: Severity? = nil, notes: [DiagnosticNote] = [], suggestions: [String] = [],
    help: String? = nil
  ) {
    self.code = code
    self.severity = severity ?? code.defaultSeverity
    self.message = message
    self.span = span
    self.notes = notes
    self.suggestions = suggestions
    self.help = help
  }

  /// `file:line:column: error: message [CODE]`, the single-line form used by editors and CI.
  public var description: String {
    let location = span.map { "\($0.start): " } ?? ""
    return "\(location)\(severity.rawValue): \(message) [\(code.id)]"
  }

  /// Sort key: file, line, column, then code, then message, so output is stable.
  public static func ordered(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
    switch (a.span, b.span) {
    case (nil, nil): break
    case (nil, _): return false
    case (_, nil): return true
    case (let x?, let y?): if x.start != y.start { return x.start < y.start }
    }
    if a.code.id != b.code.id { return a.code.id < b.code.id }
    return a.message < b.message
  }
}

/// Collects diagnostics across compiler stages. Stages never throw on user errors; they report
/// here and go on, so one run shows every problem.
public struct DiagnosticBag: Sendable {
  public private(set) var diagnostics: [Diagnostic] = []

  public init() {}

  public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

  public mutating func report(
    _ code: DiagnosticCode, _ message: String, at span: SourceSpan?,
    notes: [DiagnosticNote] = [], suggestions: [String] = [], help: String? = nil
  ) {
    diagnostics.append(
      Diagnostic(code, message, at: span, notes: notes, suggestions: suggestions, help: help))
  }

  public mutating func append(contentsOf other: [Diagnostic]) { diagnostics += other }

  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
  public var errorCount: Int { diagnostics.count { $0.severity == .error } }
  public var warningCount: Int { diagnostics.count { $0.severity == .warning } }

  /// Sorted by location, duplicates removed.
  public var sorted: [Diagnostic] {
    var seen = Set<Diagnostic>()
    return diagnostics.sorted(by: Diagnostic.ordered).filter { seen.insert($0).inserted }
  }
}
