import CustodyDiagnostics
import CustodyLanguage
import CustodyReports
import CustodyValues
import Foundation

/// `custody verify`: the signature, and, given the inputs, whether recomputing the report from
/// them gives the same files, verdict and sections. Every problem is one plain sentence that
/// names what differs.
public enum ReportVerification {
  public struct Inputs: Sendable {
    public var standardPath: String
    public var ledgerPath: String
    public var profilePath: String?
    public var waiversPath: String?
    public var asOf: CivilDate
    public var evidenceLimit: Int
    public init(
      standardPath: String, ledgerPath: String, profilePath: String? = nil,
      waiversPath: String? = nil,
      asOf: CivilDate, evidenceLimit: Int = 20
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
    let request = ValidationPipeline.Request(
      standardPath: inputs.standardPath, ledgerPath: inputs.ledgerPath,
      profilePath: inputs.profilePath,
      waiversPath: inputs.waiversPath, asOf: inputs.asOf,
      failOn: ClauseSeverity(rawValue: recorded.failOn) ?? .minor,
      evidenceLimit: inputs.evidenceLimit,
      deterministic: true, toolVersion: recorded.tool.version)
    switch ValidationPipeline.run(request) {
    case .invalidInput(let diagnostics, _):
      problems.append("the standard given does not compile")
      problems += diagnostics.filter { $0.severity == .error }.map { "  " + $0.description }
    case .unreadableLedger(let diagnostic):
      problems.append("the ledger given is unreadable: \(diagnostic.description)")
    case .evaluated(let fresh, _, _):
      var ledgerNow: [String: String] = [:]
      for f in fresh.ledger.files where !f.absent { ledgerNow[f.path] = f.sha256 }
      if let p = fresh.ledger.profile { ledgerNow[p.path] = p.sha256 }
      var standardNow: [String: String] = [fresh.standard.file: fresh.standard.sha256]
      for input in fresh.standard.inputs { standardNow[input.path] = input.sha256 }
      let differences = InputCheck.compare(
        recorded, ledgerFiles: ledgerNow, standardInputs: standardNow)
      problems += differences.map(\.description)
      if recorded.verdict != fresh.verdict {
        problems.append(
          "the verdict differs: the report says \(recorded.verdict), the inputs give \(fresh.verdict)"
        )
      }
      // Input sections differ whenever a file does; name other sections only when they differ.
      let sections = (try? recorded.differingSections(from: fresh, ignoring: [.tool])) ?? []
      for section in sections
      where !(section == .standard || section == .ledger) || differences.isEmpty {
        problems.append("recomputing from the inputs gives a different \(section.rawValue) section")
      }
    }
    return problems
  }
}
