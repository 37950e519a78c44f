import CustodyAuthoring
import CustodyDiagnostics
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 18 acceptance 3 (CUA-4.7): period 1's signed report feeds period 2 (`--previous`);
/// a changed opening balance is CUA-4.7 on exactly its row; a tampered, unsigned, wrongly
/// keyed or other-standard report is refused before anything is evaluated.
/// fixtures/two-period is fixtures/sample cut at 2025-01-01 (scripts/make-two-period.py).
@Suite(.serialized) struct TwoPeriodTests {
  static let root = PlantedFixtureTests.root
  static let period1 = root + "/fixtures/two-period/period-1"
  static let period2 = root + "/fixtures/two-period/period-2"

  struct Keys {
    let dir: String
    let privateKey: String
    let publicKey: String
    let otherPublicKey: String
  }

  static func keys() throws -> Keys {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("book-two-period-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = try Signer.keygen(output: dir + "/key")
    _ = try Signer.keygen(output: dir + "/other")
    return Keys(
      dir: dir, privateKey: dir + "/key", publicKey: dir + "/key.pub",
      otherPublicKey: dir + "/other.pub")
  }

  static func run(
    _ ledger: String, standard: String = "standards/cu-again-coc.yaml",
    previous: PreviousPeriod? = nil
  ) -> ValidationPipeline.Outcome {
    var request = ValidationPipeline.Request(
      standardPath: root + "/" + standard, ledgerPath: ledger,
      asOf: CivilDate(year: 2026, month: 1, day: 1)!, failOn: .observation, evidenceLimit: 10_000,
      deterministic: true, toolVersion: "test")
    request.previous = previous
    return ValidationPipeline.run(request)
  }

  /// The report of a run that must have evaluated (recorded as an issue, and thrown, if not).
  static func evaluated(
    _ ledger: String, previous: PreviousPeriod? = nil, _ what: String
  ) throws -> Report {
    let outcome = run(ledger, previous: previous)
    guard case .evaluated(let report, _, _) = outcome else {
      Issue.record("\(what) did not evaluate: \(outcome)")
      throw CocoaError(.fileReadUnknown)
    }
    return report
  }

  /// The first statement book of a report written as JSON.
  static func statement(ofReport path: String) throws -> Report.StatementBook {
    try #require(
      try CanonicalJSON.decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        .statement?.first)
  }

