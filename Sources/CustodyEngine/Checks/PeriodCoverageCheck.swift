import CustodyLanguage
import CustodyLedger
import CustodyValues

/// `kind: period_coverage`: accounting periods per group (site) are well formed, and every
/// dated entry falls in exactly one period of its group.
///
/// Per group, periods sorted by start must each end on or after their start, must not overlap
/// the previous one, must follow it with no gap when `contiguous: true` (next start = previous
/// end + 1 day), and last at most `max_months` calendar months (end before start + N months).
/// Each entry row passing `where:` must fall (both ends included) in exactly one period of its
/// `group:` value: none or several is a `fail` finding citing the entry (and the periods).
///
/// ```yaml
/// check:
///   kind: period_coverage
///   periods: {table: periods, group: site, start: start, end: end, id: period_id}
///   max_months: 12
///   contiguous: true
///   entries:
///     - {table: receipts, group: site, date: date}
/// ```
final class PeriodCoverageCheck: CheckRunner {
  let spec: PeriodCoverageSpec
  let instance: RuleInstance
  let run: RunContext
  /// An entry source, a class so the per-row loop retains one reference.
  final class Entry {
    let gate: RowGate
    let group: Program
    let date: Program
    init(_ gate: RowGate, _ group: Program, _ date: Program) {
      (self.gate, self.group, self.date) = (gate, group, date)
    }
  }
  // Written only in init (`@exclusivity(unchecked)`: no run-time check per row).
  @exclusivity(unchecked) var gates: [String: [Entry]] = [:]
  /// The entries of the table streamed last.
  @exclusivity(unchecked) private var last = LastTableSources<Entry>()
  var tables: [String] { Array(Set(spec.entries.map(\.table))).sorted() }

  init(_ spec: PeriodCoverageSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    self.periods = run.periodIndexes[spec.periods]
    for e in spec.entries {
      let table = run.schema.table(e.table) ?? TableSchema(name: e.table, file: "", columns: [])
      let gate = RowGate(
        table: table, instance: instance, expressions: [e.group, e.date], filter: e.filter, run: run
      )
      gates[e.table, default: []].append(
        Entry(gate, run.compiler.compile(e.group), run.compiler.compile(e.date)))
    }
  }

  /// Looked up once, in init (the engine builds period indexes before any check is made). A
  /// `let`: a lazy property's getter checked, retained and released it on every row.
  private let periods: PeriodIndex?

  private func evidence(_ p: PeriodIndex.Period) -> EvidenceRow {
    EvidenceRow(
      table: spec.periods.table, file: "", line: p.row.line, entryID: p.row.entryID ?? p.id,
      column: "period", value: "\(p.start)..\(p.end)")
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    last.forEach(table, { gates[$0] }) { entry in
      consumeEntry(entry, table: table, row: row, frame: &frame, out: out)
    }
  }

  private func consumeEntry(
    _ entry: Entry, table: String, row: RowRef, frame: inout Frame, out: RuleOutput
  ) {
    let gate = entry.gate
    guard gate.admitCounting(row, &frame, table: table, out: out) else { return }
    do throws(EvaluationError) {
      let g = try entry.group(&frame)
      let dv = try entry.date(&frame)
      guard let d = dv.asDate, !g.isNull else {
        throw EvaluationError(
          code: .nullOperand,
          message: "the entry's group or date is null (\(g.literal), \(dv.literal))",
          span: spec.entries.first { $0.table == table }?.date.span, expression: "")
      }
      out.counts.evaluated += 1
      if periods?.coveringCount(g, d) == 1 { return }
      let found = periods?.covering(g, d) ?? []
      out.markFailing(table, row.line)
      let message =
        found.isEmpty
        ? "\(table) \(row.entryID ?? "line \(row.line)") dated \(d) is in no period of \(Messages.show(g))"
        : "\(table) \(row.entryID ?? "line \(row.line)") dated \(d) is in \(found.count) periods of \(Messages.show(g)): \(found.map(\.id).joined(separator: ", "))"
      out.add(
        Finding(
          ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail,
          message: Messages.message(instance, Frame(group: [g, .date(d)]), run: run) { message },
          location: instance.span,
          evidence: [
            EvidenceRow(
              table: table, file: "", line: row.line, entryID: row.entryID, column: "date",
              value: d.description)
          ]
            + found.map(evidence), date: d))
    } catch {
      out.error(error, table: table, row: row, date: gate.date(of: row))
    }
  }

