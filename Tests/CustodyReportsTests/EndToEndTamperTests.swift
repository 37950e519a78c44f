@preconcurrency import Crypto
import CustodyDiagnostics
import CustodyReports
import Foundation
import Testing

/// The files a certifier receives: a signed report on disk, the public key, the ledger and the
/// standard. One byte changed in any of them is named; the untouched set verifies.
@Suite struct EndToEndTamperTests {
  let folder: URL
  let ledgerFiles = [
    "receipts.csv": "entry_id,cu_t\nR-000045,30.000\n",
    "sales.csv": "entry_id,quantity_t\nS-000123,40.000\n",
  ]
  let standardFiles = [
    "standard.yaml": "standard: cu-again-coc\n", "rules/no-overdraft.yaml": "rule: no-overdraft\n",
  ]

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "custody-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("ledger"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
    for (name, text) in ledgerFiles {
      try text.write(
        to: folder.appendingPathComponent("ledger/" + name), atomically: false, encoding: .utf8)
    }
    for (name, text) in standardFiles {
      try text.write(to: folder.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }
  }

  func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  /// The report the run would produce: the planted report with these files' digests.
  func produce() throws -> Report {
    var report = PlantedReport.report
    let ledger = InputCheck.hashFiles(Array(ledgerFiles.keys), root: path("ledger"))
    report.ledger.files = ledgerFiles.keys.sorted().map {
      Report.LedgerFile(
        table: String($0.dropLast(4)), path: $0, sha256: ledger[$0] ?? "", rows: 1, absent: false)
    }
    let standard = InputCheck.hashFiles(Array(standardFiles.keys), root: folder.path)
    report.standard.file = "standard.yaml"
    report.standard.sha256 = standard["standard.yaml"] ?? ""
    report.standard.inputs = standardFiles.keys.sorted().map {
      Report.FileDigest(path: $0, sha256: standard[$0] ?? "")
    }
    return report
  }

  func inputDifferences(_ report: Report) -> [InputDifference] {
    InputCheck.compare(
      report, ledgerFiles: InputCheck.hashFiles(Array(ledgerFiles.keys), root: path("ledger")),
      standardInputs: InputCheck.hashFiles(Array(standardFiles.keys), root: folder.path))
  }

  func flipLastByte(_ file: String) throws {
    var data = try Data(contentsOf: URL(fileURLWithPath: path(file)))
    data[data.count - 2] ^= 0x01
    try data.write(to: URL(fileURLWithPath: path(file)))
  }

  @Test func untouchedSetVerifiesAndEachChangedFileIsNamed() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    try Signer.keygen(output: path("auditor"))
    let signer = try Signer(keyFile: path("auditor"))
    let inputs = ledgerFiles.keys.map { path("ledger/" + $0) } + standardFiles.keys.map { path($0) }
    try ReportWriter.write(
      try JSONReporter().render(try signer.sign(try produce())), to: path("report.json"),
      refusing: inputs)

    let clean = try Verifier.verify(
      reportPath: path("report.json"), publicKeyPath: path("auditor.pub"))
    #expect(clean.problems == [])
    let report = try #require(clean.report)
    #expect(inputDifferences(report) == [])

    try flipLastByte("ledger/sales.csv")
    try flipLastByte("rules/no-overdraft.yaml")
    let differences = inputDifferences(report)
    #expect(differences.map(\.path) == ["sales.csv", "rules/no-overdraft.yaml"])
    #expect(differences.map(\.role) == [.ledger, .standard])
    #expect(differences.allSatisfy { $0.code == .reportInputChanged })

    // And one byte in the report file on disk: "S-000123" -> "S-000124" inside `findings`.
    var text = try String(contentsOfFile: path("report.json"), encoding: .utf8)
    let findings = try #require(text.range(of: "\"findings\" : [\n"))
    let hit = try #require(text.range(of: "S-000123", range: findings.upperBound..<text.endIndex))
    text.replaceSubrange(hit, with: "S-000124")
    try text.write(toFile: path("report.json"), atomically: false, encoding: .utf8)
    let tampered = try Verifier.verify(
      reportPath: path("report.json"), publicKeyPath: path("auditor.pub"))
    #expect(tampered.problems == [.sectionChanged(.findings)])
    #expect(
      tampered.diagnostics(file: "report.json").map(\.description) == [
        "report.json:1:1: error: the findings section was changed [CUS9104]"
      ])
  }
}
