import CustodyAuthoring
import CustodyEngine
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 18, "The modelled standards": the ASI percentage method and the Copper Mark CoC on
/// ledgers planted from fixtures/sample (copied at test time, rows added by column name, so the
/// plants follow the sample when the generator changes).
@Suite(.serialized) struct ModelledStandardsTests {
  static let root = PlantedFixtureTests.root

  /// A copy of fixtures/sample with `rows` appended to the named tables; a row's cells are
  /// given by column name, columns it does not name are empty.
  static func planted(_ name: String, _ rows: [String: [[String: String]]]) throws -> String {
    let source = root + "/fixtures/sample"
    let target = NSTemporaryDirectory() + "modelled-\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: target)
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    for file in try FileManager.default.contentsOfDirectory(atPath: source).sorted() {
      var data = try Data(contentsOf: URL(fileURLWithPath: source + "/" + file))
      let table = String(file.dropLast(4))
      if file.hasSuffix(".csv"), let added = rows[table],
        let text = String(data: data, encoding: .utf8),
        let header = text.split(separator: "\n").first
      {
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map(
          String.init)
        var out = text.hasSuffix("\n") ? text : text + "\n"
        for row in added {
          #expect(Set(row.keys).isSubset(of: columns), "\(table): \(row.keys.sorted())")
          out += columns.map { row[$0] ?? "" }.joined(separator: ",") + "\n"
        }
        data = Data(out.utf8)
      }
      try data.write(to: URL(fileURLWithPath: target + "/" + file))
    }
    return target
  }

  static func validate(_ standard: String, _ ledger: String) throws -> (Report, EvaluationResult) {
    guard
      case .evaluated(let report, let result, _) = PlantedFixtureTests.validate(
        "standards/" + standard, ledger)
    else { throw CancellationError() }
    return (report, result)
  }

  /// Non-conformant clauses with the entry ids their non-conformities cite.
  static func nonConformities(_ result: EvaluationResult) -> [String: [String]] {
    Dictionary(
      result.nonConformities.map { nc in
        (nc.clause, nc.evidence.compactMap(\.entryID).sorted())
      }, uniquingKeysWith: { $0 + $1 })
  }

  /// Site NIB, in scope, with its conversion factor and (unless `periods` is false) one
  /// 12-month accounting period.
  static func site(factor: String, periods: Bool = true) -> [String: [[String: String]]] {
    [
      "sites": [["site": "NIB", "name": "Niihama Refinery", "entity": "JXMS", "in_scope": "true"]],
      "conversion_factors": [
        [
          "site": "NIB", "factor": factor, "valid_from": "2024-01-01", "valid_to": "2025-12-31",
          "basis_document": "CF-NIB-1",
        ]
      ],
      "periods": periods
        ? [["site": "NIB", "period": "NIB-2024", "start": "2024-01-01", "end": "2024-12-31"]] : [],
    ]
  }

  static func receipt(
    _ id: String, _ date: String, supplier: String, material: String, origin: String,
    pool: String, cu: String
  ) -> [String: String] {
    // gross x 25 % = cu exactly (the copper-content clauses stay conformant).
    let gross = (try? (ExactDecimal(cu) ?? .zero).multiplied(by: 4))?.description ?? cu
    return [
      "entry_id": id, "date": date, "site": "NIB", "supplier": supplier, "material": material,
      "origin": origin, "pool": pool, "gross_t": gross, "cu_pct": "25", "cu_t": cu,
      "document_id": "SD-" + id,
    ]
  }

  static func claim(_ id: String, _ date: String, cu: String, claim: String)
    -> (shipment: [String: String], document: [String: String])
  {
    (
      [
        "entry_id": id, "date": date, "site": "NIB", "customer": "CUS-01",
        "product": "copper_cathode", "cu_t": cu, "claim": claim, "document_id": "CD-" + id,
        "cfp_kg_per_t": "1180",
      ],
      [
        "document_id": "CD-" + id, "issue_date": date, "recipient": "CUS-01", "cu_t": cu,
        "claim": claim, "model": "mass_balance", "certificate": "CUA-CERT-0417",
      ]
    )
  }

  static func merged(_ parts: [String: [[String: String]]]...) -> [String: [[String: String]]] {
    parts.reduce(into: [:]) { all, part in all.merge(part) { $0 + $1 } }
  }

  // MARK: ASI percentage method

