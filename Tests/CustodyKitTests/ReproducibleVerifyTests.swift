import CustodyKit
import Foundation
import Testing

/// Issue 17 acceptance 2 and 3, through the real `custody` binary: explain reads a mapped
/// export with its profile; a signed report records its run settings, so `verify` needs only
/// the key (and, to recompute, the files, from any working directory); a changed ledger byte
/// names the finding that appeared.
@Suite(.serialized) struct ReproducibleVerifyTests {
  let dir: String

  init() throws {
    dir = NSTemporaryDirectory() + "custody-kit-verify-\(UUID().uuidString)"
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir + "/elsewhere/deeper", withIntermediateDirectories: true)
    for folder in ["standards", "rules"] {
      try fm.copyItem(atPath: CLI.root + "/" + folder, toPath: dir + "/" + folder)
    }
    try fm.copyItem(atPath: CLI.root + "/fixtures/planted/cua-3.4", toPath: dir + "/ledger")
    // Waives the one non-conformity until 2026-06-30: judged on 2026-01-01 it is waived, judged
    // today it is not, so a verify that forgot the as-of date would disagree.
    try """
    waivers:
      - id: W-1
        clause: CUA-3.4
        entry_ids: [R-000301]
        reason: assay re-run pending; lab report LR-22
        approved_by: QA manager
        expires: 2026-06-30
    """.write(toFile: dir + "/waivers.yaml", atomically: true, encoding: .utf8)
    let keygen = try CLI.run(["keygen", "--output", dir + "/key"])
    #expect(keygen.status == 0, "\(keygen.stderr)")
  }

  func makeSignedReport() throws -> String {
    let r = try CLI.run(
      [
        "validate", "--standard", "standards/cu-again-coc.yaml", "--ledger", "ledger",
        "--evidence-limit", "5", "--waivers", "waivers.yaml", "--as-of", "2026-01-01",
        "--format", "json", "--deterministic", "--sign", "key", "--output", "report.json",
      ], cwd: dir)
    #expect(r.status == 0, "\(r.stderr)")
    return dir + "/report.json"
  }

  @Test func theReportRecordsItsRunSettings() throws {
    let report = try String(contentsOfFile: makeSignedReport(), encoding: .utf8)
    #expect(report.contains("\"evidence_limit\" : 5"))
    #expect(report.contains("\"as_of\" : \"2026-01-01\""))
    #expect(report.contains("\"path\" : \"waivers.yaml\""))
    #expect(report.contains("\"verdict\" : \"conformant\""))
  }

  @Test func verifiesWithOnlyTheKey() throws {
    _ = try makeSignedReport()
    let r = try CLI.run(["verify", "report.json", "--key", "key.pub"], cwd: dir)
    #expect(r.status == 0)
    #expect(r.stdout == "verified: signature valid\n")
  }

  @Test func recomputesFromAnotherWorkingDirectoryWithRelativePaths() throws {
    _ = try makeSignedReport()
    let r = try CLI.run(
      [
        "verify", "../../report.json", "--key", "../../key.pub", "--ledger", "../../ledger",
        "--standard", "../../standards/cu-again-coc.yaml", "--waivers", "../../waivers.yaml",
      ], cwd: dir + "/elsewhere/deeper")
    #expect(r.stdout == "verified: signature valid, inputs and results match\n", "\(r.stderr)")
    #expect(r.status == 0)
  }

  @Test func aMissingWaiversFileIsNamedWithItsDigest() throws {
    _ = try makeSignedReport()
    let r = try CLI.run(
      [
        "verify", "report.json", "--key", "key.pub", "--ledger", "ledger", "--standard",
        "standards/cu-again-coc.yaml",
      ], cwd: dir)
    #expect(r.status == 1)
    #expect(
      r.stdout.hasPrefix(
        "FAILED: this report was made with waivers waivers.yaml (sha256 "))
    #expect(r.stdout.contains("give them with --waivers"))
  }

  @Test func aChangedLedgerByteNamesTheFindingThatAppeared() throws {
    _ = try makeSignedReport()
    let shipments = dir + "/ledger/shipments.csv"
    let text = try String(contentsOfFile: shipments, encoding: .utf8)
    let range = try #require(text.range(of: "MR100/mb"))
    try text.replacingCharacters(in: range, with: "MR100/mc").write(
      toFile: shipments, atomically: true, encoding: .utf8)
    let r = try CLI.run(
      [
        "verify", "report.json", "--key", "key.pub", "--ledger", "ledger", "--standard",
        "standards/cu-again-coc.yaml", "--waivers", "waivers.yaml",
      ], cwd: dir)
    #expect(r.status == 1)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines.first?.hasPrefix("FAILED: ledger file ledger/shipments.csv was changed: sha256 ")
        == true)
    #expect(
      lines.contains(
        "FAILED: the verdict differs: the report says conformant, the inputs give non_conformant"))
    #expect(
      lines.contains {
        $0.hasPrefix("FAILED: finding ")
          && $0.contains(" (claim-known) appears when recomputed: shipment ")
          && $0.contains("makes claim MR100/mc")
      })
  }

  @Test func explainReadsAMappedExportWithItsProfile() throws {
    let args = [
      "--standard", "standards/cu-again-coc.yaml", "--ledger",
      "Tests/Exports/site-overdraft/sap-de", "--profile", "fixtures/profiles/sap-de.profile.yaml",
    ]
    let report = try CLI.run(
      ["validate"] + args + ["--format", "json", "--deterministic"], cwd: CLI.root)
    #expect(report.status == 1)
    let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
    let findings = try #require(json?["findings"] as? [[String: Any]])
    let overdraft = try #require(
      findings.first { $0["rule"] as? String == "credits-never-negative" })
    let id = try #require(overdraft["id"] as? String)
    let r = try CLI.run(["explain", String(id.prefix(8))] + args, cwd: CLI.root)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("Finding \(id): fail\n  rule:     credits-never-negative\n"))
    #expect(r.stdout.contains("(Tests/Exports/site-overdraft/sap-de/WE_Wareneingang.csv:"))
  }
}

/// The `custody` executable built beside this test binary, run to completion.
enum CLI {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  static let executable: String = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("custody").path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    return root + "/.build/debug/custody"
  }()

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ arguments: [String], cwd: String? = nil) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let scratch = NSTemporaryDirectory() + "custody-kit-cli-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: scratch + ".out", contents: nil)
    FileManager.default.createFile(atPath: scratch + ".err", contents: nil)
    defer {
      try? FileManager.default.removeItem(atPath: scratch + ".out")
      try? FileManager.default.removeItem(atPath: scratch + ".err")
    }
    process.standardOutput = FileHandle(forWritingAtPath: scratch + ".out")
    process.standardError = FileHandle(forWritingAtPath: scratch + ".err")
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus,
      stdout: (try? String(contentsOfFile: scratch + ".out", encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOfFile: scratch + ".err", encoding: .utf8)) ?? "")
  }
}
