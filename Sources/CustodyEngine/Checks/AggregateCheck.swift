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
/// `also:` lists more sources for the same groups: another table (or the same one with another
/// filter) grouped by the same `group_by` and `per_period` expressions compiled on it, with
/// aggregations of its own; a group may hold rows of any source, and a source with no row in
/// a group sums to zero there. The assertion reads every source's computed names.
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
    /// The group's rows as (source index, line): `also:` sources may read other tables. (An
    /// index, not the table's name: no reference to count per row.)
    var lines: [(source: Int32, line: Int)] = []
    var count = 0
    /// The group's earliest row, as (source index, line): an order that does not depend on
    /// the order tables are streamed in.
    var first: (source: Int, line: Int, date: CivilDate?)
    var period: PeriodIndex.Period?
  }
  struct Accumulator {
    var sum: ExactDecimal = .zero
    var best: Value = .null
    var n = 0
  }
  /// One table feeding the groups: the main `table:` (index 0) or an `also:` source.
  final class Source {
    let index: Int
    let table: String
    let gate: RowGate
    let groupBy: [Program]
    let arguments: [Program?]
    let compute: [AggregateCheckSpec.Computed]
    /// `compute`'s functions and whether each counts rows (`count()`), read per row: copying a
    /// `Computed` per row retained and released its expression tree (a tenth of a 1M-row run).
    let functions: [AggregateFunction]
    let countsRows: [Bool]
    /// Where this source's aggregations start in a group's accumulators.
    let offset: Int
    let periodGroup: Program?
    let periodDate: Program?
    /// Per-row scratch, reused so that a row allocates nothing: the group keys being looked
    /// up, and this source's accumulators as the row would leave them. A check runs in one
    /// lane, so one row at a time touches them.
    @exclusivity(unchecked) var keys: [Value] = []
    @exclusivity(unchecked) var updated: [Accumulator]

    init(
      index: Int, table: String, filter: ExprNode?, groupBy: [ExprNode],
      periodGroup: ExprNode?, periodDate: ExprNode?, compute: [AggregateCheckSpec.Computed],
      offset: Int, instance: RuleInstance, run: RunContext
    ) {
      self.index = index
      self.table = table
      let schema = run.schema.table(table) ?? TableSchema(name: table, file: "", columns: [])
      gate = RowGate(
        table: schema, instance: instance,
        expressions: groupBy + compute.map(\.argument) + [periodGroup, periodDate],
        filter: filter, run: run)
      self.groupBy = groupBy.map { run.compiler.compile($0) }
      arguments = compute.map { $0.argument.map(run.compiler.compile) }
      self.compute = compute
      functions = compute.map(\.function)
      countsRows = compute.map { $0.argument == nil }
      self.offset = offset
      self.periodGroup = periodGroup.map(run.compiler.compile)
      self.periodDate = periodDate.map(run.compiler.compile)
      updated = Array(repeating: Accumulator(), count: compute.count)
    }
  }
  let spec: AggregateCheckSpec
  let instance: RuleInstance
  let run: RunContext
  let sources: [Source]
  let bySource: [String: [Source]]
  /// Every aggregation, the main table's then each `also:` source's, in group-field order.
  let allCompute: [AggregateCheckSpec.Computed]
  let assertion: Program
  /// `per_period:`'s periods, resolved once (not a dictionary lookup per row).
  let periodIndex: PeriodIndex?
  /// Group keys -> index in `groups`; groups in order of creation, changed in place.
  @exclusivity(unchecked) var groupIndex: [[Value]: Int] = [:]
  @exclusivity(unchecked) var groups: [Group] = []
  @exclusivity(unchecked) private var last = LastTableSources<Source>()
  var tables: [String] { Array(bySource.keys).sorted() }

  init(_ spec: AggregateCheckSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    var sources = [
      Source(
        index: 0, table: spec.table, filter: spec.filter, groupBy: spec.groupBy.map(\.expr),
        periodGroup: spec.periodGroup, periodDate: spec.periodDate, compute: spec.compute,
        offset: 0, instance: instance, run: run)
    ]
    var offset = spec.compute.count
    for (i, a) in spec.also.enumerated() {
      sources.append(
        Source(
          index: i + 1, table: a.table, filter: a.filter, groupBy: a.groupBy,
          periodGroup: a.periodGroup, periodDate: a.periodDate, compute: a.compute,
          offset: offset, instance: instance, run: run))
      offset += a.compute.count
    }
    self.sources = sources
    self.bySource = Dictionary(grouping: sources, by: \.table)
    self.allCompute = spec.compute + spec.also.flatMap(\.compute)
    self.assertion = run.compiler.compile(spec.assertion)
    periodIndex = spec.periods.flatMap { run.periodIndexes[$0] }
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    last.forEach(table, { bySource[$0] }) { source in
      consume(source, row: row, frame: &frame, out: out)
    }
  }

  private func consume(_ source: Source, row: RowRef, frame: inout Frame, out: RuleOutput) {
    let table = source.table
    guard source.gate.admitCounting(row, &frame, table: table, out: out) else { return }
    do throws(EvaluationError) {
      source.keys.removeAll(keepingCapacity: true)
      for g in source.groupBy { source.keys.append(LookupIndex.normalize(try g(&frame))) }
      var period: PeriodIndex.Period?
      if spec.periods != nil, let pg = source.periodGroup, let pd = source.periodDate {
        let g = try pg(&frame)
        let d = try pd(&frame)
        guard let date = d.asDate, let p = periodIndex?.firstCovering(g, date) else {
          out.counts.skippedRows += 1
          return
        }
        period = p
        source.keys.append(.string(p.id))
      }
      // This source's new sums first, from the group's current ones (a row whose value is an
      // error changes nothing), then written into the group in place. Nothing is allocated or
      // copied per row (copying the group's accumulators and lines once made every row
      // allocate, and a 1M-row aggregate a third of a run).
      let index = groupIndex[source.keys]
      for i in source.arguments.indices {
        var v = Value.null
        if let argument = source.arguments[i] { v = try argument(&frame) }
        var a = index.map { groups[$0].acc[source.offset + i] } ?? Accumulator()
        try accumulate(&a, source, i, v)
        source.updated[i] = a
      }
      let slot: Int
      if let index {
        slot = index
      } else {
        slot = groups.count
        groupIndex[source.keys] = slot
        groups.append(
          Group(
            keys: source.keys, acc: Array(repeating: Accumulator(), count: allCompute.count),
            first: (source.index, row.line, source.gate.date(of: row)), period: period))
      }
      AggregateCheck.add(
        to: &groups[slot], source: source, row: row, limit: run.options.evidenceLimit)
    } catch {
      out.error(error, table: table, row: row, date: source.gate.date(of: row))
    }
  }

  private static func add(to group: inout Group, source: Source, row: RowRef, limit: Int) {
    for (i, a) in source.updated.enumerated() { group.acc[source.offset + i] = a }
    group.count += 1
    group.lines.append((Int32(source.index), row.line))
    if (source.index, row.line) < (group.first.source, group.first.line) {
      group.first = (source.index, row.line, source.gate.date(of: row))
    }
    if group.rows.count < limit {
      group.rows.append(
        EvidenceRow(table: source.table, file: "", line: row.line, entryID: row.entryID))
    }
  }

  /// Adds `v` to `a` for aggregation `i` of `source`.
  private func accumulate(_ a: inout Accumulator, _ source: Source, _ i: Int, _ v: Value)
    throws(EvaluationError)
  {
    let function = source.functions[i]
    if function == .count {
      if source.countsRows[i] || !v.isNull { a.n += 1 }
      return
    }
    // The expression is looked up only to name it in an error.
    func node() -> ExprNode { source.compute[i].argument ?? spec.assertion }
    if v.isNull {
      let node = node()
      throw EvaluationError(
        .nullOperand, "\(function.rawValue)(\(node.text)) of a null value", at: node)
    }
    a.n += 1
    switch function {
    case .sum, .avg:
      guard let d = v.asDecimal else {
        throw EvaluationError(.unexpectedType, "\(function.rawValue) of \(v.literal)", at: node())
      }
      do throws(ExactDecimal.ArithmeticError) { a.sum = try a.sum.adding(d) } catch {
        throw EvaluationError(.arithmeticOverflow, "\(error)", at: node())
      }
    case .min, .max:
      if a.best.isNull {
        a.best = v
      } else if let cmp = ValueOps.compare(v, a.best), (function == .min) == (cmp < 0), cmp != 0 {
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
    let ordered = groups.sorted {
      ($0.first.source, $0.first.line) < ($1.first.source, $1.first.line)
    }
    for var g in ordered {
      out.counts.evaluated += 1
      // Evidence in a fixed order (table, entry id, line), whatever order the rows came in: a
      // finding's id hashes its evidence. (Past the evidence cap, which rows are kept still
      // follows the row order.)
      g.rows.sort { ($0.table, $0.entryID ?? "", $0.line) < ($1.table, $1.entryID ?? "", $1.line) }
      var frame = Frame()
      frame.group = Array(g.keys.prefix(spec.groupBy.count))
      frame.group += zip(g.acc, allCompute).map { result($0, $1) }
      if let p = g.period { frame.group += [.date(p.start), .date(p.end)] }
      let label =
        zip(spec.groupBy.map(\.name), g.keys).map { "\($0) \(Messages.show($1))" }
        + (g.period.map { ["period \($0.id)"] } ?? [])
      do throws(EvaluationError) {
        switch try assertion(&frame) {
        case .bool(true): continue
        case .bool(false):
          for l in g.lines { out.markFailing(sources[Int(l.source)].table, l.line) }
          let computed = zip(allCompute, frame.group.dropFirst(spec.groupBy.count))
            .map { "\($0.name) = \(Messages.show($1))" }.joined(separator: ", ")
          let message = Messages.message(instance, frame, run: self.run) {
            "group \(label.joined(separator: ", ")): \(Messages.explainFalse(spec.assertion, frame, run: self.run)) [\(computed)]"
          }
          out.add(
            Finding(
              ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail, message: message,
              location: spec.assertion.span, evidence: g.rows, evidenceTotal: g.count,
              date: g.period?.end ?? g.first.date, discriminator: label.joined(separator: "|")))
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
            evidence: g.rows, evidenceTotal: g.count, date: g.first.date,
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
    // Shipped copper at most received copper per site and period: the receipts feed the
    // shipments' groups through `also:`.
    let r = ExprBuilder(schema: ExampleLedger.schema, table: "receipts")
    let balance = CheckSpec.aggregate(
      AggregateCheckSpec(
        table: "shipments", filter: nil, groupBy: [(name: "site", expr: b.col("site"))],
        periods: periods, periodGroup: b.col("site"), periodDate: b.col("date"),
        compute: [.init(name: "shipped", function: .sum, argument: b.col("cu_t"))],
        assertion: b.bin(.lessOrEqual, b.group(1, "shipped"), b.group(2, "received")),
        also: [
          .init(
            table: "receipts", filter: nil, groupBy: [r.col("site")], periodGroup: r.col("site"),
            periodDate: r.col("date"),
            compute: [.init(name: "received", function: .sum, argument: r.col("cu_t"))])
        ]))
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
        "shipped within received per site and period (also: receipts)", check: balance,
        rows: [
          "periods": p,
          "shipments": [
            ["entry_id": "S1", "date": "2024-03-01", "site": "S1", "cu_t": "60"],
            ["entry_id": "S2", "date": "2024-05-01", "site": "S2", "cu_t": "10"],
            ["entry_id": "S3", "date": "2025-02-01", "site": "S1", "cu_t": "30"],
          ],
          "receipts": [
            ["entry_id": "R1", "date": "2024-01-05", "site": "S1", "cu_t": "50"],
            ["entry_id": "R2", "date": "2024-04-01", "site": "S2", "cu_t": "10"],
            ["entry_id": "R3", "date": "2025-01-05", "site": "S1", "cu_t": "40"],
          ],
        ], expect: .fail, rows: ["S1", "R1"]),
      CheckExample(
        "a null quantity is an error for its row", check: spec,
        rows: [
          "periods": p,
          "shipments": [["entry_id": "S1", "date": "2024-03-01", "site": "S1"]],
        ], expect: .error, rows: ["S1"]),
    ]
  }()
}
