import CustodyLanguage
import CustodyValues
import Testing

@testable import CustodyEngine

private func receipt(
  _ id: String, _ date: String, _ site: String, _ pool: String, _ t: String, partner: String? = nil,
  origin: String? = nil
) -> [String: String] {
  var r = ["entry_id": id, "date": date, "site": site, "pool": pool, "cu_t": t]
  r["partner"] = partner
  r["origin"] = origin
  return r
}
private func mr(_ id: String, _ date: String, _ site: String, _ t: String) -> [String: String] {
  ["entry_id": id, "date": date, "site": site, "claim": "MR100/mb", "cu_t": t]
}
private func pcl(_ id: String, _ date: String, _ site: String, _ partner: String, _ t: String)
  -> [String: String]
{
  ["entry_id": id, "date": date, "site": site, "claim": "PCL100/mb", "partner": partner, "cu_t": t]
}
private func period(_ id: String, _ site: String, _ start: String, _ end: String) -> [String:
  String]
{
  ["period_id": id, "site": site, "start": start, "end": end]
}

/// Hand-computed credit books: each test states the running balance and the first failing row.
@Suite struct MassBalanceTests {
  typealias Rows = [String: [[String: String]]]

  func balances(_ f: Finding?) -> [String] {
    (f?.balance?.postings ?? []).map { "\($0.key):\($0.balance)" }
  }

  // 10 in on the 10th, 12 out on the 15th (balance -2), 5 in on the 20th (balance 3).
  static let recovering: Rows = [
    "receipts": [
      receipt("R1", "2024-01-10", "S1", "MR", "10"), receipt("R2", "2024-01-20", "S1", "MR", "5"),
    ],
    "shipments": [mr("S1", "2024-01-15", "S1", "12")],
    "periods": [period("P1", "S1", "2024-01-01", "2024-01-31")],
  ]

  @Test func overdraftInsidePeriodFailsContinuous() throws {
    let result = try T.run(ExampleBook.check(.continuous), Self.recovering)
    let findings = result.findings(for: "r")
    #expect(findings.count == 1)
    let f = try #require(findings.first)
    #expect(f.evidence.map(\.key) == ["S1"])
    #expect(balances(f) == ["R1:10", "S1:-2"])
    #expect(f.balance?.shortfall == T.d("2"))
    #expect(f.balance?.openingBalance == .zero)
    #expect(f.balance?.failingIndex == 1)
    #expect(f.balance?.account == ["S1", "MR", ""])
    #expect(f.message.contains("recovered on 2024-01-20"))
    #expect(result.accounts.first?.balance == T.d("3"))
  }

  @Test func overdraftRecoveredBeforePeriodEndPassesPeriodEnd() throws {
    let result = try T.run(ExampleBook.check(.periodEnd, periods: true), Self.recovering)
    #expect(result.rule("r")?.status == .pass)
    #expect(result.findings.isEmpty)
  }

  @Test func negativePeriodCloseFailsPeriodEnd() throws {
    // January: 10 in, 12 out on the 25th -> closes at -2. February: 5 in -> closes at 3.
    let rows: Rows = [
      "receipts": [
        receipt("R1", "2024-01-10", "S1", "MR", "10"), receipt("R2", "2024-02-05", "S1", "MR", "5"),
      ],
      "shipments": [mr("S1", "2024-01-25", "S1", "12")],
      "periods": [
        period("P1", "S1", "2024-01-01", "2024-01-31"),
        period("P2", "S1", "2024-02-01", "2024-02-29"),
      ],
    ]
    let result = try T.run(ExampleBook.check(.periodEnd, periods: true), rows)
    let findings = result.findings(for: "r")
    #expect(findings.count == 1)
    let f = try #require(findings.first)
    #expect(f.evidence.map(\.key) == ["S1"])
    #expect(f.balance?.periodEnd == CivilDate.parseISO("2024-01-31"))
    #expect(f.balance?.shortfall == T.d("2"))
    #expect(balances(f) == ["R1:10", "S1:-2"])
    #expect(result.accounts.first?.balance == T.d("3"))
  }

