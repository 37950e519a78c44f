import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import Testing

@testable import CustodyEngine

/// The run as a whole: dependency order, clauses, grading, cell errors, effective dates.
@Suite struct EngineTests {
  let b = ExprBuilder(schema: T.schema, table: "receipts")

  var positive: CheckSpec {
    .row(
      RowCheckSpec(
        table: "receipts", filter: nil, assertion: b.bin(.greater, b.col("cu_t"), b.num("0"))))
  }
  var recycled: CheckSpec {
    .row(
      RowCheckSpec(
        table: "receipts", filter: nil,
        assertion: b.bin(.in, b.col("origin"), b.strings(["post_consumer", "pre_consumer"]))))
  }

  @Test func aRuleWhoseRequirementFailedIsSkipped() throws {
    let a = T.instance("a", positive)
    let c = T.instance("c", recycled, requires: ["a"])
    let rows = ["receipts": [["entry_id": "R1", "cu_t": "0", "origin": "primary"]]]
    let result = try T.run([a, c], rows)
    #expect(result.rule("a")?.status == .fail)
    #expect(result.rule("c")?.status == .skipped)
    #expect(result.rule("c")?.reason == "requires a, which is fail")
    #expect(result.findings(for: "c").isEmpty)
  }

  @Test func clausesAreGradedAndMajorsComeFirst() throws {
    let clauses = [
      Clause(
        id: "C-1", section: "S", title: "Minor one", requirement: "", severity: .minor,
        evidence: .ledger(ruleInstances: ["a"])),
      Clause(
        id: "C-2", section: "S", title: "Major one", requirement: "", severity: .major,
        evidence: .ledger(ruleInstances: ["c"])),
      Clause(
        id: "C-3", section: "S", title: "Paper", requirement: "", severity: .major,
        evidence: .documentary),
      Clause(
        id: "C-4", section: "S", title: "Passing", requirement: "", severity: .major,
        evidence: .ledger(ruleInstances: ["d"])),
    ]
    let a = T.instance("a", positive, clauses: ["C-1"])
    let c = T.instance("c", recycled, clauses: ["C-2"])
    let d = T.instance(
      "d",
      .row(
        RowCheckSpec(
          table: "receipts", filter: nil, assertion: b.bin(.notEqual, b.col("entry_id"), b.null()))),
      clauses: ["C-4"])
    let rows = ["receipts": [["entry_id": "R1", "cu_t": "0", "origin": "primary"]]]
    let result = try T.run([a, c, d], rows, clauses: clauses)
    #expect(
      result.clauses.map(\.status) == [.nonConformant, .nonConformant, .documentary, .conformant])
    #expect(result.nonConformities.map(\.id) == ["C-2/c", "C-1/a"])
    #expect(result.nonConformities.map(\.severity) == [.major, .minor])
    #expect(result.nonConformities.first?.evidence.map(\.key) == ["R1"])
    #expect(result.verdict == .nonConformant)
    #expect(result.summary[.major] == 1 && result.summary[.minor] == 1)
    #expect(result.findings(for: "c").first?.severity == .major)
    #expect(result.findings(for: "c").first?.evidence.first?.file == "<inline>/receipts.csv")
  }

  @Test func nothingInScopeIsNotApplicable() throws {
    // Rows were there to look at; none is in the rule's effective window.
    var a = T.instance("a", positive)
    a.effectiveFrom = CivilDate.parseISO("2030-01-01")
    let result = try T.run(
      [a], ["receipts": [["entry_id": "R1", "date": "2024-01-05", "cu_t": "2"]]])
    #expect(result.rule("a")?.status == .notApplicable)
    #expect(result.clause("EX-1")?.status == .notApplicable)
    #expect(result.clause("EX-1")?.reason == "nothing in scope")
    #expect(result.verdict == .conformant)
  }

  /// Issue 22 item 14: an empty ledger never passes silently.
  @Test func anEmptyRequiredTableLeavesTheClauseNotEvaluated() throws {
    let result = try T.run([T.instance("a", positive)], [:])
    #expect(result.rule("a")?.status == .notApplicable)
    #expect(result.clause("EX-1")?.status == .notEvaluated)
    #expect(
      result.clause("EX-1")?.reason?.hasPrefix("no rows to judge: ") == true
        && result.clause("EX-1")?.reason?.hasSuffix("receipts.csv holds no rows") == true)
    #expect(result.verdict == .incomplete)
  }

  @Test func runTimeErrorsLeaveTheClauseNotEvaluated() throws {
    let result = try T.run([T.instance("a", positive)], ["receipts": [["entry_id": "R1"]]])
    #expect(result.rule("a")?.status == .error)
    let f = try #require(result.findings(for: "a").first)
    #expect(f.status == .error)
    #expect(f.code == "CUS8001")
    #expect(result.clause("EX-1")?.status == .notEvaluated)
    #expect(result.verdict == .incomplete)
  }

  @Test func unreadableCellsSkipRowsAndBecomeDataIntegrityFindings() throws {
    let rows = [
      "receipts": [
        ["entry_id": "R1", "cu_t": "abc"], ["entry_id": "R2", "cu_t": "-1"],
        ["entry_id": "R3", "cu_t": "2"],
      ]
    ]
    let result = try T.run([T.instance("a", positive)], rows)
    let rule = try #require(result.rule("a"))
    #expect(rule.status == .pass)
    #expect(rule.counts.skippedRows == 2)
    #expect(rule.counts.evaluated == 1)
    let integrity = result.findings(for: "data-integrity")
    #expect(integrity.map(\.code) == ["CUS7002", "CUS7004"])
    #expect(integrity.map { $0.evidence.map(\.key) } == [["R1"], ["R2"]])
    #expect(integrity.first?.evidence.first?.value == "abc")
    #expect(integrity.first?.clauseIDs == ["EX-1"])
    #expect(result.clause("EX-1")?.status == .nonConformant)
    // The rule says which rows it did not judge, and why.
    let skipped = result.findings(for: "a")
    #expect(skipped.map(\.status) == [.skipped])
    #expect(skipped.first?.code == "CUS8007")
    #expect(skipped.first?.evidence.map(\.key) == ["R1", "R2"])
    #expect(skipped.first?.evidence.first?.column == "cu_t")
  }

  @Test func effectiveDatesApplyPerEntryDate() throws {
    let rows = [
      "receipts": [
        ["entry_id": "R1", "date": "2024-05-31", "cu_t": "0"],
        ["entry_id": "R2", "date": "2024-06-01", "cu_t": "0"],
      ]
    ]
    // The rule applies from June: only R2 is judged.
    let result = try T.run([T.instance("a", positive, from: "2024-06-01")], rows)
    #expect(result.rows("a") == ["R2"])
    #expect(result.rule("a")?.counts.outOfWindow == 1)
    // A clause effective until May does not count R2's finding against it.
    let clauses = [
      Clause(
        id: "EX-1", section: "EX", title: "Old", requirement: "", severity: .major,
        evidence: .ledger(ruleInstances: ["a"]), effectiveUntil: CivilDate.parseISO("2024-05-31"))
    ]
    let old = try T.run([T.instance("a", positive, from: "2024-06-01")], rows, clauses: clauses)
    #expect(old.findings(for: "a").first?.clauseIDs == [])
    #expect(old.clause("EX-1")?.status == .conformant)
  }

  @Test func evidenceIsCappedWithATotal() throws {
    let unique = CheckSpec.unique(
      UniqueCheckSpec(sources: [.init(table: "receipts", filter: nil, key: [b.col("document_id")])])
    )
    let rows = ["receipts": (1...30).map { ["entry_id": "R\($0)", "document_id": "D"] }]
    let result = try T.run(
      [T.instance("u", unique)], rows, options: EngineOptions(evidenceLimit: 5))
    let f = try #require(result.findings(for: "u").first)
    #expect(f.evidence.count == 5)
    #expect(f.evidenceTotal == 30)
  }

  @Test func defaultMessagesShowActualAndExpectedValues() throws {
    let tolerance = b.param("tolerance_t", .decimal(T.d("0.001")))
    let assertion = b.bin(
      .lessOrEqual, b.call(.abs, b.bin(.subtract, b.col("gross_t"), b.col("cu_t"))), tolerance)
    let result = try T.run(
      .row(RowCheckSpec(table: "receipts", filter: nil, assertion: assertion)),
      ["receipts": [["entry_id": "R1", "gross_t": "2.6", "cu_t": "2.5"]]])
    #expect(
      result.findings(for: "r").first?.message
        == "abs(gross_t - cu_t) = 0.1, expected <= $tolerance_t = 0.001")
  }

  @Test func messageTemplatesRenderRowValues() throws {
    let template = MessageTemplate(
      parts: [.text("cu_t "), .expression(b.col("cu_t")), .text(" is not positive")], span: nil)
    let result = try T.run(
      [T.instance("a", positive, message: template)],
      ["receipts": [["entry_id": "R1", "cu_t": "0"]]])
    #expect(result.findings(for: "a").first?.message == "cu_t 0 is not positive")
  }

  @Test func twoRunsAreEqualAndFindingIDsStable() throws {
    let rows = MassBalanceTests.recovering.merging(
      [
        "receipts": [
          [
            "entry_id": "R1", "date": "2024-01-10", "site": "S1", "pool": "MR", "cu_t": "10",
            "origin": "primary",
          ], ["entry_id": "R2", "date": "2024-01-20", "site": "S1", "pool": "MR", "cu_t": "5"],
        ]
      ]
    ) { $1 }
    let instances = [T.instance("a", recycled), T.instance("mb", ExampleBook.check(.continuous))]
    let first = try T.run(instances, rows)
    let second = try T.run(instances, rows)
    #expect(first == second)
    #expect(first.findings.map(\.id) == second.findings.map(\.id))
    #expect(Set(first.findings.map(\.id)).count == first.findings.count)
    #expect(first.findings.first?.id.count == 16)
  }
}