  /// Period 1 validated and signed, written as JSON into the keys' folder.
  static func signedPeriod1(_ keys: Keys, standard: String = "standards/cu-again-coc.yaml")
    throws -> String
  {
    guard case .evaluated(let report, _, _) = run(period1, standard: standard) else {
      throw CocoaError(.fileReadUnknown)
    }
    let signed = try Signer(keyFile: keys.privateKey).sign(report)
    let path = keys.dir + "/period-1-\(standard.split(separator: "/").last!).json"
    try ReportFormat.json.renderData(signed).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func period1FeedsPeriod2() throws {
    let keys = try Self.keys()
    let previous = try Self.signedPeriod1(keys)
    // Alone, period 2 opens at zero and is overdrawn: the openings are what makes it pass.
    let alone = try Self.evaluated(Self.period2, "period 2")
    #expect(alone.clauses.first { $0.id == "CUA-4.3" }?.status == .nonConformant)
    #expect(alone.clauses.first { $0.id == "CUA-4.7" }?.status == .notApplicable)

    let report = try Self.evaluated(
      Self.period2, previous: PreviousPeriod(report: previous, key: keys.publicKey),
      "period 2 with --previous")
    #expect(report.verdict == .conformant)
    #expect(report.clauses.first { $0.id == "CUA-4.7" }?.status == .conformant)
    // Each account opens period 2 with what it closed period 1 with.
    let p1 = try Self.statement(ofReport: previous)
    let p2 = try #require(report.statement?.first)
    for a in p1.accounts {
      let closing = try #require(a.periods.last?.closing)
      let next = try #require(p2.accounts.first { $0.account == a.account }, "\(a.name)")
      #expect(next.periods.first?.opening == closing, "\(a.name)")
    }
    #expect(report.ledger.files.contains { $0.table == "previous_closing" && !$0.absent })
  }

  /// The previous closing lots as an opening_balances table, one amount changed.
  @Test func changedOpeningBalanceIsCUA47OnItsRow() throws {
    let keys = try Self.keys()
    let previous = try Self.signedPeriod1(keys)
    let p1 = try Self.statement(ofReport: previous)
    let ledger = keys.dir + "/period-2"
    try FileManager.default.copyItem(atPath: Self.period2, toPath: ledger)
    var csv = "opening_id,site,pool,partner,created,cu_t\n"
    var n = 0
    var changed = ""
    for a in p1.accounts {
      for lot in a.closingLots {
        n += 1
        var amount = lot.remaining
        if a.account == ["SAG", "MR", ""] && changed.isEmpty {
          amount = (try ExactDecimal(amount)!.adding(ExactDecimal("0.5")!)).description
          changed = "OB-\(n)"
        }
        csv += "OB-\(n),\(a.account[0]),\(a.account[1]),\(a.account[2]),\(lot.created),\(amount)\n"
      }
    }
    #expect(!changed.isEmpty)
    try csv.write(toFile: ledger + "/opening_balances.csv", atomically: true, encoding: .utf8)
    let report = try Self.evaluated(
      ledger, previous: PreviousPeriod(report: previous, key: keys.publicKey),
      "period 2 with an opening table")
    #expect(report.nonconformities.map(\.clause) == ["CUA-4.7"])
    let nc = try #require(report.nonconformities.first)
    #expect(nc.rule == "opening-balances-match")
    #expect(nc.evidence.map(\.entryId) == [changed])
    #expect(nc.evidence.first?.file.hasSuffix("opening_balances.csv") == true)
  }

  /// Period 1's report given again to period 1 (a replay: its closing would open the period
  /// that produced it) is CUA-4.7 on each site's `previous_periods` row, and nothing else.
  @Test func aReportOfTheSamePeriodIsCUA47OnEachSite() throws {
    let keys = try Self.keys()
    let previous = try Self.signedPeriod1(keys)
    let p1 = try Self.statement(ofReport: previous)
    let sites = Set(p1.accounts.map { $0.account[0] })
    #expect(sites.count >= 2)
    let report = try Self.evaluated(
      Self.period1, previous: PreviousPeriod(report: previous, key: keys.publicKey),
      "period 1 with its own report")
    #expect(report.verdict == .nonConformant)
    #expect(report.nonconformities.map(\.clause) == ["CUA-4.7"])
    let nc = try #require(report.nonconformities.first)
    #expect(nc.rule == "previous-period-adjacent")
    // One row per site of the report, in site order after the header: every one cited.
    #expect(nc.evidence.map(\.line) == Array(2..<(2 + sites.count)))
    #expect(nc.evidence.allSatisfy { $0.file.hasSuffix("previous_periods.csv") })
    let findings = report.findings.filter { $0.rule == "previous-period-adjacent" }
    #expect(
      Set(findings.compactMap { f in sites.first { f.message.contains("of site \($0) ended") } })
        == sites)
    #expect(
      findings.allSatisfy { $0.message.contains("ended 2024-12-31") && $0.message.contains("Q4") })
  }

  @Test func aTamperedUnsignedOrForeignReportIsRefused() throws {
    let keys = try Self.keys()
    let previous = try Self.signedPeriod1(keys)
    let data = try Data(contentsOf: URL(fileURLWithPath: previous))
    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    // Tampered: one closing lot made larger.
    var statement = try #require(object["statement"] as? [[String: Any]])
    var accounts = try #require(statement[0]["accounts"] as? [[String: Any]])
    var lots = try #require(accounts[0]["closing_lots"] as? [[String: Any]])
    lots[0]["remaining"] = "999"
    accounts[0]["closing_lots"] = lots
    statement[0]["accounts"] = accounts
    object["statement"] = statement
    let tampered = keys.dir + "/tampered.json"
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(
      to: URL(fileURLWithPath: tampered))
    // Unsigned: the same report without integrity and signature.
    object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    object["signature"] = nil
    object["integrity"] = nil
    let unsigned = keys.dir + "/unsigned.json"
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(
      to: URL(fileURLWithPath: unsigned))
    let otherStandard = try Self.signedPeriod1(keys, standard: "standards/asi-coc-mb.yaml")

    let cases: [(String, String, String)] = [
      (tampered, keys.publicKey, "does not verify"),
      (unsigned, keys.publicKey, "does not verify"),
      (previous, keys.otherPublicKey, "signed with key"),
      (otherStandard, keys.publicKey, "is of standard 'asi-coc-mb', not 'cu-again-coc'"),
      (keys.dir + "/missing.json", keys.publicKey, "cannot read the report"),
    ]
    for (report, key, why) in cases {
      guard
        case .invalidInput(let diagnostics, _) = Self.run(
          Self.period2, previous: PreviousPeriod(report: report, key: key))
      else {
        Issue.record("\(report) was not refused")
        continue
      }
      #expect(diagnostics.count == 1)
      let d = try #require(diagnostics.first)
      #expect(d.code == .previousReportRefused, "\(report)")
      #expect(d.message.contains("--previous \(report)"), "\(d.message)")
      #expect(d.message.contains(why), "\(d.message)")
    }
  }
}