  @Test func sameDayCreditAndDebit() throws {
    let rows: Rows = [
      "receipts": [receipt("R1", "2024-03-01", "S1", "MR", "5")],
      "shipments": [mr("S1", "2024-03-01", "S1", "5")],
    ]
    // Credits first: +5 (5), -5 (0): never negative.
    let first = try T.run(ExampleBook.check(.continuous), rows)
    #expect(first.rule("r")?.status == .pass)
    // Debits first: -5 (-5) on the shipment, then +5 (0).
    let book = ExampleBook.book(sameDay: .debitsFirst)
    let second = try T.run(ExampleBook.check(.continuous, book: book), rows)
    let f = try #require(second.findings(for: "r").first)
    #expect(f.evidence.map(\.key) == ["S1"])
    #expect(balances(f) == ["S1:-5"])
    #expect(f.balance?.shortfall == T.d("5"))
  }

  @Test func fifoExpiryOnTheLifetimeBoundaryDay() throws {
    // R1 10 on 2024-01-10 expires on 2026-01-10 (usable through 2026-01-09).
    let book = ExampleBook.book(lifetimeMonths: 24)
    func rows(_ second: String) -> Rows {
      [
        "receipts": [receipt("R1", "2024-01-10", "S1", "MR", "10")],
        "shipments": [mr("S1", "2026-01-09", "S1", "4"), mr("S2", second, "S1", "5")],
      ]
    }
    // Both on the last usable day: 10 -> 6 -> 1, all covered by R1.
    let inTime = try T.run(ExampleBook.check(.expiry, book: book), rows("2026-01-09"))
    #expect(inTime.rule("r")?.status == .pass)
    // The second on the expiry day: R1's 6 left expired; the balance (1) covers it, lots do not.
    let late = try T.run(ExampleBook.check(.expiry, book: book), rows("2026-01-10"))
    let f = try #require(late.findings(for: "r").first)
    #expect(late.findings(for: "r").count == 1)
    #expect(f.evidence.map(\.key) == ["S2"])
    #expect(balances(f) == ["R1:10", "S1:6", "S2:1"])
    #expect(f.balance?.postings.last?.available == .zero)
    #expect(f.balance?.shortfall == T.d("5"))
    // The same ledger breaks expiry only, not continuous (created minus used stays >= 0).
    let continuous = try T.run(ExampleBook.check(.continuous, book: book), rows("2026-01-10"))
    #expect(continuous.rule("r")?.status == .pass)
  }

  @Test func transferBetweenSitesMovesCreditsAndKeepsExpiry() throws {
    // S1/MR: +10 (10), transfer -6 (4). S2/MR: transfer +6 (6), MR shipment -7 (-1).
    let rows: Rows = [
      "receipts": [receipt("R1", "2024-01-10", "S1", "MR", "10")],
      "transfers": [
        [
          "entry_id": "T1", "date": "2024-02-01", "from_site": "S1", "to_site": "S2", "pool": "MR",
          "cu_t": "6",
        ]
      ],
      "shipments": [mr("X1", "2024-02-10", "S2", "7")],
    ]
    let result = try T.run(ExampleBook.check(.continuous), rows)
    let f = try #require(result.findings(for: "r").first)
    #expect(result.findings(for: "r").count == 1)
    #expect(f.evidence.map(\.key) == ["X1"])
    #expect(f.balance?.account == ["S2", "MR", ""])
    #expect(balances(f) == ["T1:6", "X1:-1"])
    #expect(result.accounts.map(\.account) == [["S1", "MR", ""], ["S2", "MR", ""]])
    #expect(result.accounts.map(\.balance) == [T.d("4"), T.d("-1")])

    // The transferred credits still expire 24 months after R1, not after the transfer.
    let expiring: Rows = [
      "receipts": [receipt("R1", "2024-01-10", "S1", "MR", "10")],
      "transfers": [
        [
          "entry_id": "T1", "date": "2024-02-01", "from_site": "S1", "to_site": "S2", "pool": "MR",
          "cu_t": "6",
        ]
      ],
      "shipments": [mr("X1", "2026-01-10", "S2", "5")],
    ]
    let book = ExampleBook.book(lifetimeMonths: 24)
    let expired = try T.run(ExampleBook.check(.expiry, book: book), expiring)
    #expect(expired.rows("r") == ["X1"])
    var early = expiring
    early["shipments"] = [mr("X1", "2026-01-09", "S2", "5")]
    #expect(try T.run(ExampleBook.check(.expiry, book: book), early).rule("r")?.status == .pass)
  }

