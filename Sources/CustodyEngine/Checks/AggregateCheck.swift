import CustodyLanguage
import CustodyLedger
import CustodyValues

/// `kind: aggregate`: group rows by keys (and optionally by accounting period), compute
/// sums, counts, minimums, maximums or averages, and assert an expression per group.
///
/// Rows passing `where:` are grouped by the `group_by:` values; with `per_period:` also by the
/// period of `periods` (for the row's `group` value) that contains its `date` (rows in no
/// period are counted as skipped: coverage is `period_coverage`'s business). `compute:` names
/// aggregations over the group's rows; `sum`, `min`, `max` and `avg` of a null is an `error`
/// finding for that row, `count()` counts rows. `assert:` reads the group keys and computed
/// names; a false assertion is one `fail` finding per group citing its rows (capped).
///
/// ```yaml
/// check:
///   kind: aggregate
///   table: stock_counts
///   group_by: {site: site}
///   compute: {physical: "sum(physical_t)", book: "sum(book_t)"}
///   assert: abs(physical - book) <= book * 0.005
/// ```
final class AggregateCheck: CheckRunner {
  struct Group {
    var keys: [Value]
    var acc: [Accumulator]
    var rows: [EvidenceRow] = []
    var lines: [Int] = []
    var count = 0
    var first: (Int, CivilDate?)
    var period: PeriodIndex.Period?
  }
  struct Accumulator {
    var sum: ExactDecimal = .zero
    var best: Value = .null
    var n = 0
  }
  let spec: AggregateCheckSpec
  let instance: RuleInstance
  let run: RunContext
  let gate: RowGate
  let groupBy: [Program]
  let arguments: [Program?]
  let periodGroup: Program?
  let periodDate: Program?
  let assertion: Program
  var groups: [[Value]: Group] = [:]
  var tables: [String] { [spec.table] }

  init(_ spec: AggregateCheckSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    let table = run.schema.table(spec.table) ?? TableSchema(name: spec.table, file: "", columns: [])
    self.gate = RowGate(
      table: table, instance: instance,
      expressions: spec.groupBy.map(\.expr) + spec.compute.map(\.argument) + [
        spec.periodGroup, spec.periodDate,
      ],
      filter: spec.filter, run: run)
    self.groupBy = spec.groupBy.map { run.compiler.compile($0.expr) }
    self.arguments = spec.compute.map { $0.argument.map(run.compiler.compile) }
    self.periodGroup = spec.periodGroup.map(run.compiler.compile)
    self.periodDate = spec.periodDate.map(run.compiler.compile)
    self.assertion = run.compiler.compile(spec.assertion)
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    guard gate.admitCounting(row, &frame, table: table, out: out) else { return }
    do throws(EvaluationError) {
      var keys: [Value] = []
      for g in groupBy { keys.append(LookupIndex.normalize(try g(&frame))) }
      var period: PeriodIndex.Period?
      if let source = spec.periods, let pg = periodGroup, let pd = periodDate {
        let g = try pg(&frame)
        let d = try pd(&frame)
        guard let date = d.asDate, let p = run.periodIndexes[source]?.covering(g, date).first else {
          out.counts.skippedRows += 1
          return
        }
        period = p
        keys.append(.string(p.id))
      }
      var values: [Value] = []
      for a in arguments {
        if let a { values.append(try a(&frame)) } else { values.append(.null) }
      }
      // New sums first (a row whose value is an error changes nothing), then the group in
      // place: copying it out and back copied its list of lines on every row, quadratic in
      // the group's size.
      var acc = groups[keys]?.acc ?? Array(repeating: Accumulator(), count: spec.compute.count)
      for (i, c) in spec.compute.enumerated() {
        try accumulate(&acc[i], c, values[i])
      }
      let evidence = EvidenceRow(table: table, file: "", line: row.line, entryID: row.entryID)
      AggregateCheck.add(
        to: &groups[
          keys,
          default: Group(keys: keys, acc: [], first: (row.line, gate.date(of: row)), period: period)
        ], acc, line: row.line, evidence, limit: run.options.evidenceLimit)
    } catch {
      out.error(error, table: table, row: row, date: gate.date(of: row))
    }
  }

  private static func add(
    to group: inout Group, _ acc: [Accumulator], line: Int, _ evidence: EvidenceRow, limit: Int
  ) {
    group.acc = acc
    group.count += 1
    group.lines.append(line)
    if group.rows.count < limit { group.rows.append(evidence) }
  }

  private func accumulate(_ a: inout Accumulator, _ c: AggregateCheckSpec.Computed, _ v: Value)
    throws(EvaluationError)
  {
    if c.function == .count {
      if c.argument == nil || !v.isNull { a.n += 1 }
      return
    }
    let node = c.argument ?? spec.assertion
    if v.isNull {
      throw EvaluationError(
        .nullOperand, "\(c.function.rawValue)(\(node.text)) of a null value", at: node)
    }
    a.n += 1
    switch c.function {
    case .sum, .avg:
      guard let d = v.asDecimal else {
        throw EvaluationError(.unexpectedType, "\(c.function.rawValue) of \(v.literal)", at: node)
      }
      do throws(ExactDecimal.ArithmeticError) { a.sum = try a.sum.adding(d) } catch {
        throw EvaluationError(.arithmeticOverflow, "\(error)", at: node)
      }
    case .min, .max:
      if a.best.isNull {
        a.best = v
      } else if let cmp = ValueOps.compare(v, a.best), (c.function == .min) == (cmp < 0), cmp != 0 {
        a.best = v
      }
    case .count: break
    }
  }

