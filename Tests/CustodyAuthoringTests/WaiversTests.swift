import CustodyDiagnostics
import CustodyReports
import CustodyValues
import Foundation
import Testing

@testable import CustodyAuthoring

@Suite struct WaiversTests {
  func evidence(_ id: String, line: Int) -> Report.Evidence {
    Report.Evidence(
      file: "fixtures/x/receipts.csv", line: line, entryId: id, column: "cu_t", value: "1.0")
  }

  /// Two minor findings (one per rule) and one major balance finding.
  func report() -> Report {
    let f1 = Report.Finding(
      id: "F1", rule: "copper-content-consistent", clauses: ["CUA-3.4"], severity: .minor,
      status: .fail, message: "m", evidence: [evidence("R-7", line: 8)], evidenceTotal: 1,
      account: nil, waiver: nil)
    let f2 = Report.Finding(
      id: "F2", rule: "stock-count-tolerance", clauses: ["CUA-4.6"], severity: .minor,
      status: .fail, message: "m", evidence: [evidence("SC-1", line: 2)], evidenceTotal: 1,
      account: nil, waiver: nil)
    let f3 = Report.Finding(
      id: "F3", rule: "no-overdraft", clauses: ["CUA-4.3"], severity: .major, status: .fail,
      message: "m", evidence: [evidence("S-9", line: 10)], evidenceTotal: 1,
      account: "SGN|MR|", waiver: nil)
    func nc(_ f: Report.Finding) -> Report.Nonconformity {
      Report.Nonconformity(
        id: "NC-" + f.id, clause: f.clauses[0], rule: f.rule, severity: f.severity!, summary: "s",
        findings: [f.id], evidence: f.evidence, evidenceTotal: 1, waived: false)
    }
    let clauses = [("CUA-3.4", ClauseSeverity.minor), ("CUA-4.3", .major), ("CUA-4.6", .minor)].map
    {
      Report.ClauseEntry(
        id: $0.0, section: "S", title: "t", status: .nonConformant, severity: $0.1, rules: [],
        reason: nil)
    }
    return Report(
      tool: .init(name: "custody", version: "0"), generatedAt: nil,
      standard: .init(
        id: "s", title: "t", version: "1", file: "f", sha256: "", graphSha256: "", inputs: [],
        parameters: []),
      ledger: .init(path: "l", profile: nil, files: [], cellErrors: 0),
      verdict: .nonConformant, failOn: .minor,
      summary: .init(major: 1, minor: 2, observation: 0, findings: 3, waived: 0),
      clauses: clauses, rules: [], nonconformities: [nc(f3), nc(f1), nc(f2)],
      findings: [f1, f2, f3], accounts: [], waivers: [])
  }

  func load(_ yaml: String) -> ([Waiver], [Diagnostic]) {
    let path = NSTemporaryDirectory() + "waivers-\(UUID().uuidString).yaml"
    FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    var bag = DiagnosticBag()
    let waivers = Waivers.load(path: path, sources: SourceCache(), into: &bag)
    return (
      waivers,
      bag.sorted.map { d in
        var d = d
        d.span?.start.file = "w.yaml"
        d.span?.end.file = "w.yaml"
        return d
      }
    )
  }

  @Test func waivedExpiredAndUnmatched() throws {
    let (waivers, diagnostics) = load(
      """
      waivers:
        - id: W-1
          clause: CUA-3.4
          entry_ids: [R-7]
          reason: assay re-run pending; lab report LR-22
          approved_by: QA manager
          expires: 2026-12-31
        - id: W-2
          rule: stock-count-tolerance
          entry_ids: [SC-1]
          reason: recount scheduled
          approved_by: QA manager
          expires: 2026-01-31
        - id: W-3
          clause: CUA-4.3
          accounts: ["HIT|MR|"]
          reason: wrong account
          approved_by: QA manager
          expires: 2027-01-01
      """)
    #expect(diagnostics.isEmpty)
    var r = report()
    Waivers.apply(waivers, to: &r, asOf: CivilDate(year: 2026, month: 6, day: 1)!)
    #expect(r.findings.map(\.status) == [.waived, .fail, .fail])
    #expect(r.findings[0].waiver == "W-1")
    #expect(r.nonconformities.map(\.waived) == [false, true, false])
    #expect(r.waivers.map(\.status) == [.applied, .expired, .unmatched])
    #expect(r.waivers.map(\.matched) == [1, 0, 0])
    #expect(r.summary.major == 1 && r.summary.minor == 1 && r.summary.waived == 1)
    #expect(r.verdict == .nonConformant)
  }

  @Test func waivingEverythingMakesConformant() throws {
    let (waivers, _) = load(
      """
      waivers:
        - {id: A, clause: CUA-3.4, entry_ids: [R-7], reason: r, approved_by: x, expires: 2030-01-01}
        - {id: B, clause: CUA-4.6, entry_ids: [SC-1], reason: r, approved_by: x, expires: 2030-01-01}
        - {id: C, rule: no-overdraft, accounts: ["SGN|MR|"], reason: r, approved_by: x, expires: 2030-01-01}
      """)
    var r = report()
    Waivers.apply(waivers, to: &r, asOf: CivilDate(year: 2026, month: 6, day: 1)!)
    #expect(r.verdict == .conformant)
    #expect(r.findings.allSatisfy { $0.status == .waived })
  }

  @Test func malformedWaiversPointAtTheLine() {
    let (_, diagnostics) = load(
      """
      waivers:
        - id: W-1
          clause: CUA-3.4
          entry_ids: [R-7]
          reson: typo
          approved_by: QA
          expires: 31.12.2026
      """)
    #expect(
      diagnostics.map(\.description) == [
        "w.yaml:2:5: error: a waiver needs `reason:` [CUS9501]",
        "w.yaml:5:5: error: unknown key 'reson' in a waiver [CUS9501]",
        "w.yaml:7:14: error: `expires:` must be a date YYYY-MM-DD, not '31.12.2026' [CUS9501]",
      ])
    #expect(diagnostics[1].suggestions == ["reason"])
  }
}