  @Test func partnersHaveSeparateSubAccounts() throws {
    // (S1, PCL, P1): +10, -15 -> -5 although the site holds 20 PCL credits in total.
    let rows: Rows = [
      "receipts": [
        receipt("R1", "2024-01-10", "S1", "PCL", "10", partner: "P1"),
        receipt("R2", "2024-01-11", "S1", "PCL", "10", partner: "P2"),
      ],
      "shipments": [pcl("X1", "2024-01-20", "S1", "P1", "15")],
    ]
    let result = try T.run(ExampleBook.check(.continuous), rows)
    let f = try #require(result.findings(for: "r").first)
    #expect(f.balance?.account == ["S1", "PCL", "P1"])
    #expect(balances(f) == ["R1:10", "X1:-5"])
    #expect(result.accounts.map(\.balance) == [T.d("-5"), T.d("10")])
  }

  @Test func conversionFactorChangesMidPeriod() throws {
    // Factor 0.9 through 2024-01-15 (both ends included), 0.8 from 2024-01-16.
    // R1 10 t on the 15th -> 9; R2 10 t on the 16th -> 8; balance 17.
    let factors: [[String: String]] = [
      ["site": "S1", "valid_from": "2024-01-01", "valid_to": "2024-01-15", "factor": "0.9"],
      ["site": "S1", "valid_from": "2024-01-16", "factor": "0.8"],
    ]
    func rows(_ shipped: String) -> Rows {
      [
        "conversion_factors": factors,
        "receipts": [
          receipt("R1", "2024-01-15", "S1", "MR", "10"),
          receipt("R2", "2024-01-16", "S1", "MR", "10"),
        ],
        "shipments": [mr("X1", "2024-01-31", "S1", shipped)],
      ]
    }
    let book = ExampleBook.book(conversionFactors: true)
    let exact = try T.run(ExampleBook.check(.continuous, book: book), rows("17"))
    #expect(exact.rule("r")?.status == .pass)
    #expect(exact.accounts.first?.credits == T.d("17"))
    let over = try T.run(ExampleBook.check(.continuous, book: book), rows("17.1"))
    let f = try #require(over.findings(for: "r").first)
    #expect(balances(f) == ["R1:9.0", "R2:17.0", "X1:-0.1"])
    #expect(f.balance?.shortfall == T.d("0.1"))
  }

  @Test func missingConversionFactorIsAnErrorNotACredit() throws {
    let rows: Rows = [
      "receipts": [receipt("R1", "2024-01-15", "S1", "MR", "10")]
    ]
    let result = try T.run(
      ExampleBook.check(.continuous, book: ExampleBook.book(conversionFactors: true)), rows)
    #expect(result.rule("r")?.status == .error)
    let f = try #require(result.findings(for: "r").first)
    #expect(f.code == "CUS8002")
    #expect(f.evidence.map(\.key) == ["R1"])
  }

  @Test func percentageModeCarriesTheUnclaimedBalanceForward() throws {
    // H1: inputs 100 (40 recycled), outputs 80, claims 30 <= 80 x 0.4 = 32 -> carry 2.
    // H2: inputs 100 (20 recycled), outputs 100, claims 22 <= 100 x 0.2 + 2 = 22 (passes only
    // thanks to the carry); claims 23 fail by 1.
    func rows(_ h2Claim: String) -> Rows {
      [
        "periods": [
          period("H1", "S1", "2024-01-01", "2024-06-30"),
          period("H2", "S1", "2024-07-01", "2024-12-31"),
        ],
        "receipts": [
          receipt("R1", "2024-02-01", "S1", "none", "40", origin: "post_consumer"),
          receipt("R2", "2024-02-01", "S1", "none", "60", origin: "primary"),
          receipt("R3", "2024-08-01", "S1", "none", "20", origin: "pre_consumer"),
          receipt("R4", "2024-08-01", "S1", "none", "80", origin: "primary"),
        ],
        "outputs": [
          ["entry_id": "O1", "date": "2024-03-01", "site": "S1", "cu_t": "80"],
          ["entry_id": "O2", "date": "2024-09-01", "site": "S1", "cu_t": "100"],
        ],
        "shipments": [
          [
            "entry_id": "X1", "date": "2024-03-02", "site": "S1", "claim": "PCL100/mb",
            "cu_t": "30",
          ],
          [
            "entry_id": "X2", "date": "2024-09-02", "site": "S1", "claim": "PCL100/mb",
            "cu_t": h2Claim,
          ],
        ],
      ]
    }
    let book = ExampleBook.book(percentage: true)
    let check = ExampleBook.check(.percentage, book: book, periods: true)
    let ok = try T.run(check, rows("22"))
    #expect(ok.rule("r")?.status == .pass, "\(ok.findings.map(\.message))")
    let over = try T.run(check, rows("23"))
    let f = try #require(over.findings(for: "r").first)
    #expect(over.findings(for: "r").count == 1)
    #expect(f.evidence.map(\.key) == ["X2"])
    #expect(f.balance?.shortfall == T.d("1"))
    #expect(f.balance?.periodStart == CivilDate.parseISO("2024-07-01"))
  }

