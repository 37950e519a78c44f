import CustodyAuthoring
import CustodyReports
import Foundation
import Testing

/// Issue 19, derived columns end to end: the German SAP export without its copper tonnage
/// column, cu_t derived in the profile as gross_t x cu_pct / 100 (rounded half up to the
/// column's 6 digits, as the source system rounds), gives the canonical ledger's result.
@Suite struct DerivedColumnExportTests {
  @Test(arguments: ["sample", "site-overdraft"])
  func derivedCopperTonnageGivesTheCanonicalResult(_ source: String) throws {
    let root = ExportGoldenTests.root
    let folder = NSTemporaryDirectory() + "exports2-derived-\(source)-\(UUID().uuidString)"
    try FileManager.default.copyItem(
      atPath: root + "/Tests/Exports/\(source)/sap-de", toPath: folder)
    defer { try? FileManager.default.removeItem(atPath: folder) }

    // Drop "Cu-Menge t" (the 11th field; windows-1252 is one byte per character and the file
    // has no quoted fields) from every line of the receipts file.
    let path = folder + "/WE_Wareneingang.csv"
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(!bytes.contains(UInt8(ascii: "\"")))
    let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { line in
      var fields = line.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
      if fields.count == 12 { fields.remove(at: 10) }
      return Array(fields.joined(separator: [UInt8(ascii: ";")]))
    }
    #expect(String(decoding: lines[0], as: UTF8.self).contains("Cu-Menge") == false)
    try Data(Array(lines.joined(separator: [10]))).write(to: URL(fileURLWithPath: path))

    var profile = try String(
      contentsOfFile: root + "/fixtures/profiles/sap-de.profile.yaml", encoding: .utf8)
    let receiptsCopper = try #require(profile.range(of: "cu_t: Cu-Menge t"))  // receipts first
    profile.replaceSubrange(
      receiptsCopper, with: #"cu_t: {expr: "gross_t * cu_pct / 100", round: half_up}"#)
    let profilePath = folder + ".profile.yaml"
    try profile.write(toFile: profilePath, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: profilePath) }

    let canonical = try #require(ExportGoldenTests.canonical[source]).get()
    let report = try ExportGoldenTests.run(ledger: folder, profile: profilePath)
    #expect(report.ledger.cellErrors == 0)
    #expect(report.verdict == canonical.verdict)
    #expect(report.summary == canonical.summary)
    #expect(
      report.clauses.map { "\($0.id) \($0.status)" }
        == canonical.clauses.map { "\($0.id) \($0.status)" })
    #expect(report.findings.map(\.id) == canonical.findings.map(\.id))
    #expect(report.nonconformities.map(\.id) == canonical.nonconformities.map(\.id))

    // Half-even instead: a tie at the 7th digit rounds differently, so the profile decides;
    // without any `round:` every 7-digit product is a cell error, never a silently kept value.
    let strict = profile.replacingOccurrences(of: ", round: half_up}", with: "}")
    try strict.write(toFile: profilePath, atomically: true, encoding: .utf8)
    let unrounded = try ExportGoldenTests.run(ledger: folder, profile: profilePath)
    #expect(unrounded.ledger.cellErrors > 0)
  }
}