  func finish(_ ctx: any FinishContext, out: RuleOutput) {
    guard let periods else { return }
    for row in periods.unusable {
      out.add(
        Finding(
          ruleID: instance.id, clauseIDs: [], severity: nil, status: .error, code: "CUS8001",
          message: "period row has no group, start or end", location: instance.span,
          evidence: [
            EvidenceRow(table: spec.periods.table, file: "", line: row.line, entryID: row.entryID)
          ]))
    }
    for g in periods.groups {
      let list = periods.byGroup[g] ?? []
      var previous: PeriodIndex.Period?
      for p in list {
        out.counts.evaluated += 1
        var problems: [String] = []
        var cited = [evidence(p)]
        if p.end < p.start { problems.append("ends (\(p.end)) before it starts (\(p.start))") }
        if let max = spec.maxMonths, p.end >= p.start.addingMonths(max) {
          problems.append("lasts more than \(max) months (\(p.start)..\(p.end))")
        }
        if let q = previous {
          if p.start <= q.end {
            problems.append("overlaps period \(q.id) (\(q.start)..\(q.end))")
            cited.append(evidence(q))
          } else if spec.contiguous, p.start != q.end.addingDays(1) {
            problems.append(
              "leaves a gap after period \(q.id): \(q.end.addingDays(1))..\(p.start.addingDays(-1))"
            )
            cited.append(evidence(q))
          }
        }
        if previous == nil || p.end > previous?.end ?? p.end { previous = p }
        guard !problems.isEmpty else { continue }
        out.markFailing(spec.periods.table, p.row.line)
        out.add(
          Finding(
            ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail,
            message: "period \(p.id) of \(Messages.show(g)) " + problems.joined(separator: "; "),
            location: instance.span, evidence: cited, date: p.start, discriminator: "period"))
      }
    }
  }
}

extension PeriodCoverageCheck {
  /// Periods per site contiguous, at most 12 months; receipts in exactly one period.
  static let examples: [CheckExample] = {
    let b = ExprBuilder(schema: ExampleLedger.schema, table: "receipts")
    let spec = CheckSpec.periodCoverage(
      PeriodCoverageSpec(
        periods: PeriodSource(
          table: "periods", group: b.index("site", in: "periods"),
          id: b.index("period_id", in: "periods"),
          start: b.index("start", in: "periods"), end: b.index("end", in: "periods")),
        maxMonths: 12, contiguous: true,
        entries: [.init(table: "receipts", filter: nil, group: b.col("site"), date: b.col("date"))])
    )
    return [
      CheckExample(
        "contiguous yearly periods, every receipt covered", check: spec,
        rows: [
          "periods": [
            ["period_id": "P1", "site": "S1", "start": "2024-01-01", "end": "2024-12-31"],
            ["period_id": "P2", "site": "S1", "start": "2025-01-01", "end": "2025-12-31"],
          ],
          "receipts": [
            ["entry_id": "R1", "site": "S1", "date": "2024-12-31"],
            ["entry_id": "R2", "site": "S1", "date": "2025-01-01"],
          ],
        ], expect: .pass),
      CheckExample(
        "a gap, an overlong period, an overlap and uncovered receipts", check: spec,
        rows: [
          "periods": [
            ["period_id": "P1", "site": "S1", "start": "2024-01-01", "end": "2024-12-31"],
            ["period_id": "P2", "site": "S1", "start": "2025-01-02", "end": "2026-01-02"],
            ["period_id": "P3", "site": "S2", "start": "2024-01-01", "end": "2024-06-30"],
            ["period_id": "P4", "site": "S2", "start": "2024-06-30", "end": "2024-12-31"],
          ],
          "receipts": [
            ["entry_id": "R1", "site": "S1", "date": "2025-01-01"],
            ["entry_id": "R2", "site": "S2", "date": "2024-06-30"],
            ["entry_id": "R3", "site": "S3", "date": "2024-06-30"],
            ["entry_id": "R4", "site": "S1", "date": "2024-06-30"],
          ],
        ], expect: .fail, rows: ["P1", "P2", "P3", "P3", "P4", "P4", "R1", "R2", "R3"]),
    ]
  }()
}
