import CustodyAuthoring
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 22 items 10 and 13, fixed by the verdict semantics of issue 16: each on a copy of the
/// sample ledger with one kind of damage, through the real pipeline and the shipped standard.
@Suite struct RoundTwoVerdictItemsTests {
  /// A copy of fixtures/sample, changed by `edit` (file name -> its CSV text -> new text).
  func ledger(_ name: String, _ file: String, _ edit: (String) -> String) throws -> String {
    let dir = NSTemporaryDirectory() + "custody-r2v-\(name)-\(UUID().uuidString)"
    try FileManager.default.copyItem(
      atPath: Variant.repository + "/fixtures/sample", toPath: dir)
    let path = dir + "/" + file
    try edit(try String(contentsOfFile: path, encoding: .utf8)).write(
      toFile: path, atomically: true, encoding: .utf8)
    return dir
  }

  func report(_ ledger: String) throws -> Report {
    let outcome = ValidationPipeline.run(
      .init(
        standardPath: Variant.repository + "/standards/cu-again-coc.yaml", ledgerPath: ledger,
        asOf: CivilDate(year: 2026, month: 1, day: 1)!, deterministic: true, toolVersion: "test"))
    guard case .evaluated(let report, _, _) = outcome else {
      Issue.record("did not evaluate: \(outcome)")
      throw CancellationError()
    }
    return report
  }

  /// Item 10: one bad shipment date gave "2 rows not judged" with the same row listed twice.
  /// Now: one data-integrity finding under CUA-1.3 citing the row once; each rule that needed
  /// the date says "1 row not judged", suppressed by that finding; its clause is not_evaluated.
  @Test func oneBadDateIsOneRowOnceUnderTheRecordsClause() throws {
    let dir = try ledger("date", "shipments.csv") { text in
      var lines = text.components(separatedBy: "\n")
      #expect(lines[100].hasPrefix("S-000100,2024-01-29,"))
      lines[100] = lines[100].replacingOccurrences(of: "2024-01-29", with: "2025-02-30")
      return lines.joined(separator: "\n")
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try report(dir)
    #expect(r.verdict == .nonConformant)
    #expect(r.nonconformities.map(\.id) == ["CUA-1.3/data-integrity"])
    let nc = try #require(r.nonconformities.first)
    #expect(
      nc.evidence.map { "\(($0.file as NSString).lastPathComponent):\($0.line)" } == [
        "shipments.csv:101"
      ])
    let root = try #require(r.findings.first { $0.rule == "data-integrity" })
    let notJudged = r.findings.filter { $0.rule != "data-integrity" }
    #expect(
      notJudged.map(\.rule) == [
        "cfp-factor-matches-route", "cfp-residual-conserves", "periods-cover-activity",
        "physical-copper-balance", "shipment-fields-present",
      ])
    for f in notJudged {
      #expect(f.message == "1 row not judged: a cell this rule reads could not be read")
      #expect(f.suppressedBy == root.id)
      #expect(f.clauses.isEmpty)
      #expect(f.evidence.count == 1)
    }
    let blocked = r.clauses.filter { $0.status == .notEvaluated }.map(\.id)
    #expect(blocked == ["CUA-4.1", "CUA-4.8", "CUA-9.1", "CUA-9.2"])
    #expect(r.summary.findings == 1)
  }

  /// Item 13: credits that overflow an exact decimal gave an error with no row, account or
  /// date and a verdict that ignored it. Now the error names the posting and blocks its clause.
  @Test func anOverflowingBalanceNamesThePostingAndBlocksTheClause() throws {
    let dir = try ledger("overflow", "receipts.csv") { text in
      var lines = text.components(separatedBy: "\n")
      let header = lines[0].components(separatedBy: ",")
      let cu = try! #require(header.firstIndex(of: "cu_t"))
      let pool = try! #require(header.firstIndex(of: "pool"))
      // Gross weight and grade to match, so that the receipt stays physically plausible
      // (CUA-3.6 would otherwise keep it out of the credits, and nothing would overflow).
      let gross = try! #require(header.firstIndex(of: "gross_t"))
      let pct = try! #require(header.firstIndex(of: "cu_pct"))
      var changed = 0
      for i in 1..<lines.count where changed < 200 {
        var cells = lines[i].components(separatedBy: ",")
        guard cells.count == header.count, ["MR", "PCL"].contains(cells[pool]) else { continue }
        cells[cu] = "999999999999999999999999999999.123456"
        cells[gross] = cells[cu]
        cells[pct] = "100"
        lines[i] = cells.joined(separator: ",")
        changed += 1
      }
      #expect(changed == 200)
      return lines.joined(separator: "\n")
    }
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try report(dir)
    #expect(r.verdict == .nonConformant)
    let expiry = try #require(r.clauses.first { $0.id == "CUA-4.5" })
    #expect(expiry.status == .notEvaluated)
    #expect(
      expiry.reason
        == "credits-not-expired is error: first error: arithmetic overflow: the result is too large to hold exactly posting receipts line 15 (R-000014) to account TAM|MR|null on 2024-01-04"
    )
  }
}
