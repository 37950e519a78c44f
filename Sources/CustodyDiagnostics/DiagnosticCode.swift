/// A stable diagnostic identity (`CUS2001`), kept apart from the wording so messages can be
/// improved without breaking scripts, waivers or documentation links.
///
/// Codes are grouped by the phase that emits them:
/// - CUS1xxx: reading YAML (syntax, encoding, limits, duplicate keys)
/// - CUS2xxx: the structure of standards, rules, ledger schemas and profiles
/// - CUS3xxx: expressions (syntax, names, types, functions)
/// - CUS4xxx: the rule graph (cycles, bindings)
/// - CUS5xxx: lint warnings
/// - CUS6xxx: ledger structure (stops a run, exit 3)
/// - CUS7xxx: ledger cells (data-integrity findings; the run goes on)
/// - CUS8xxx: evaluation (runtime errors inside rules)
/// - CUS9xxx: command line, reports and verification
public struct DiagnosticCode: Sendable, Hashable, Codable, CustomStringConvertible {
  public let id: String
  /// One line: what the code means.
  public let title: String
  /// How to fix it, for docs/diagnostics.md.
  public let fix: String
  public let defaultSeverity: Severity

  public init(_ id: String, _ title: String, fix: String, severity: Severity = .error) {
    self.id = id
    self.title = title
    self.fix = fix
    self.defaultSeverity = severity
  }

  public var description: String { id }

  public static func == (a: DiagnosticCode, b: DiagnosticCode) -> Bool { a.id == b.id }
  public func hash(into hasher: inout Hasher) { hasher.combine(id) }

  public init(from decoder: any Decoder) throws {
    let id = try decoder.singleValueContainer().decode(String.self)
    self = DiagnosticCode.all.first { $0.id == id } ?? DiagnosticCode(id, id, fix: "")
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(id)
  }

  /// Every code, in id order. Each phase declares its own list in `DiagnosticCode+<Phase>.swift`.
  public static var all: [DiagnosticCode] {
    (yamlCodes + languageCodes + graphCodes + lintCodes + ledgerCodes + exportCodes + cellCodes
      + runtimeCodes
      + toolCodes + authoringCodes).sorted { $0.id < $1.id }
  }
}
