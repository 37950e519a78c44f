import CustodyLanguage
import CustodyLedger
import CustodyValues

/// `kind: unique`: key values unique within a table, or across several tables.
///
/// Each source row that passes its `where:` gives a key (a list of expression values). Two or
/// more rows with the same key, in one table or across the `across:` tables, are one `fail`
/// finding for that key citing every row (capped at the evidence limit). Rows whose key has a
/// null are ignored: a missing key is a `row` rule's business.
///
/// ```yaml
/// check:
///   kind: unique
///   table: receipts
///   key: [document_id]
/// ```
final class UniqueCheck: CheckRunner {
  struct Seen {
    var rows: [EvidenceRow]
    var count: Int
    var date: CivilDate?
    var lines: [(String, Int)]
  }
  let spec: UniqueCheckSpec
  let instance: RuleInstance
  let run: RunContext
  var gates: [String: [(RowGate, [Program], Int)]] = [:]
  var seen: [[Value]: Seen] = [:]
  var tables: [String] { Array(Set(spec.sources.map(\.table))).sorted() }

  init(_ spec: UniqueCheckSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    for (i, source) in spec.sources.enumerated() {
      let table = run.schema.table(source.table) ?? TableSchema(name: source.table, file: "", columns: [])
      let gate = RowGate(table: table, instance: instance, expressions: source.key, filter: source.filter, run: run)
      gates[source.table, default: []].append((gate, source.key.map(run.compiler.compile), i))
    }
  }

  func consume(table: String, row: LedgerRow, out: RuleOutput) {
    for (gate, key, _) in gates[table] ?? [] {
      var frame = Frame(row: row.values)
      guard gate.admitCounting(row, &frame, table: table, out: out) else { continue }
      var values: [Value] = []
      do {
        for k in key { values.append(LookupIndex.normalize(try k(&frame))) }
      } catch {
        out.error(error, table: table, row: row, date: gate.date(of: row))
        continue
      }
      if spec.ignoreNulls, values.contains(where: \.isNull) { continue }
      out.counts.evaluated += 1
      let evidence = EvidenceRow(
        table: table, file: "", line: row.line, entryID: row.entryID,
        column: spec.sources.first { $0.table == table }?.key.map(\.text).joined(separator: ", "),
        value: values.map(Messages.show).joined(separator: ", "))
      if var s = seen[values] {
        s.count += 1
        if s.rows.count < run.options.evidenceLimit { s.rows.append(evidence) }
        s.lines.append((table, row.line))
        seen[values] = s
      } else {
        seen[values] = Seen(rows: [evidence], count: 1, date: gate.date(of: row), lines: [(table, row.line)])
      }
    }
  }

  func finish(_ run: any FinishContext, out: RuleOutput) {
    let duplicates = seen.filter { $0.value.count > 1 }
    for (key, s) in duplicates.sorted(by: { a, b in
      let (x, y) = (a.value.rows[0], b.value.rows[0])
      return (x.table, x.line) < (y.table, y.line)
    }) {
      for (t, l) in s.lines { out.markFailing(t, l) }
      let shown = key.map(Messages.show).joined(separator: ", ")
      let where_ = s.rows.map { "\($0.table) \($0.key)" }.joined(separator: ", ")
      let message = instance.message.map {
        Messages.render($0, Frame(group: key), run: self.run)
      } ?? "key (\(shown)) appears \(s.count) times: \(where_)\(s.count > s.rows.count ? ", ..." : "")"
      out.add(
        Finding(
          ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail, message: message,
          location: spec.sources.first?.key.first?.span, evidence: s.rows, evidenceTotal: s.count,
          date: s.date, discriminator: shown))
    }
  }
}

extension UniqueCheck {
  /// One supplier document per receipt; entry ids unique across receipts and shipments.
  static let examples: [CheckExample] = {
    let r = ExprBuilder(schema: ExampleLedger.schema, table: "receipts")
    let s = ExprBuilder(schema: ExampleLedger.schema, table: "shipments")
    let documents = CheckSpec.unique(
      UniqueCheckSpec(sources: [.init(table: "receipts", filter: nil, key: [r.col("document_id")])]))
    let across = CheckSpec.unique(
      UniqueCheckSpec(sources: [
        .init(table: "receipts", filter: nil, key: [r.col("entry_id")]),
        .init(table: "shipments", filter: nil, key: [s.col("entry_id")]),
      ]))
    return [
      CheckExample(
        "a document on two receipts", check: documents,
        rows: [
          "receipts": [
            ["entry_id": "R1", "document_id": "D1"], ["entry_id": "R2", "document_id": "D2"],
            ["entry_id": "R3", "document_id": "D1"], ["entry_id": "R4"],
          ]
        ], expect: .fail, rows: ["R1", "R3"]),
      CheckExample(
        "distinct documents; a missing one is ignored", check: documents,
        rows: ["receipts": [["entry_id": "R1", "document_id": "D1"], ["entry_id": "R2"], ["entry_id": "R3"]]],
        expect: .pass),
      CheckExample(
        "an entry id used in two tables", check: across,
        rows: ["receipts": [["entry_id": "E1"], ["entry_id": "E2"]], "shipments": [["entry_id": "E2"]]],
        expect: .fail, rows: ["E2", "E2"]),
    ]
  }()
}
