import CustodyAuthoring
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 16, acceptance 2 and 3: the order of the rows never matters, and every count shown is
/// the real number of findings it counts, each finding under a clause unless it is suppressed.
@Suite(.serialized) struct VerdictSemanticsTests {
  static let root = PlantedFixtureTests.root
  static let ledgers = ["sample"] + PlantedFixtureTests.planted.map { "planted/" + $0 }

  /// Copies `fixture` with the data rows of every CSV file permuted by `order` (the header
  /// stays first). The generated files hold no quoted line breaks, so a line is a row.
  static func reordered(
    _ fixture: String, _ name: String, _ order: (inout [Substring]) -> Void
  ) throws -> String {
    let source = root + "/fixtures/" + fixture
    let target = NSTemporaryDirectory() + "custody-order-\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: target)
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    for file in try FileManager.default.contentsOfDirectory(atPath: source).sorted() {
      let data = try Data(contentsOf: URL(fileURLWithPath: source + "/" + file))
      guard file.hasSuffix(".csv"), let text = String(data: data, encoding: .utf8) else {
        try data.write(to: URL(fileURLWithPath: target + "/" + file))
        continue
      }
      var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      if lines.last == "" { lines.removeLast() }
      guard let header = lines.first else { continue }
      var rows = Array(lines.dropFirst())
      order(&rows)
      let out = ([header] + rows).joined(separator: "\n") + "\n"
      try Data(out.utf8).write(to: URL(fileURLWithPath: target + "/" + file))
    }
    return target
  }

  static func report(_ ledger: String) throws -> Report {
    guard
      case .evaluated(let report, _, _) = PlantedFixtureTests.validate(
        "standards/cu-again-coc.yaml", ledger)
    else {
      Issue.record("\(ledger) was not evaluated")
      throw CancellationError()
    }
    return report
  }

  /// What must not depend on row order: the verdict, every clause's status, and the findings.
  /// A finding's id hashes its evidence keys, which are entry ids, or `line:N` for a row
  /// without one (reference tables): those findings are compared by rule, status and
  /// evidence count, with the line numbers their messages name left out.
  struct Outcome: Equatable, CustomStringConvertible {
    var verdict: Verdict
    var clauses: [String]
    var ids: Set<String>
    var lineBound: [String]
    var description: String { "\(verdict) \(clauses) \(ids.count) ids \(lineBound)" }

    init(_ r: Report) {
      verdict = r.verdict
      clauses = r.clauses.map { "\($0.id)=\($0.status)" }
      var ids = Set<String>()
      var lineBound: [String] = []
      for f in r.findings {
        if f.evidence.allSatisfy({ $0.entryId != nil }) {
          ids.insert(f.id)
        } else {
          let message = f.message.replacing(#/:\d+/#, with: ":N").replacing(
            #/line \d+/#, with: "line N")
          lineBound.append(
            "\(f.rule) \(f.status) \(f.evidenceTotal) \(f.suppressedBy == nil) \(message)")
        }
      }
      self.ids = ids
      self.lineBound = lineBound.sorted()
    }
  }

