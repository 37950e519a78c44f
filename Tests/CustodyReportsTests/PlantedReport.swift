import CustodyReports
import Foundation

/// A realistic report of the planted CUA-4.3 fixture, built by hand so the reporters are tested
/// without the engine: a major overdraft on one account (with its balance trace), a minor
/// finding with 25 evidence rows capped at 20, a waived observation, a clause that could not be
/// evaluated, one not applicable, one documentary. Values with markup characters, commas,
/// quotes and a spreadsheet formula check the escaping in every format.
enum PlantedReport {
  static func digest(_ text: String) -> String { Digests.sha256Hex(Data(text.utf8)) }

  static let standard = Report.StandardInfo(
    id: "cu-again-coc", title: "CU-AGAIN Chain of Custody <Mass Balance> & Credits",
    version: "2024.1",
    file: "standards/cu-again-coc.yaml", sha256: digest("standard"), graphSha256: digest("graph"),
    inputs: [
      .init(path: "standards/cu-again-coc.yaml", sha256: digest("standard")),
      .init(path: "standards/schema/custody-ledger.yaml", sha256: digest("schema")),
      .init(path: "rules/balance/no-overdraft.yaml", sha256: digest("no-overdraft")),
      .init(path: "rules/records/cu-content.yaml", sha256: digest("cu-content")),
    ],
    parameters: [
      .init(name: "max_period_months", value: "12", origin: "default"),
      .init(name: "tolerance_t", value: "0.001", origin: "standards/cu-again-coc.yaml:41"),
    ])

  static let ledger = Report.LedgerInfo(
    path: "fixtures/planted/cua-4.3", profile: nil,
    files: [
      .init(
        table: "receipts", path: "receipts.csv", sha256: digest("receipts"), rows: 64, absent: false
      ),
      .init(table: "sales", path: "sales.csv", sha256: digest("sales"), rows: 131, absent: false),
      .init(table: "transfers", path: "transfers.csv", sha256: "", rows: 0, absent: true),
    ],
    cellErrors: 2)

  static let clauses: [Report.ClauseEntry] = [
    .init(
      id: "CUA-1.1", section: "CUA-1", title: "Certification scope", status: .conformant,
      severity: .major,
      rules: ["activity-in-scope"], reason: "195 rows considered"),
    .init(
      id: "CUA-1.2", section: "CUA-1", title: "Management system", status: .documentary,
      severity: .major,
      rules: [], reason: "documentary evidence: checked by the auditor"),
    .init(
      id: "CUA-2.1", section: "CUA-2", title: "Transfers between sites", status: .notApplicable,
      severity: .minor, rules: ["transfer-pairs"], reason: "no transfers in the period"),
    .init(
      id: "CUA-3.2", section: "CUA-3", title: "Copper content matches gross weight & grade",
      status: .nonConformant, severity: .minor, rules: ["cu-content"], reason: nil),
    .init(
      id: "CUA-3.4", section: "CUA-3", title: "Supplier declarations on file",
      status: .notEvaluated,
      severity: .minor, rules: ["supplier-declared"],
      reason: "rule supplier-declared errored: 2 unreadable cells"),
    .init(
      id: "CUA-4.3", section: "CUA-4", title: "Credits never exceed the balance of the account",
      status: .nonConformant, severity: .major, rules: ["no-overdraft"], reason: nil),
    .init(
      id: "CUA-4.5", section: "CUA-4", title: "Claim wording on sales documents",
      status: .conformant,
      severity: .observation, rules: ["claim-wording"],
      reason: "131 rows considered; 1 finding waived"),
  ]

