import CustodyLanguage
import CustodyValues
import Testing

@testable import CustodyEngine

/// Mass-balance checks over one book share a collector and one replay (compact postings,
/// account-key ids); these cases pin what that sharing must not change.
@Suite struct MassBalanceSharingTests {
  typealias Rows = [String: [[String: String]]]

  static func receipt(_ id: String, _ date: String, _ site: String, _ t: String) -> [String: String]
  {
    ["entry_id": id, "date": date, "site": site, "pool": "MR", "cu_t": t]
  }
  static func shipment(_ id: String, _ date: String, _ site: String, _ t: String) -> [String:
    String]
  {
    ["entry_id": id, "date": date, "site": site, "claim": "MR100/mb", "cu_t": t]
  }

  @Test func canonicallyEqualSpellingsShareOneAccountShownAsFirstMet() throws {
    // "Café" precomposed on the receipt, decomposed on the shipment: one account.
    let rows: Rows = [
      "receipts": [Self.receipt("R1", "2024-01-10", "Caf\u{E9}", "10")],
      "shipments": [Self.shipment("S1", "2024-01-15", "Cafe\u{301}", "4")],
    ]
    let result = try T.run(ExampleBook.check(.continuous), rows)
    #expect(result.rule("r")?.status == .pass)
    #expect(result.accounts.count == 1)
    let account = try #require(result.accounts.first)
    #expect(
      account.account.map { Array($0.unicodeScalars) }.first == Array("Caf\u{E9}".unicodeScalars))
    #expect(account.credits == T.d("10"))
    #expect(account.debits == T.d("4"))
    #expect(account.balance == T.d("6"))
  }

  @Test func amountsWiderThan64BitsStayExact() throws {
    // 20-digit mantissas (beyond Int64) credit and debit to within one millionth of a tonne.
    let rows: Rows = [
      "receipts": [Self.receipt("R1", "2024-01-10", "S1", "99999999999999.123456")],
      "shipments": [
        Self.shipment("S1", "2024-01-11", "S1", "99999999999999.123455"),
        Self.shipment("S2", "2024-01-12", "S1", "0.000002"),
      ],
    ]
    let result = try T.run(ExampleBook.check(.continuous), rows)
    let findings = result.findings(for: "r")
    #expect(findings.count == 1)
    let f = try #require(findings.first)
    #expect(f.evidence.map(\.key) == ["S2"])
    #expect(f.balance?.shortfall == T.d("0.000001"))
    #expect(result.accounts.first?.balance == T.d("-0.000001"))
  }

  @Test func aSkippedCheckOnASharedBookLeavesItsSiblingIntact() throws {
    // January overdraft (-2 on the 15th), recovered on the 20th.
    let rows: Rows = [
      "receipts": [
        Self.receipt("R1", "2024-01-10", "S1", "10"), Self.receipt("R2", "2024-01-20", "S1", "5"),
      ],
      "shipments": [Self.shipment("S1", "2024-01-15", "S1", "12")],
      "periods": [["period_id": "P1", "site": "S1", "start": "2024-01-01", "end": "2024-01-31"]],
    ]
    let b = ExprBuilder(schema: T.schema, table: "receipts")
    let gate = T.instance(
      "gate",
      .row(
        RowCheckSpec(
          table: "receipts", filter: nil, assertion: b.bin(.greater, b.col("cu_t"), b.num("100"))))
    )
    let continuous = T.instance("cont", ExampleBook.check(.continuous))
    let periodEnd = T.instance(
      "pe", ExampleBook.check(.periodEnd, periods: true), requires: ["gate"])
    let result = try T.run([gate, continuous, periodEnd], rows)
    #expect(result.rule("gate")?.status == .fail)
    #expect(result.rule("pe")?.status == .skipped)
    #expect(result.rule("pe")?.reason == "requires gate, which is fail")
    #expect(result.findings(for: "pe").isEmpty)
    // The sibling sharing the collector replays as if alone.
    #expect(result.rule("cont")?.status == .fail)
    let f = try #require(result.findings(for: "cont").first)
    #expect(f.evidence.map(\.key) == ["S1"])
    #expect(f.balance?.shortfall == T.d("2"))
    #expect(result.accounts.filter { $0.ruleID == "pe" }.isEmpty)
    #expect(result.accounts.first { $0.ruleID == "cont" }?.balance == T.d("3"))
  }
}
