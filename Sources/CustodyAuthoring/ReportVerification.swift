import CustodyDiagnostics
import CustodyLanguage
import CustodyReports
import CustodyValues
import Foundation

/// `custody verify`: the signature, and, given the inputs, whether recomputing the report from
/// them gives the same files, verdict and sections. The run settings (evidence limit, finding
/// limit, as-of date, waivers digest) are read from the signed report itself, so a report can
/// be re-checked years later from its own contents plus the files. Every problem is one plain
/// sentence that names what differs.
public enum ReportVerification {
  public struct Inputs: Sendable {
    public var standardPath: String
    public var ledgerPath: String
    public var profilePath: String?
    public var waiversPath: String?
    /// nil: the report's own (`run.as_of`), else today.
    public var asOf: CivilDate?
    /// nil: the report's own (`run.evidence_limit`), else 20.
    public var evidenceLimit: Int?
    public init(
      standardPath: String, ledgerPath: String, profilePath: String? = nil,
      waiversPath: String? = nil, asOf: CivilDate? = nil, evidenceLimit: Int? = nil
    ) {
      self.standardPath = standardPath
      self.ledgerPath = ledgerPath
      self.profilePath = profilePath
      self.waiversPath = waiversPath
      self.asOf = asOf
      self.evidenceLimit = evidenceLimit
    }
  }

  /// Problems found; empty when the report verifies. Throws only when the report or key file
  /// cannot be read at all.
  public static func verify(reportPath: String, publicKeyPath: String, inputs: Inputs?)
    throws(ReportError) -> [String]
  {
    let result = try Verifier.verify(reportPath: reportPath, publicKeyPath: publicKeyPath)
    var problems = result.problems.map(\.description)
    guard let recorded = result.report, let inputs else { return problems }
    let missing = missingInputs(recorded, inputs)
    guard missing.isEmpty else { return problems + missing }
    let run = recorded.run
    var request = ValidationPipeline.Request(
      standardPath: inputs.standardPath, ledgerPath: inputs.ledgerPath,
      profilePath: inputs.profilePath, waiversPath: inputs.waiversPath,
      asOf: inputs.asOf ?? run?.asOf.flatMap(CivilDate.parseISO) ?? CivilDate.today,
      failOn: recorded.failOn,
      evidenceLimit: inputs.evidenceLimit ?? run?.evidenceLimit ?? 20,
      deterministic: true, toolVersion: recorded.tool.version)
    if let limit = run?.findingLimit { request.findingLimit = limit }
    switch ValidationPipeline.run(request) {
    case .invalidInput(let diagnostics, _):
      problems.append("the standard, profile or waivers given do not compile")
      problems += diagnostics.filter { $0.severity == .error }.map { "  " + $0.description }
    case .unreadableLedger(let diagnostic):
      problems.append("the ledger given is unreadable: \(diagnostic.description)")
    case .evaluated(let fresh, _, _):
      let differences = InputCheck.compare(recorded: recorded, fresh: fresh)
      problems += differences.map(\.description)
      if let r = run?.waivers, let f = fresh.run?.waivers, r.sha256 != f.sha256 {
        problems.append(
          "waivers file \(f.path) was changed: sha256 \(f.sha256.prefix(16)), the report records \(r.sha256.prefix(16))"
        )
      }
      if recorded.verdict != fresh.verdict {
        problems.append(
          "the verdict differs: the report says \(recorded.verdict.rawValue), the inputs give \(fresh.verdict.rawValue)"
        )
      }
      let findingProblems = findingDifferences(recorded, fresh)
      problems += findingProblems
      // Input sections differ whenever a file does (and paths may be spelled differently), so
      // name other sections only when they differ and nothing above explains it.
      let sections =
        (try? recorded.withInputPathsRelative().differingSections(
          from: fresh.withInputPathsRelative(), ignoring: [.tool, .standard, .ledger, .run]))
        ?? []
      for section in sections
      where !(section == .findings && !findingProblems.isEmpty) && differences.isEmpty {
        problems.append("recomputing from the inputs gives a different \(section.rawValue) section")
      }
    }
    return problems
  }

  /// What the report says it was made with that the inputs do not give: a profile or a
  /// waivers file (named with its digest, so the right one can be found).
  static func missingInputs(_ recorded: Report, _ inputs: Inputs) -> [String] {
    var out: [String] = []
    if let p = recorded.ledger.profile, inputs.profilePath == nil {
      out.append(
        "this report was made with mapping profile \(p.path) (sha256 \(p.sha256.prefix(16))): give it with --profile"
      )
    }
    if recorded.ledger.profile == nil, let given = inputs.profilePath {
      out.append("this report was made without a mapping profile, but --profile \(given) was given")
    }
    if let w = recorded.run?.waivers, inputs.waiversPath == nil {
      out.append(
        "this report was made with waivers \(w.path) (sha256 \(w.sha256.prefix(16))): give them with --waivers"
      )
    }
    if let run = recorded.run, run.waivers == nil, let given = inputs.waiversPath {
      out.append("this report was made without waivers, but --waivers \(given) was given")
    }
    return out
  }

  /// The findings that appear or disappear when recomputed, by id, rule and message (at most
  /// 20 of each, with the total).
  static func findingDifferences(_ recorded: Report, _ fresh: Report) -> [String] {
    let before = Dictionary(recorded.findings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let after = Dictionary(fresh.findings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    var out: [String] = []
    func list(_ ids: [String], _ source: [String: Report.Finding], _ what: String) {
      for id in ids.prefix(20) {
        guard let f = source[id] else { continue }
        out.append("finding \(id) (\(f.rule)) \(what): \(f.message)")
      }
      if ids.count > 20 { out.append("... and \(ids.count - 20) more findings \(what)") }
    }
    list(after.keys.filter { before[$0] == nil }.sorted(), after, "appears when recomputed")
    list(before.keys.filter { after[$0] == nil }.sorted(), before, "is gone when recomputed")
    return out
  }
}