  private func result(_ a: Accumulator, _ c: AggregateCheckSpec.Computed) -> Value {
    switch c.function {
    case .count: return .integer(Int64(a.n))
    case .sum: return .decimal(a.sum)
    case .min, .max: return a.best
    case .avg:
      guard a.n > 0, let q = try? a.sum.divided(by: ExactDecimal(a.n)) else { return .null }
      return .decimal(q)
    }
  }

  func finish(_ run: any FinishContext, out: RuleOutput) {
    let ordered = groups.values.sorted { $0.first.0 < $1.first.0 }
    for g in ordered {
      out.counts.evaluated += 1
      var frame = Frame()
      frame.group = Array(g.keys.prefix(spec.groupBy.count))
      frame.group += zip(g.acc, spec.compute).map { result($0, $1) }
      if let p = g.period { frame.group += [.date(p.start), .date(p.end)] }
      let label =
        zip(spec.groupBy.map(\.name), g.keys).map { "\($0) \(Messages.show($1))" }
        + (g.period.map { ["period \($0.id)"] } ?? [])
      do throws(EvaluationError) {
        switch try assertion(&frame) {
        case .bool(true): continue
        case .bool(false):
          for l in g.lines { out.markFailing(spec.table, l) }
          let computed = zip(spec.compute, frame.group.dropFirst(spec.groupBy.count))
            .map { "\($0.name) = \(Messages.show($1))" }.joined(separator: ", ")
          let message = Messages.message(instance, frame, run: self.run) {
            "group \(label.joined(separator: ", ")): \(Messages.explainFalse(spec.assertion, frame, run: self.run)) [\(computed)]"
          }
          out.add(
            Finding(
              ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail, message: message,
              location: spec.assertion.span, evidence: g.rows, evidenceTotal: g.count,
              date: g.period?.end ?? g.first.1, discriminator: label.joined(separator: "|")))
        case let v:
          throw EvaluationError(
            code: v.isNull ? .nullOperand : .unexpectedType,
            message: "the assertion is \(v.literal) for group \(label.joined(separator: ", "))",
            span: spec.assertion.span, expression: spec.assertion.text)
        }
      } catch {
        out.add(
          Finding(
            ruleID: instance.id, clauseIDs: [], severity: nil, status: .error, code: error.code.id,
            message: "group \(label.joined(separator: ", ")): \(error.message)",
            location: error.span,
            evidence: g.rows, evidenceTotal: g.count, date: g.first.1,
            discriminator: label.joined(separator: "|")))
      }
    }
  }
}

extension AggregateCheck {
  /// Per site and period, shipped copper does not exceed received copper.
  static let examples: [CheckExample] = {
    let b = ExprBuilder(schema: ExampleLedger.schema, table: "shipments")
    let periods = PeriodSource(
      table: "periods", group: b.index("site", in: "periods"),
      id: b.index("period_id", in: "periods"),
      start: b.index("start", in: "periods"), end: b.index("end", in: "periods"))
    let spec = CheckSpec.aggregate(
      AggregateCheckSpec(
        table: "shipments", filter: nil, groupBy: [(name: "site", expr: b.col("site"))],
        periods: periods, periodGroup: b.col("site"), periodDate: b.col("date"),
        compute: [
          .init(name: "shipped", function: .sum, argument: b.col("cu_t")),
          .init(name: "n", function: .count, argument: nil),
        ],
        assertion: b.bin(.lessOrEqual, b.group(1, "shipped"), b.num("100"))))
    let p: [[String: String]] = [
      ["period_id": "S1-2024", "site": "S1", "start": "2024-01-01", "end": "2024-12-31"],
      ["period_id": "S1-2025", "site": "S1", "start": "2025-01-01", "end": "2025-12-31"],
      ["period_id": "S2-2024", "site": "S2", "start": "2024-01-01", "end": "2024-12-31"],
    ]
    return [
      CheckExample(
        "at most 100 t shipped per site and period", check: spec,
        rows: [
          "periods": p,
          "shipments": [
            ["entry_id": "S1", "date": "2024-03-01", "site": "S1", "cu_t": "60"],
            ["entry_id": "S2", "date": "2024-12-31", "site": "S1", "cu_t": "50"],
            ["entry_id": "S3", "date": "2025-01-01", "site": "S1", "cu_t": "90"],
            ["entry_id": "S4", "date": "2024-05-01", "site": "S2", "cu_t": "100"],
          ],
        ], expect: .fail, rows: ["S1", "S2"]),
      CheckExample(
        "a null quantity is an error for its row", check: spec,
        rows: [
          "periods": p,
          "shipments": [["entry_id": "S1", "date": "2024-03-01", "site": "S1"]],
        ], expect: .error, rows: ["S1"]),
    ]
  }()
}
