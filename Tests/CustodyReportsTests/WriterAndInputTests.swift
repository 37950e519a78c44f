import CustodyDiagnostics
import CustodyReports
import Foundation
import Testing

@Suite struct ReportWriterTests {
  let folder: URL

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "custody-writer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  func cleanup() { try? FileManager.default.removeItem(at: folder) }

  @Test func writesAndReplacesAtomicallyLeavingNoTemporaryFile() throws {
    defer { cleanup() }
    try ReportWriter.write("first\n", to: path("report.txt"), refusing: [])
    try ReportWriter.write("second\n", to: path("report.txt"), refusing: [path("ledger.csv")])
    #expect(try String(contentsOfFile: path("report.txt"), encoding: .utf8) == "second\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["report.txt"])
  }

  @Test func refusesToOverwriteAnInputEvenThroughASymlinkOrDotDot() throws {
    defer { cleanup() }
    try "id,qty\n".write(toFile: path("sales.csv"), atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(
      atPath: path("link.csv"), withDestinationPath: path("sales.csv"))
    try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
    for output in [path("sales.csv"), path("link.csv"), path("sub") + "/../sales.csv"] {
      do {
        try ReportWriter.write("report", to: output, refusing: [path("sales.csv")])
        Issue.record("overwrote the input via \(output)")
      } catch {
        #expect(error.diagnostic.code == .outputIsInput)
        #expect(error.diagnostic.code.id == "CUS9101")
        #expect(
          error.diagnostic.message
            == "refusing to write the report to \(output): it is the input file \(path("sales.csv"))"
        )
      }
    }
    #expect(try String(contentsOfFile: path("sales.csv"), encoding: .utf8) == "id,qty\n")
  }

  @Test func aMissingFolderIsAWriteFailure() throws {
    defer { cleanup() }
    do {
      try ReportWriter.write("x", to: path("no/such/report.json"), refusing: [])
      Issue.record("wrote into a missing folder")
    } catch {
      #expect(error.diagnostic.code == .reportWriteFailed)
    }
  }
}

@Suite struct InputCheckTests {
  let report = PlantedReport.report
  let d = PlantedReport.digest

  var ledger: [String: String] { ["receipts.csv": d("receipts"), "sales.csv": d("sales")] }
  var standard: [String: String] {
    Dictionary(uniqueKeysWithValues: report.standard.inputs.map { ($0.path, $0.sha256) })
  }

  @Test func identicalInputsHaveNoDifference() {
    #expect(InputCheck.compare(report, ledgerFiles: ledger, standardInputs: standard) == [])
  }

  @Test func aChangedLedgerFileIsNamed() {
    var changed = ledger
    changed["sales.csv"] = d("sales, one byte changed")
    let differences = InputCheck.compare(report, ledgerFiles: changed, standardInputs: standard)
    #expect(
      differences == [
        InputDifference(
          role: .ledger, path: "sales.csv",
          kind: .changed(recorded: d("sales"), actual: d("sales, one byte changed")))
      ])
    #expect(differences.first?.code.id == "CUS9109")
    #expect(
      differences.first?.description.hasPrefix("ledger file sales.csv was changed: sha256 ") == true
    )
  }

  @Test func aChangedRuleFileAndAMissingAndANewFileAreNamed() {
    var rules = standard
    rules["rules/records/cu-content.yaml"] = d("edited")
    var files = ledger
    files.removeValue(forKey: "receipts.csv")
    files["transfers.csv"] = d("transfers")
    let differences = InputCheck.compare(report, ledgerFiles: files, standardInputs: rules)
    #expect(
      differences.map(\.path) == ["receipts.csv", "transfers.csv", "rules/records/cu-content.yaml"])
    #expect(
      differences.map(\.kind) == [
        .missing, .unrecorded, .changed(recorded: d("cu-content"), actual: d("edited")),
      ])
  }

  @Test func reEvaluationDifferencesAreNamedBySection() throws {
    var recomputed = report
    recomputed.generatedAt = "2030-01-01T00:00:00Z"
    #expect(try report.differingSections(from: recomputed) == [])
    recomputed.verdict = .conformant
    recomputed.findings.removeLast()
    #expect(try report.differingSections(from: recomputed) == [.verdict, .findings])
  }
}