  @Test(arguments: ledgers)
  func shuffledAndReversedRowsGiveTheSameJudgement(ledger: String) throws {
    let name = ledger.replacingOccurrences(of: "/", with: "-")
    let original = Outcome(try Self.report(Self.root + "/fixtures/" + ledger))
    var state: UInt64 = 0x5eed_0016
    func next(_ bound: Int) -> Int {  // SplitMix64: the same permutation on every run
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return Int((z ^ (z >> 31)) % UInt64(bound))
    }
    let shuffled = try Self.reordered(ledger, name + "-shuffled") { rows in
      for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, next(i + 1)) }
    }
    let reversed = try Self.reordered(ledger, name + "-reversed") { $0.reverse() }
    defer {
      try? FileManager.default.removeItem(atPath: shuffled)
      try? FileManager.default.removeItem(atPath: reversed)
    }
    #expect(Outcome(try Self.report(shuffled)) == original, "shuffled \(ledger)")
    #expect(Outcome(try Self.report(reversed)) == original, "reversed \(ledger)")
  }

  @Test(arguments: ledgers)
  func everyFindingHasAClauseAndEveryCountIsTrue(ledger: String) throws {
    let r = try Self.report(Self.root + "/fixtures/" + ledger)
    for f in r.findings {
      #expect(
        !f.clauses.isEmpty || f.suppressedBy != nil || f.status == .waived,
        "\(ledger): \(f.rule) \(f.status) \(f.message)")
      if let root = f.suppressedBy {
        // A suppressed finding names a finding of the report as its root cause.
        #expect(r.findings.contains { $0.id == root }, "\(ledger): root \(root) of \(f.id)")
        #expect(f.clauses.isEmpty)
      }
    }
    let counted = r.findings.filter {
      ($0.status == .fail || $0.status == .error) && $0.suppressedBy == nil
    }
    #expect(r.summary.findings == counted.count, "\(ledger)")
    for rule in r.rules {
      #expect(
        rule.findings == counted.count { $0.rule == rule.id }, "\(ledger): \(rule.id)")
    }
    for nc in r.nonconformities {
      let listed = r.findings.filter { nc.findings.contains($0.id) }
      #expect(listed.count == nc.findings.count, "\(ledger): \(nc.id)")
      let n = nc.findings.count
      #expect(
        nc.summary.hasSuffix(": \(n) finding\(n == 1 ? "" : "s") from \(nc.rule)"),
        "\(ledger): \(nc.summary)")
      #expect(nc.evidenceTotal == listed.reduce(0) { $0 + $1.evidenceTotal }, "\(ledger)")
      // Each evidence row once.
      let rows = nc.evidence.map { "\($0.file):\($0.line):\($0.column ?? "")" }
      #expect(Set(rows).count == rows.count, "\(ledger): \(nc.id)")
    }
    let open = r.nonconformities.filter { !$0.waived }
    #expect(r.summary.major == open.count { $0.severity == .major })
    #expect(r.summary.minor == open.count { $0.severity == .minor })
    for clause in r.clauses where clause.status == .nonConformant {
      let ncs = r.nonconformities.filter { $0.clause == clause.id }
      #expect(!ncs.isEmpty, "\(ledger): \(clause.id)")
      for nc in ncs {
        let n = nc.findings.count
        #expect(
          clause.reason?.contains("\(nc.rule): \(n) finding\(n == 1 ? "" : "s")") == true,
          "\(ledger): \(clause.id) \(clause.reason ?? "")")
      }
    }
  }

  /// The evidence cap limits the rows listed, never the numbers (issue 16, "true totals"):
  /// a systematic export error (every MR100/mb claim written `REC50/mb`) with one finding kept
  /// per rule and no evidence rows.
  @Test func totalsSurviveTheFindingCap() throws {
    let ledger = try Self.reordered("sample", "rec50") { _ in }
    defer { try? FileManager.default.removeItem(atPath: ledger) }
    let path = ledger + "/shipments.csv"
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let claims = text.components(separatedBy: ",MR100/mb,").count - 1
    #expect(claims > 100)
    try Data(text.replacingOccurrences(of: ",MR100/mb,", with: ",REC50/mb,").utf8).write(
      to: URL(fileURLWithPath: path))
    var request = ValidationPipeline.Request(
      standardPath: Self.root + "/standards/cu-again-coc.yaml", ledgerPath: ledger,
      asOf: CivilDate(year: 2026, month: 1, day: 1)!, failOn: .observation,
      evidenceLimit: 0, deterministic: true, toolVersion: "test")
    request.findingLimit = 1
    guard case .evaluated(let report, let result, _) = ValidationPipeline.run(request) else {
      Issue.record("not evaluated")
      return
    }
    let rule = try #require(result.rule("claim-known"))
    #expect(rule.counts.failed == claims)
    #expect(rule.counts.findingsOmitted == claims - 1)
    let nc = try #require(report.nonconformities.first { $0.rule == "claim-known" })
    #expect(
      nc.summary == "Claims of this standard only: \(claims) findings from claim-known (1 listed)")
    #expect(nc.evidence.isEmpty)
    // Evidence limit 0: no finding lists a row either (issue 22 item 12).
    #expect(report.findings.allSatisfy { $0.evidence.isEmpty })
    let clause = try #require(report.clauses.first { $0.id == "CUA-7.3" })
    #expect(clause.reason == "claim-known: \(claims) findings")
    // The claims' consequences are suppressed, counted as such, and make no non-conformity.
    #expect(report.nonconformities.map(\.clause) == ["CUA-7.3"])
    let matches = try #require(result.rule("claim-document-matches"))
    #expect(matches.counts.failed == 0)
    #expect(matches.counts.suppressed == claims)
    #expect(report.summary.findings == claims)
  }
}
