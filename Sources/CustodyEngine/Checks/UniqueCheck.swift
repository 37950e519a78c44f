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
  /// A key's first row, kept compactly (40 bytes, was 56: one per distinct key of a large
  /// table); the evidence of later rows only once the key repeats.
  struct Group {
    var line: Int
    var entryID: String?
    /// The entry date's day number, `Int32.min` for none.
    var day: Int32
    var table: Int32
    /// Index into `repeats`, or -1 while the key has been seen once.
    var repeats: Int32
    var date: CivilDate? { day == .min ? nil : CivilDate(dayNumber: day) }
  }
  struct Repeats {
    var rows: [EvidenceRow]
    /// Every row with the key, the first included.
    var lines: [(String, Int)]
  }
  /// A class, so the per-row loop retains one reference instead of copying every field.
  final class Source {
    let gate: RowGate
    let key: [Program]
    let table: Int
    /// The key expressions' text (evidence column), from the first source on this table.
    let column: String?
    init(gate: RowGate, key: [Program], table: Int, column: String?) {
      (self.gate, self.key, self.table, self.column) = (gate, key, table, column)
    }
  }
  let spec: UniqueCheckSpec
  let instance: RuleInstance
  let run: RunContext
  // Touched by one lane at a time, never re-entrantly: `@exclusivity(unchecked)` drops the
  // run-time exclusivity check per row (part of ~4% of a 1M-row run).
  @exclusivity(unchecked) var gates: [String: [Source]] = [:]
  let tableNames: [String]
  // One-expression keys (the common case) hash the value itself, not a one-element array.
  /// The sources of the table streamed last (rows come table by table: a string compare per
  /// row instead of a hashed lookup).
  @exclusivity(unchecked) private var lastTable = ""
  @exclusivity(unchecked) private var lastSources: [Source] = []
  @exclusivity(unchecked) var single = ValueIndex()
  @exclusivity(unchecked) var multi: [[Value]: Int] = [:]
  @exclusivity(unchecked) var groups: [Group] = []
  @exclusivity(unchecked) var repeats: [Repeats] = []
  var tables: [String] { Array(Set(spec.sources.map(\.table))).sorted() }

  init(_ spec: UniqueCheckSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    var names: [String] = []
    for source in spec.sources where !names.contains(source.table) { names.append(source.table) }
    self.tableNames = names
    for source in spec.sources {
      let table =
        run.schema.table(source.table) ?? TableSchema(name: source.table, file: "", columns: [])
      let gate = RowGate(
        table: table, instance: instance, expressions: source.key, filter: source.filter, run: run)
      gates[source.table, default: []].append(
        Source(
          gate: gate, key: source.key.map(run.compiler.compile),
          table: names.firstIndex(of: source.table) ?? 0,
          column: spec.sources.first { $0.table == source.table }?.key.map(\.text).joined(
            separator: ", ")))
    }
  }

  func consume(table: String, row: LedgerRow, out: RuleOutput) {
    if table != lastTable { (lastTable, lastSources) = (table, gates[table] ?? []) }
    let sources = lastSources
    for source in sources {
      var frame = Frame(row: row.values)
      guard source.gate.admitCounting(row, &frame, table: table, out: out) else { continue }
      let next = groups.count
      var index = next
      if source.key.count == 1 {
        let value: Value
        do {
          value = LookupIndex.normalize(try source.key[0](&frame))
        } catch {
          out.error(error, table: table, row: row, date: source.gate.date(of: row))
          continue
        }
        if spec.ignoreNulls, value.isNull { continue }
        out.counts.evaluated += 1
        index = single.findOrInsert(value, next).value
        if index != next { repeated(index, [value], source, table, row) }
      } else {
        var values: [Value] = []
        do {
          for k in source.key { values.append(LookupIndex.normalize(try k(&frame))) }
        } catch {
          out.error(error, table: table, row: row, date: source.gate.date(of: row))
          continue
        }
        if spec.ignoreNulls, values.contains(where: \.isNull) { continue }
        out.counts.evaluated += 1
        index = UniqueCheck.slot(&multi[values, default: next])
        if index != next { repeated(index, values, source, table, row) }
      }
      if index == next {
        groups.append(
          Group(
            line: row.line, entryID: row.entryID,
            day: source.gate.date(of: row)?.dayNumber ?? .min,
            table: Int32(truncatingIfNeeded: source.table),
            repeats: -1))
      }
    }
  }

  /// Reads a dictionary slot through its inserting accessor: one hash for find-or-insert.
  @inline(__always) private static func slot(_ value: inout Int) -> Int { value }

  private func evidence(
    _ table: String, _ line: Int, _ entryID: String?, _ column: String?, _ key: [Value]
  )
    -> EvidenceRow
  {
    EvidenceRow(
      table: table, file: "", line: line, entryID: entryID, column: column,
      value: key.map(Messages.show).joined(separator: ", "))
  }

  /// A later row with a key already seen: the key's evidence is materialized on first repeat.
  private func repeated(
    _ index: Int, _ values: [Value], _ source: Source, _ table: String, _ row: LedgerRow
  ) {
    var g = groups[index]
    if g.repeats < 0 {
      let first = tableNames[Int(g.table)]
      // The first row's key is the dictionary's stored key, equal to this one.
      let firstKey = storedKey(values)
      g.repeats = Int32(repeats.count)
      repeats.append(
        Repeats(
          rows: [evidence(first, g.line, g.entryID, gates[first]?.first?.column ?? nil, firstKey)],
          lines: [(first, g.line)]))
    }
    let r = Int(g.repeats)
    if repeats[r].rows.count < run.options.evidenceLimit {
      repeats[r].rows.append(evidence(table, row.line, row.entryID, source.column, values))
    }
    repeats[r].lines.append((table, row.line))
    groups[index] = g
  }

  private func storedKey(_ values: [Value]) -> [Value] {
    if values.count == 1, let key = single.storedKey(values[0]) { return [key] }
    if let i = multi.index(forKey: values) { return multi[i].key }
    return values
  }

  func finish(_ run: any FinishContext, out: RuleOutput) {
    var duplicates: [([Value], Group)] = []
    for (key, i) in zip(single.keys, single.values) where groups[i].repeats >= 0 {
      duplicates.append(([key], groups[i]))
    }
    for (key, i) in multi where groups[i].repeats >= 0 { duplicates.append((key, groups[i])) }
    for (key, g) in duplicates.sorted(by: { a, b in
      (tableNames[Int(a.1.table)], a.1.line) < (tableNames[Int(b.1.table)], b.1.line)
    }) {
      let s = repeats[Int(g.repeats)]
      let count = s.lines.count
      for (t, l) in s.lines { out.markFailing(t, l) }
      let shown = key.map(Messages.show).joined(separator: ", ")
      let where_ = s.rows.map { "\($0.table) \($0.key)" }.joined(separator: ", ")
      let message =
        instance.message.map {
          Messages.render($0, Frame(group: key), run: self.run)
        }
        ?? "key (\(shown)) appears \(count) times: \(where_)\(count > s.rows.count ? ", ..." : "")"
      out.add(
        Finding(
          ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail, message: message,
          location: spec.sources.first?.key.first?.span, evidence: s.rows, evidenceTotal: count,
          date: g.date, discriminator: shown))
    }
  }
}

extension UniqueCheck {
  /// One supplier document per receipt; entry ids unique across receipts and shipments.
  static let examples: [CheckExample] = {
    let r = ExprBuilder(schema: ExampleLedger.schema, table: "receipts")
    let s = ExprBuilder(schema: ExampleLedger.schema, table: "shipments")
    let documents = CheckSpec.unique(
      UniqueCheckSpec(sources: [.init(table: "receipts", filter: nil, key: [r.col("document_id")])])
    )
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
        rows: [
          "receipts": [
            ["entry_id": "R1", "document_id": "D1"], ["entry_id": "R2"], ["entry_id": "R3"],
          ]
        ],
        expect: .pass),
      CheckExample(
        "an entry id used in two tables", check: across,
        rows: [
          "receipts": [["entry_id": "E1"], ["entry_id": "E2"]], "shipments": [["entry_id": "E2"]],
        ],
        expect: .fail, rows: ["E2", "E2"]),
    ]
  }()
}
