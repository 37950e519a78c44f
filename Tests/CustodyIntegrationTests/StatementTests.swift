import CustodyAuthoring
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 18 acceptance 2: the mass-balance statement of fixtures/sample, checked line by line
/// against a computation made here from the CSV rows (never from the engine).
@Suite(.serialized) struct StatementTests {
  static let root = PlantedFixtureTests.root
  /// Everything in units of 10^-9 t: cu_t has 6 decimals, factors 3, shipments 3.
  static let scale = 9

  /// The report's decimal string in 10^-9 t.
  func units(_ s: String?) -> Int64? { scaled(s, Self.scale) }

  struct Hand {
    var opening: Int64 = 0
    var credits: Int64 = 0
    var copper: Int64 = 0
    var factors: Set<String> = []
    var debits: Int64 = 0
    var transfersIn: Int64 = 0
    var transfersOut: Int64 = 0
    var expired: Int64 = 0
    var closing: Int64 { opening + credits - debits + transfersIn - transfersOut - expired }
  }

  /// Account HIT|MR| (site HIT, pool MR, no partner) over `start...end`, from the rows:
  /// receipts at HIT in pool MR create cu_t x HIT's conversion factor valid on the date;
  /// shipments at HIT claiming MR100/mb use their cu_t; transfers of pool MR from / to HIT.
  /// The sample is conformant (checked below), so no receipt is excluded and no claim skipped.
  func hand(_ ledger: SampleLedger, from start: CivilDate, to end: CivilDate, opening: Int64)
    throws -> Hand
  {
    var h = Hand(opening: opening)
    func inPeriod(_ r: SampleLedger.Row, _ column: String = "date") -> Bool {
      guard let d = day(r[column]) else { return false }
      return start <= d && d <= end
    }
    for r in ledger.table("receipts") where r["site"] == "HIT" && r["pool"] == "MR" && inPeriod(r) {
      let date = try #require(day(r["date"]))
      let factors = ledger.table("conversion_factors").filter {
        $0["site"] == "HIT" && day($0["valid_from"])! <= date && date <= day($0["valid_to"])!
      }
      #expect(factors.count == 1, "one factor valid on \(date)")
      let factor = try #require(factors.first?["factor"])
      let cu = try #require(scaled(r["cu_t"], 6))
      h.credits += cu * (try #require(scaled(factor, 3)))
      h.copper += cu * 1000
      h.factors.insert(factor)
    }
    for r in ledger.table("shipments")
    where r["site"] == "HIT" && r["claim"] == "MR100/mb" && inPeriod(r) {
      h.debits += try #require(scaled(r["cu_t"], Self.scale))
    }
    for r in ledger.table("transfers") where r["pool"] == "MR" && inPeriod(r) {
      let t = try #require(scaled(r["cu_t"], Self.scale))
      if r["to_site"] == "HIT" { h.transfersIn += t }
      if r["from_site"] == "HIT" { h.transfersOut += t }
    }
    // Credits live 24 months; the first receipt of the sample is dated 2024-01-01 (asserted
    // in the test), so none expires before 2026-01-01, after both periods checked.
    h.expired = 0
    return h
  }

  @Test func sampleStatementMatchesTheHandComputation() throws {
    let ledger = try SampleLedger(dir: Self.root + "/fixtures/sample")
    let firstReceipt = try #require(ledger.table("receipts").compactMap { day($0["date"]) }.min())
    #expect(firstReceipt == CivilDate(year: 2024, month: 1, day: 1)!)
    guard
      case .evaluated(let report, _, _) = PlantedFixtureTests.validate(
        "standards/cu-again-coc.yaml", Self.root + "/fixtures/sample")
    else {
      Issue.record("the sample did not evaluate")
      return
    }
    #expect(report.verdict == .conformant)
    let book = try #require(report.statement?.first { $0.book == "cu-again-credits" })
    #expect(book.accountKey == ["site", "pool", "partner"])
    #expect(book.periodsTable == "periods")
    let account = try #require(book.accounts.first { $0.account == ["HIT", "MR", ""] })

    let q1 = try hand(
      ledger, from: CivilDate(year: 2024, month: 1, day: 1)!,
      to: CivilDate(year: 2024, month: 3, day: 31)!, opening: 0)
    let q2 = try hand(
      ledger, from: CivilDate(year: 2024, month: 4, day: 1)!,
      to: CivilDate(year: 2024, month: 6, day: 30)!, opening: q1.closing)
    // The hand computation is not vacuous: every line but expiry moves in Q1.
    #expect(q1.credits > 0 && q1.debits > 0 && q1.transfersIn > 0 && q1.transfersOut > 0)
    #expect(q2.opening > 0)

    for (id, h) in [("HIT-2024Q1", q1), ("HIT-2024Q2", q2)] {
      let l = try #require(account.periods.first { $0.period.id == id }, "period \(id)")
      #expect(units(l.opening) == h.opening, "opening \(id)")
      #expect(units(l.credits) == h.credits, "credits \(id)")
      #expect(units(l.creditedCopper) == h.copper, "credited copper \(id)")
      #expect(Set(l.factors) == h.factors, "factors \(id)")
      #expect(units(l.debits) == h.debits, "debits \(id)")
      #expect(units(l.transfersIn) == h.transfersIn, "transfers in \(id)")
      #expect(units(l.transfersOut) == h.transfersOut, "transfers out \(id)")
      #expect(units(l.transfersRefused) == 0, "refused \(id)")
      #expect(units(l.expired) == h.expired, "expired \(id)")
      #expect(units(l.closing) == h.closing, "closing \(id)")
    }

    // Physical copper at HIT in Q1: every receipt and shipment, whatever its pool or claim.
    let phys = try #require(
      book.physical.first { $0.site == "HIT" && $0.period.id == "HIT-2024Q1" })
    let q1Rows = { (r: SampleLedger.Row) -> Bool in
      r["site"] == "HIT"
        && (day(r["date"]).map { $0 <= CivilDate(year: 2024, month: 3, day: 31)! } ?? false)
    }
    let copperIn = ledger.table("receipts").filter(q1Rows).reduce(Int64(0)) {
      $0 + (scaled($1["cu_t"], Self.scale) ?? 0)
    }
    let copperOut = ledger.table("shipments").filter(q1Rows).reduce(Int64(0)) {
      $0 + (scaled($1["cu_t"], Self.scale) ?? 0)
    }
    #expect(units(phys.copperIn) == copperIn)
    #expect(units(phys.copperOut) == copperOut)

    // Every account and period adds up, periods chain, and the closing lots hold the closing.
    for a in book.accounts {
      var carried: Int64 = 0
      for l in a.periods {
        let (o, c, d) = (units(l.opening)!, units(l.credits)!, units(l.debits)!)
        let (i, t, e) = (units(l.transfersIn)!, units(l.transfersOut)!, units(l.expired)!)
        #expect(units(l.closing)! == o + c - d + i - t - e, "\(a.name) \(l.period.label)")
        #expect(o == carried, "\(a.name) \(l.period.label) opens at the previous closing")
        carried = units(l.closing)!
      }
      if units(a.deficit) == 0 {
        #expect(
          a.closingLots.reduce(Int64(0)) { $0 + units($1.remaining)! } == carried, "\(a.name)")
      }
    }
  }

  /// The statement is in every format, conformant or not, and inside the integrity digests.
  @Test func statementInEveryFormatAndDigested() throws {
    guard
      case .evaluated(let report, _, _) = PlantedFixtureTests.validate(
        "standards/cu-again-coc.yaml", Self.root + "/fixtures/sample")
    else {
      Issue.record("the sample did not evaluate")
      return
    }
    let text = try ReportFormat.text.render(report)
    #expect(text.contains("Mass-balance statement: cu-again-credits"))
    #expect(text.contains("HIT|MR|"))
    let md = try ReportFormat.markdown.render(report)
    #expect(md.contains("## Mass-balance statement"))
    #expect(md.contains("data:image/svg+xml;base64,"))
    let html = try ReportFormat.html.render(report)
    #expect(html.contains("<section id=\"statement\">"))
    #expect(html.contains("closing balance by period"))
    let csv = StatementCSVReporter().render(report)
    #expect(csv.hasPrefix(StatementCSVReporter.header.joined(separator: ",") + "\r\n"))
    #expect(csv.contains("cu-again-credits,account,HIT|MR|,HIT-2024Q1,2024-01-01,2024-03-31,"))
    let json = String(decoding: try ReportFormat.json.renderData(report), as: UTF8.self)
    #expect(json.contains("\"statement\""))
    #expect(json.contains("\"closing_lots\""))
    let digests = try report.sectionDigests()
    #expect(digests["statement"] != nil)
    var changed = report
    changed.statement?[0].accounts[0].periods[0].closing = "999"
    #expect(try changed.differingSections(from: report) == [.statement])
  }
}