  /// All of NIB's input is eligible scrap (factor 0.95): it may claim its whole output, 95 t of
  /// 100 t received. Converting only the CoC input made its share 95 % and the claim fail.
  @Test func asiSiteOfEligibleScrapOnlyClaimsAllItsOutput() throws {
    let (shipment, document) = Self.claim("S-NIB-1", "2024-03-01", cu: "95", claim: "MR100/mb")
    let ledger = try Self.planted(
      "asi-scrap-only",
      Self.merged(
        Self.site(factor: "0.95"),
        [
          "receipts": [
            Self.receipt(
              "R-NIB-1", "2024-02-01", supplier: "MR-01", material: "no1_copper_scrap",
              origin: "post_consumer", pool: "MR", cu: "100")
          ],
          "shipments": [shipment], "documents": [document],
        ]))
    let (_, result) = try Self.validate("asi-coc-mb.yaml", ledger)
    #expect(Self.nonConformities(result) == [:])
    #expect(result.clause("ASI-8.3")?.status == .conformant)
    #expect(result.verdict == .conformant)

    // With as much concentrate again, half the converted input is CoC input: 95 t of 190 t
    // shipped may be claimed, 96 t is one too many (citing the claim).
    let (over, overDocument) = Self.claim("S-NIB-1", "2024-03-01", cu: "96", claim: "MR100/mb")
    let overLedger = try Self.planted(
      "asi-scrap-only-over",
      Self.merged(
        Self.site(factor: "0.95"),
        [
          "receipts": [
            Self.receipt(
              "R-NIB-1", "2024-02-01", supplier: "MR-01", material: "no1_copper_scrap",
              origin: "post_consumer", pool: "MR", cu: "100"),
            Self.receipt(
              "R-NIB-2", "2024-02-01", supplier: "MIN-ESC", material: "copper_concentrate",
              origin: "primary", pool: "NONE", cu: "100"),
          ],
          "shipments": [
            over,
            [
              "entry_id": "S-NIB-2", "date": "2024-03-01", "site": "NIB", "customer": "CUS-02",
              "product": "copper_cathode", "cu_t": "94", "cfp_kg_per_t": "3450",
            ],
          ],
          "documents": [overDocument],
        ]))
    let (_, overResult) = try Self.validate("asi-coc-mb.yaml", overLedger)
    #expect(Self.nonConformities(overResult) == ["ASI-8.3": ["S-NIB-1"]])
    #expect(overResult.verdict == .nonConformant)
  }

  /// NIB receives and ships but has no accounting period: the percentage balance cannot be
  /// computed there, so ASI-8.3 is not evaluated (never not applicable), ASI-8.1 cites the
  /// rows outside every period, and the verdict fails.
  @Test func asiSiteWithActivityButNoPeriodIsNotEvaluated() throws {
    let ledger = try Self.planted(
      "asi-no-period",
      Self.merged(
        Self.site(factor: "0.95", periods: false),
        [
          "receipts": [
            Self.receipt(
              "R-NIB-1", "2024-02-01", supplier: "MIN-ESC", material: "copper_concentrate",
              origin: "primary", pool: "NONE", cu: "100")
          ],
          "shipments": [
            [
              "entry_id": "S-NIB-1", "date": "2024-03-01", "site": "NIB", "customer": "CUS-02",
              "product": "copper_cathode", "cu_t": "80", "cfp_kg_per_t": "3450",
            ]
          ],
        ]))
    let (report, result) = try Self.validate("asi-coc-mb.yaml", ledger)
    #expect(result.rule("asi-percentage-balance")?.status == .skipped)
    let reason = try #require(result.clause("ASI-8.3")?.reason)
    #expect(reason.contains("account NIB: 2 postings in no accounting period, not judged"))
    #expect(result.clause("ASI-8.3")?.status == .notEvaluated)
    #expect(Self.nonConformities(result) == ["ASI-8.1": ["R-NIB-1", "S-NIB-1"]])
    #expect(result.verdict == .nonConformant)
    #expect(report.verdict == .nonConformant)
  }

  // MARK: Copper Mark CoC