  static let rules: [Report.RuleEntry] = [
    .init(
      id: "activity-in-scope", kind: "row", status: .pass, reason: nil, rowsChecked: 195,
      rowsSkipped: 0, findings: 0),
    .init(
      id: "transfer-pairs", kind: "reference", status: .notApplicable,
      reason: "transfers.csv is absent", rowsChecked: 0, rowsSkipped: 0, findings: 0),
    .init(
      id: "cu-content", kind: "row", status: .fail, reason: nil, rowsChecked: 64, rowsSkipped: 0,
      findings: 1),
    .init(
      id: "supplier-declared", kind: "row", status: .error, reason: "2 unreadable cells",
      rowsChecked: 62, rowsSkipped: 2, findings: 0),
    .init(
      id: "no-overdraft", kind: "mass_balance", status: .fail, reason: nil, rowsChecked: 195,
      rowsSkipped: 0, findings: 1),
    .init(
      id: "claim-wording", kind: "row", status: .pass, reason: "1 finding waived",
      rowsChecked: 131, rowsSkipped: 0, findings: 1),
  ]

  /// 25 receipts whose cu_t disagrees with gross_t x cu_pct; the first 20 are shown.
  static let cuEvidenceAll: [Report.Evidence] = (0..<25).map { i in
    Report.Evidence(
      file: "receipts.csv", line: 10 + i * 2, entryId: String(format: "R-%06d", 40 + i * 2),
      column: "cu_t", value: "\(20 + i).\(String(format: "%03d", 125 + i))")
  }
  static let cuEvidence = Array(cuEvidenceAll.prefix(20))

  static let overdraftEvidence = [
    Report.Evidence(
      file: "sales.csv", line: 124, entryId: "S-000123", column: "quantity_t", value: "40.000")
  ]
  static let wordingEvidence = [
    Report.Evidence(
      file: "sales.csv", line: 77, entryId: "S-000076", column: "claim_text",
      value: "=\"PCL100\", \"100% recycled\" <b>bold</b> | *claim*")
  ]

  static let nonconformities: [Report.Nonconformity] = [
    .init(
      id: "NC-CUA-4.3-no-overdraft", clause: "CUA-4.3", rule: "no-overdraft", severity: .major,
      summary:
        "account SGN|PCL|P-01 went negative: 40.000 t sold with 32.750 t of credit (shortfall 7.250 t)",
      findings: ["F-no-overdraft-0001"], evidence: overdraftEvidence, evidenceTotal: 1,
      waived: false),
    .init(
      id: "NC-CUA-3.2-cu-content", clause: "CUA-3.2", rule: "cu-content", severity: .minor,
      summary: "25 receipts: cu_t differs from gross_t x cu_pct / 100 by more than 0.001",
      findings: ["F-cu-content-0001"], evidence: cuEvidence, evidenceTotal: 25, waived: false),
    .init(
      id: "NC-CUA-4.5-claim-wording", clause: "CUA-4.5", rule: "claim-wording",
      severity: .observation,
      summary: "claim text \"PCL100\" lacks the mass-balance qualifier \"/mb\"",
      findings: ["F-claim-wording-0001"], evidence: wordingEvidence, evidenceTotal: 1, waived: true),
  ]

  static let findings: [Report.Finding] = [
    .init(
      id: "F-no-overdraft-0001", rule: "no-overdraft", clauses: ["CUA-4.3"], severity: .major,
      status: .fail,
      message: "balance of SGN|PCL|P-01 is -7.250 t after S-000123 on 2024-02-28",
      evidence: overdraftEvidence, evidenceTotal: 1, account: "SGN|PCL|P-01", waiver: nil),
    .init(
      id: "F-cu-content-0001", rule: "cu-content", clauses: ["CUA-3.2"], severity: .minor,
      status: .fail,
      message: "cu_t differs from gross_t x cu_pct / 100 by more than 0.001 in 25 rows",
      evidence: cuEvidence, evidenceTotal: 25, account: nil, waiver: nil),
    .init(
      id: "F-claim-wording-0001", rule: "claim-wording", clauses: ["CUA-4.5"],
      severity: .observation,
      status: .waived, message: "claim text lacks \"/mb\"", evidence: wordingEvidence,
      evidenceTotal: 1,
      account: nil, waiver: "W-2024-07"),
  ]

