import Crypto
import CustodyValues
import Foundation

/// The named parts of a report that `integrity.sections` digests one by one, so `verify` can
/// say which part changed. Together they cover every field except `integrity` and `signature`.
public enum ReportSection: String, Sendable, CaseIterable, Codable {
  /// schema_version, tool, generated_at
  case tool
  case standard
  case ledger
  /// evidence and finding limits, as-of date, waivers file
  case run
  /// verdict, fail_on, summary
  case verdict
  case clauses
  case rules
  case nonconformities
  case findings
  case accounts
  case waivers
  /// the mass-balance statement (schema 3)
  case statement
}

private struct ToolSection: Encodable {
  var schemaVersion: Int
  var tool: Report.Tool
  var generatedAt: String?
}

private struct VerdictSection: Encodable {
  var verdict: Verdict
  var failOn: ClauseSeverity
  var summary: Report.Summary
}

extension Report {
  /// The canonical (compact, sorted keys) JSON of one section: what its digest is over.
  public func canonicalJSON(of section: ReportSection) throws -> Data {
    switch section {
    case .tool:
      try CanonicalJSON.encode(
        ToolSection(schemaVersion: schemaVersion, tool: tool, generatedAt: generatedAt),
        pretty: false)
    case .standard: try CanonicalJSON.encode(standard, pretty: false)
    case .ledger: try CanonicalJSON.encode(ledger, pretty: false)
    case .run: try CanonicalJSON.encode(run, pretty: false)
    case .verdict:
      try CanonicalJSON.encode(
        VerdictSection(verdict: verdict, failOn: failOn, summary: summary), pretty: false)
    case .clauses: try CanonicalJSON.encode(clauses, pretty: false)
    case .rules: try CanonicalJSON.encode(rules, pretty: false)
    case .nonconformities: try CanonicalJSON.encode(nonconformities, pretty: false)
    case .findings: try CanonicalJSON.encode(findings, pretty: false)
    case .accounts: try CanonicalJSON.encode(accounts, pretty: false)
    case .waivers: try CanonicalJSON.encode(waivers, pretty: false)
    case .statement: try CanonicalJSON.encode(statement, pretty: false)
    }
  }

  /// sha256 (lowercase hex) of every section's canonical JSON, keyed by section name.
  public func sectionDigests() throws -> [String: String] {
    var digests: [String: String] = [:]
    for section in ReportSection.allCases {
      digests[section.rawValue] = Digests.sha256Hex(try canonicalJSON(of: section))
    }
    return digests
  }

  /// A copy with `integrity` filled in from the current content (and no signature, since the
  /// old one would no longer cover it).
  public func withIntegrity() throws -> Report {
    var copy = self
    copy.integrity = Integrity(sections: try sectionDigests())
    copy.signature = nil
    return copy
  }

  /// The sections whose content differs from `other`'s, in section order. `ignoring` defaults
  /// to `.tool` (the run time and tool version), so a re-evaluation of the same inputs can be
  /// compared with a recorded report.
  public func differingSections(
    from other: Report, ignoring: Set<ReportSection> = [.tool]
  ) throws -> [ReportSection] {
    let mine = try sectionDigests()
    let theirs = try other.sectionDigests()
    return ReportSection.allCases.filter {
      !ignoring.contains($0) && mine[$0.rawValue] != theirs[$0.rawValue]
    }
  }
}

/// sha256 helpers (lowercase hex), shared by integrity, signing and input checks.
public enum Digests {
  public static func sha256Hex(_ data: Data) -> String {
    Hex.lowercase(SHA256.hash(data: data))
  }

  /// The sha256 of a file's bytes, or nil when it cannot be read.
  public static func sha256Hex(ofFile path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return sha256Hex(data)
  }
}