  /// Copper Mark input is material from supplier sites whose award is valid on the receipt
  /// date. NIB's 150 t Copper Mark claim has 100 t of awarded concentrate behind it; the
  /// 100 t of recycled scrap from MR-01 (no award) and the 100 t from MR-02 (award ended
  /// 2023-12-31) create nothing: CM-3.3 cites the claim.
  static func copperMarkLedger(_ name: String, extraAwards: [[String: String]]) throws -> String {
    let (shipment, document) = claim("S-NIB-1", "2024-07-01", cu: "150", claim: "CopperMark/mb")
    return try planted(
      name,
      merged(
        site(factor: "1"),
        [
          "awards": [
            [
              "award": "CMA-9001", "supplier": "MR-02", "site_name": "Scrap Dealer 2 yard",
              "status": "awarded", "valid_from": "2021-01-01", "valid_to": "2023-12-31",
            ]
          ] + extraAwards,
          "receipts": [
            receipt(
              "R-NIB-1", "2024-06-01", supplier: "MIN-ESC", material: "copper_concentrate",
              origin: "primary", pool: "NONE", cu: "100"),
            receipt(
              "R-NIB-2", "2024-06-01", supplier: "MR-01", material: "no1_copper_scrap",
              origin: "post_consumer", pool: "MR", cu: "100"),
            receipt(
              "R-NIB-3", "2024-06-02", supplier: "MR-02", material: "no1_copper_scrap",
              origin: "post_consumer", pool: "MR", cu: "100"),
          ],
          "shipments": [shipment], "documents": [document],
        ]))
  }

  @Test func copperMarkReceiptWithoutValidAwardCreatesNoInput() throws {
    let ledger = try Self.copperMarkLedger("cm-no-award", extraAwards: [])
    let (_, result) = try Self.validate("coppermark-coc-mb.yaml", ledger)
    #expect(Self.nonConformities(result) == ["CM-3.3": ["S-NIB-1"]])
    #expect(result.clause("CM-3.3")?.status == .nonConformant)
    #expect(result.verdict == .nonConformant)
    // The same ledger passes when MR-01's yard holds the Copper Mark on the receipt date
    // (recycled or not does not matter).
    let awarded = try Self.copperMarkLedger(
      "cm-award",
      extraAwards: [
        [
          "award": "CMA-9002", "supplier": "MR-01", "site_name": "Scrap Dealer 1 yard",
          "status": "awarded", "valid_from": "2024-01-01", "valid_to": "2026-12-31",
        ]
      ])
    let (_, passing) = try Self.validate("coppermark-coc-mb.yaml", awarded)
    #expect(Self.nonConformities(passing) == [:])
    #expect(passing.clause("CM-3.3")?.status == .conformant)
    #expect(passing.verdict == .conformant)
  }

  /// The Copper Mark grading is shown beside the level in every human report; JSON keeps the
  /// level and adds the labels.
  @Test func copperMarkSeverityLabelsInReports() throws {
    let ledger = try Self.copperMarkLedger("cm-labels", extraAwards: [])
    let (report, _) = try Self.validate("coppermark-coc-mb.yaml", ledger)
    let text = TextReporter().render(report)
    #expect(text.contains("1. [MAJOR (DOES NOT MEET)] CM-3.3 / coppermark-balance"))
    #expect(
      text.split(separator: "\n").contains {
        $0.hasPrefix("  CM-3.1  conformant") && $0.contains("  minor (partially meets)  ")
      })
    let markdown = MarkdownReporter().render(report)
    #expect(markdown.contains("### 1. CM-3.3 / coppermark-balance: major (does not meet)"))
    #expect(
      markdown.contains("| CM-3.1 | conformant | minor (partially meets) | Accounting periods |"))
    let html = HTMLReporter().render(report)
    #expect(
      html.contains(
        "<span class=\"badge\">major (does not meet)</span> CM-3.3 / coppermark-balance"))
    #expect(html.contains("<td>minor (partially meets)</td><td>Accounting periods</td>"))
    let json =
      try JSONSerialization.jsonObject(with: JSONReporter().render(report)) as? [String: Any]
    let standard = json?["standard"] as? [String: Any]
    #expect(
      standard?["severity_labels"] as? [String: String] == [
        "major": "does not meet", "minor": "partially meets",
        "observation": "meets with an observation",
      ])
    let ncs = json?["nonconformities"] as? [[String: Any]]
    #expect(ncs?.first?["severity"] as? String == "major")

    // A standard without labels shows the bare level and no `severity_labels` in JSON.
    let (asi, _) = try Self.validate("asi-coc-mb.yaml", Self.root + "/fixtures/sample")
    #expect(asi.standard.severityLabels == nil)
    #expect(TextReporter().render(asi).contains("  ASI-8.3   conformant      major        "))
  }
}
