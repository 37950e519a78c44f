import CustodyAuthoring
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 7 acceptance 2, end to end: a signed report made by the real pipeline verifies; one
/// byte changed in the report, the ledger or the standard's rules makes verify fail, naming
/// what changed.
@Suite(.serialized) struct VerifyTamperTests {
  let dir: String

  init() throws {
    dir = NSTemporaryDirectory() + "custody-verify-\(UUID().uuidString)"
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for folder in ["standards", "rules"] {
      try fm.copyItem(atPath: PlantedFixtureTests.root + "/" + folder, toPath: dir + "/" + folder)
    }
    try fm.copyItem(
      atPath: PlantedFixtureTests.root + "/fixtures/planted/cua-3.4", toPath: dir + "/ledger")
    try Signer.keygen(output: dir + "/key")
  }

  func makeSignedReport() throws -> String {
    let outcome = ValidationPipeline.run(
      .init(
        standardPath: dir + "/standards/cu-again-coc.yaml", ledgerPath: dir + "/ledger",
        asOf: CivilDate(year: 2026, month: 1, day: 1)!, deterministic: true, toolVersion: "test"))
    guard case .evaluated(let report, _, _) = outcome else { throw CancellationError() }
    let signed = try Signer(keyFile: dir + "/key").sign(report)
    let path = dir + "/report.json"
    try ReportWriter.write(try ReportFormat.json.renderData(signed), to: path, refusing: [])
    return path
  }

  func verify(_ report: String) throws -> [String] {
    try ReportVerification.verify(
      reportPath: report, publicKeyPath: dir + "/key.pub",
      inputs: .init(
        standardPath: dir + "/standards/cu-again-coc.yaml", ledgerPath: dir + "/ledger",
        asOf: CivilDate(year: 2026, month: 1, day: 1)!))
  }

  /// Replaces the first occurrence of `old` in a file with `new` (same length: one byte).
  func tamper(_ path: String, _ old: String, _ new: String) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let range = try #require(text.range(of: old))
    try text.replacingCharacters(in: range, with: new).write(
      toFile: path, atomically: true, encoding: .utf8)
  }

  @Test func untouchedSetVerifies() throws {
    let report = try makeSignedReport()
    #expect(try verify(report) == [])
  }

  @Test func changedReportValue() throws {
    let report = try makeSignedReport()
    try tamper(report, "\"verdict\" : \"non_conformant\"", "\"verdict\" : \"conformant\"")
    let problems = try verify(report)
    #expect(problems.contains("the verdict section was changed"))
  }

  /// A verdict that is no verdict is refused when the report is read (the model is typed).
  @Test func unknownVerdictWordIsRefused() throws {
    let report = try makeSignedReport()
    try tamper(report, "\"verdict\" : \"non_conformant\"", "\"verdict\" : \"non_conformanT\"")
    let problems = try verify(report)
    #expect(
      problems == [
        "the report cannot be read: Cannot initialize Verdict from invalid String value non_conformanT at $.verdict"
      ])
  }

  @Test func changedLedgerByte() throws {
    let report = try makeSignedReport()
    try tamper(dir + "/ledger/receipts.csv", "R-000002,", "R-000009,")
    let problems = try verify(report)
    #expect(
      problems.first?.hasPrefix("ledger file \(dir)/ledger/receipts.csv was changed: sha256 ")
        == true)
  }

  @Test func changedRuleByte() throws {
    let report = try makeSignedReport()
    let rule = dir + "/rules/eligibility/copper-content-consistent.yaml"
    try tamper(rule, "default: 0.001", "default: 0.002")
    let problems = try verify(report)
    // The standard binds its own tolerance, so only the file differs, and verify says which.
    #expect(problems.count == 1)
    #expect(problems.first?.hasPrefix("standard file \(rule) was changed: sha256 ") == true)
  }

  @Test func changedStandardParameter() throws {
    let report = try makeSignedReport()
    let standard = dir + "/standards/cu-again-coc.yaml"
    try tamper(standard, "unit: t, default: 0.001", "unit: t, default: 0.201")
    let problems = try verify(report)
    #expect(problems.first?.hasPrefix("standard file \(standard) was changed: sha256 ") == true)
    // The looser tolerance clears the planted finding: the verdict no longer matches either.
    #expect(
      problems.contains(
        "the verdict differs: the report says non_conformant, the inputs give conformant"))
  }
}
