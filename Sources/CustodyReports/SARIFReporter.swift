import CustodyValues
import Foundation

/// SARIF 2.1.0 for code-scanning dashboards: the rule instances as `tool.driver.rules`, one
/// result per finding, located at its evidence rows (ledger file and line). The clause ids ride
/// in `properties`.
public struct SARIFReporter: Sendable {
  public init() {}

  public func render(_ report: Report) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    var data = try encoder.encode(log(report))
    data.append(0x0A)
    return data
  }

  func log(_ report: Report) -> Log {
    let ruleIndex = Dictionary(
      report.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    let rules = report.rules.map { rule -> Descriptor in
      let clauses = report.clauses.filter { $0.rules.contains(rule.id) }
      let titles = clauses.map { "\($0.id) \($0.title)" }.joined(separator: "; ")
      // A rule no clause binds is unclassified: level "note", never passed off as a warning.
      let severity = clauses.map(\.severity).min()
      var help = "custody rule \(rule.id) (\(rule.kind) check)"
      if !titles.isEmpty { help += ", for clause \(titles)" }
      help += ". Run `custody explain \(rule.id)` for its definition."
      // The clauses' requirements, parameters bound, when the report carries them.
      let requirements = clauses.compactMap { c in c.requirement.map { "\(c.id): \($0)" } }
      return Descriptor(
        id: rule.id,
        shortDescription: Message(text: titles.isEmpty ? "\(rule.kind) check \(rule.id)" : titles),
        fullDescription: requirements.isEmpty
          ? nil : Message(text: requirements.joined(separator: "\n")),
        help: Message(text: help),
        defaultConfiguration: Configuration(level: level(severity)),
        properties: RuleProperties(
          clauses: clauses.map(\.id), kind: rule.kind, status: rule.status.rawValue)
      )
    }
    let results = report.findings.map { finding -> Result in
      let locations = finding.evidence.map { e -> Location in
        var parts: [String] = []
        if let id = e.entryId { parts.append("entry \(id)") }
        if let column = e.column { parts.append("\(column) = \(e.value ?? "")") }
        return Location(
          physicalLocation: PhysicalLocation(
            artifactLocation: ArtifactLocation(uri: uriReference(e.file)),
            region: Region(startLine: max(1, e.line))),
          message: parts.isEmpty ? nil : Message(text: parts.joined(separator: ", ")))
      }
      let suppressions =
        finding.status == .waived
        ? [
          Suppression(
            kind: "external", justification: finding.waiver.map { "waiver \($0)" } ?? "waived")
        ]
        : nil
      return Result(
        ruleId: finding.rule, ruleIndex: ruleIndex[finding.rule],
        // "fail" for every finding: SARIF wants level "none" for other kinds, which would
        // hide rule errors; the finding's own status is in properties.
        kind: "fail",
        level: level(finding.severity),
        message: Message(text: finding.message),
        locations: locations,
        partialFingerprints: ["custodyFindingId/v1": finding.id],
        suppressions: suppressions,
        properties: ResultProperties(
          clause: finding.clauses.first ?? "", clauses: finding.clauses, findingId: finding.id,
          severity: finding.severityLabel, status: finding.status.rawValue,
          evidenceTotal: finding.evidenceTotal,
          account: finding.account))
    }
    let run = Run(
      tool: Tool(
        driver: Driver(
          name: report.tool.name, version: report.tool.version, semanticVersion: nil, rules: rules)),
      results: results,
      properties: RunProperties(
        standard: report.standard.id, standardVersion: report.standard.version,
        standardSha256: report.standard.sha256, verdict: report.verdict.rawValue,
        failOn: report.failOn.rawValue,
        ledgerWarnings: report.ledger.warnings))
    return Log(
      schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs: [run])
  }

  /// SARIF's level for a severity; unclassified (nil) is a note.
  private func level(_ severity: ClauseSeverity?) -> String {
    switch severity {
    case .major: "error"
    case .minor: "warning"
    case .observation, nil: "note"
    }
  }

  /// A path as a URI reference: RFC 3986 unreserved characters and `/` kept, the rest
  /// percent-encoded (UTF-8).
  private func uriReference(_ path: String) -> String {
    var out = ""
    for byte in path.utf8 {
      let ch = Character(UnicodeScalar(byte))
      if byte < 0x80 && (ch.isLetter || ch.isNumber || "-._~/".contains(ch)) {
        out.append(ch)
      } else {
        out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
      }
    }
    return out
  }

  // The subset of the SARIF object model custody writes. Keys are SARIF's camelCase.
  struct Log: Encodable {
    var schema: String
    var version: String
    var runs: [Run]
    enum CodingKeys: String, CodingKey {
      case schema = "$schema"
      case version, runs
    }
  }
  struct Run: Encodable {
    var tool: Tool
    var results: [Result]
    var properties: RunProperties
  }
  struct RunProperties: Encodable {
    var standard, standardVersion, standardSha256, verdict, failOn: String
    var ledgerWarnings: [String]?
  }
  struct Tool: Encodable { var driver: Driver }
  struct Driver: Encodable {
    var name: String
    var version: String
    var semanticVersion: String?
    var rules: [Descriptor]
  }
  struct Descriptor: Encodable {
    var id: String
    var shortDescription: Message
    var fullDescription: Message?
    var help: Message
    var defaultConfiguration: Configuration
    var properties: RuleProperties
  }
  struct Configuration: Encodable { var level: String }
  struct RuleProperties: Encodable {
    var clauses: [String]
    var kind: String
    var status: String
  }
  struct Message: Encodable { var text: String }
  struct Result: Encodable {
    var ruleId: String
    var ruleIndex: Int?
    var kind: String
    var level: String
    var message: Message
    var locations: [Location]
    var partialFingerprints: [String: String]
    var suppressions: [Suppression]?
    var properties: ResultProperties
  }
  struct ResultProperties: Encodable {
    var clause: String
    var clauses: [String]
    var findingId: String
    var severity: String
    var status: String
    var evidenceTotal: Int
    var account: String?
  }
  struct Suppression: Encodable {
    var kind: String
    var justification: String
  }
  struct Location: Encodable {
    var physicalLocation: PhysicalLocation
    var message: Message?
  }
  struct PhysicalLocation: Encodable {
    var artifactLocation: ArtifactLocation
    var region: Region
  }
  struct ArtifactLocation: Encodable { var uri: String }
  struct Region: Encodable { var startLine: Int }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