  static let trace = Report.AccountTrace(
    rule: "no-overdraft", account: "SGN|PCL|P-01", opening: "12.500",
    steps: [
      .init(
        date: "2024-01-05", kind: "credit", amount: "30.000", balance: "42.500",
        file: "receipts.csv", line: 12, entryId: "R-000045"),
      .init(
        date: "2024-01-19", kind: "debit", amount: "-25.000", balance: "17.500", file: "sales.csv",
        line: 88, entryId: "S-000101"),
      .init(
        date: "2024-02-02", kind: "credit", amount: "18.250", balance: "35.750",
        file: "receipts.csv", line: 31, entryId: "R-000052"),
      .init(
        date: "2024-02-14", kind: "debit", amount: "-3.000", balance: "32.750", file: "sales.csv",
        line: 102, entryId: "S-000110"),
      .init(
        date: "2024-02-28", kind: "debit", amount: "-40.000", balance: "-7.250", file: "sales.csv",
        line: 124, entryId: "S-000123"),
      .init(
        date: "2024-03-08", kind: "credit", amount: "12.000", balance: "4.750",
        file: "receipts.csv", line: 47, entryId: "R-000061"),
      .init(
        date: "2024-03-31", kind: "period_close", amount: "0.000", balance: "4.750", file: nil,
        line: nil, entryId: nil),
    ],
    stepsTotal: 7, firstFailure: 4, shortfall: "7.250")

  static let waivers = [
    Report.WaiverEntry(
      id: "W-2024-07", target: "claim-wording@S-000076", status: .applied,
      reason: "Legacy invoice template, replaced 2024-03 (ticket OPS-311)",
      approvedBy: "J. Okafor <compliance>",
      expires: "2024-12-31", matched: 1)
  ]

  /// A statement of one account over two quarters (with a transfer out, a claim covered only
  /// in part and hostile text in the period id), and the site's physical copper.
  static let statement: [Report.StatementBook] = [
    .init(
      book: "cu-again-credits", rule: "credits-never-negative",
      accountKey: ["site", "pool", "partner"], lifetimeMonths: 24, periodsTable: "periods",
      accounts: [
        .init(
          account: ["SGN", "PCL", "P-01"],
          periods: [
            .init(
              period: .init(id: "SGN-2024Q1", start: "2024-01-01", end: "2024-03-31"),
              opening: "0", credits: "14.55", creditedCopper: "15", factors: ["0.97"],
              debits: "12", transfersIn: "0", transfersOut: "2", transfersRefused: "0",
              expired: "0", closing: "0.55"),
            .init(
              period: .init(id: "SGN-2024Q2 <b>&\"", start: "2024-04-01", end: "2024-06-30"),
              opening: "0.55", credits: "0", creditedCopper: nil, factors: [], debits: "3",
              transfersIn: "1.25", transfersOut: "0", transfersRefused: "0.5", expired: "0",
              closing: "-1.2"),
          ],
          closingLots: [], deficit: "1.2")
      ],
      physical: [
        .init(
          site: "SGN", period: .init(id: "SGN-2024Q1", start: "2024-01-01", end: "2024-03-31"),
          copperIn: "40.125", copperOut: "31")
      ])
  ]

  /// The planted report without integrity or signature.
  static var report: Report {
    var report = Report(
      tool: .init(name: "custody", version: "0.1.0"), generatedAt: "2024-04-02T09:30:00Z",
      standard: standard, ledger: ledger, verdict: .nonConformant, failOn: .minor,
      summary: .init(major: 1, minor: 1, observation: 0, findings: 3, waived: 1),
      clauses: clauses, rules: rules, nonconformities: nonconformities, findings: findings,
      accounts: [trace], waivers: waivers)
    report.statement = statement
    report.run = .init(
      evidenceLimit: 20, findingLimit: 1000, asOf: "2024-04-02",
      waivers: .init(
        path: "waivers.yaml",
        sha256: "9f2c1d0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"))
    return report
  }
}