  @Test func excludedCreditsCreateNothing() throws {
    // R2 fails the eligibility rule, so only R1's 10 credits count: 10 - 12 = -2.
    let b = ExprBuilder(schema: T.schema, table: "receipts")
    let eligible = T.instance(
      "eligible",
      .row(
        RowCheckSpec(
          table: "receipts", filter: nil,
          assertion: b.bin(.equal, b.col("origin"), b.str("post_consumer")))))
    let balance = T.instance(
      "balance",
      ExampleBook.check(.continuous, book: ExampleBook.book(excludeFailing: ["eligible"])))
    let rows: Rows = [
      "receipts": [
        receipt("R1", "2024-01-10", "S1", "MR", "10", origin: "post_consumer"),
        receipt("R2", "2024-01-11", "S1", "MR", "5", origin: "primary"),
      ],
      "shipments": [mr("X1", "2024-01-20", "S1", "12")],
    ]
    let result = try T.run([eligible, balance], rows)
    #expect(result.rows("eligible") == ["R2"])
    let f = try #require(result.findings(for: "balance").first)
    #expect(f.evidence.map(\.key) == ["X1"])
    #expect(f.balance?.postings.map(\.kind) == [.credit, .excluded, .debit])
    #expect(balances(f) == ["R1:10", "R2:10", "X1:-2"])
    // The excluding rule is finished first even when the graph lists it later.
    let reversed = try T.run([balance, eligible], rows)
    #expect(reversed.findings == result.findings)
  }

  @Test func openingBalanceCoversALaterDebit() throws {
    let rows: Rows = [
      "opening_balances": [["date": "2024-01-01", "site": "S1", "pool": "MR", "cu_t": "5"]],
      "shipments": [mr("X1", "2024-01-20", "S1", "5"), mr("X2", "2024-01-21", "S1", "1")],
    ]
    let result = try T.run(ExampleBook.check(.continuous), rows)
    let f = try #require(result.findings(for: "r").first)
    #expect(f.evidence.map(\.key) == ["X2"])
    #expect(balances(f) == ["line:2:5", "X1:0", "X2:-1"])
  }

  @Test func laterCreditsMakeGoodTheDeficitFirst() throws {
    // Lot book: -4 uncovered (deficit 4), +10 credit covers it and leaves a 6 lot; an
    // 8 debit two years later finds 6 expired: 6 short... but balance 6 - 8 = -2 is an
    // overdraft of 2, so the expiry part is 6.
    let book = ExampleBook.book(lifetimeMonths: 24)
    let rows: Rows = [
      "receipts": [receipt("R1", "2024-01-10", "S1", "MR", "10")],
      "shipments": [mr("X1", "2024-01-05", "S1", "4"), mr("X2", "2026-02-01", "S1", "8")],
    ]
    let result = try T.run(ExampleBook.check(.expiry, book: book), rows)
    let f = try #require(result.findings(for: "r").first)
    #expect(f.evidence.map(\.key) == ["X2"])
    #expect(f.balance?.shortfall == T.d("6"))
    #expect(balances(f) == ["X1:-4", "R1:6", "X2:-2"])
  }
}

extension Posting {
  var key: String { entryID ?? "line:\(line)" }
}
