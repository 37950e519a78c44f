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
  /// A key's first row, kept compactly (24 bytes, was 56: one per distinct key of a large
  /// table); the evidence of later rows only once the key repeats.
  struct Group {
    var line: Int
    /// The entry date's day number, `Int32.min` for none.
    var day: Int32
    var table: Int32
    /// Index into `repeats`, or -1 while the key has been seen once.
    var repeats: Int32
    /// Index into `entryIDs`, or -1 when the entry id is the key itself (`key: [entry_id]`).
    var entry: Int32
    var date: CivilDate? { day == .min ? nil : CivilDate(dayNumber: day) }
    /// Stored by `ValueMap.entry` for a new key until `first` fills it in.
    static let unset = Group(line: 0, day: .min, table: 0, repeats: -1, entry: -1)
  }
  /// Every row with a repeated key, the first included: the evidence and the kept row are
  /// chosen from all of them at the finish (by date, entry id, line), never by file order.
  struct Repeats {
    var members: [Member]
  }
  struct Member {
    var table: Int32
    var line: Int
    /// The entry date's day number, `Int32.min` for none.
    var day: Int32
    var entryID: String?
    /// The key as this row spells it (equal, perhaps not byte for byte, to the others').
    var key: [Value]
    /// The order rows are judged in: date (undated last), entry id, table, line.
    static func before(_ a: Member, _ b: Member) -> Bool {
      if a.day != b.day { return a.day == .min ? false : (b.day == .min ? true : a.day < b.day) }
      if a.entryID != b.entryID { return (a.entryID ?? "") < (b.entryID ?? "") }
      if a.table != b.table { return a.table < b.table }
      return a.line < b.line
    }
  }
  /// A key seen on more than one row, with its first row and every row's evidence.
  struct Duplicate {
    var key: [Value]
    var group: Group
    var repeats: Repeats
  }
  /// A class, so the per-row loop retains one reference instead of copying every field.
  final class Source {
    let gate: RowGate
    let key: [Program]
    let key0: Program
    let table: Int
    /// The key expressions' text (evidence column), from the first source on this table.
    let column: String?
    /// The key is the table's string entry-id column, so a row's entry id is its key.
    let keyIsEntryID: Bool
    init(gate: RowGate, key: [Program], table: Int, column: String?, keyIsEntryID: Bool) {
      (self.gate, self.key, self.table, self.column) = (gate, key, table, column)
      self.key0 = key.first ?? ConstantProgram(.null)
      self.keyIsEntryID = keyIsEntryID
    }
  }
  let spec: UniqueCheckSpec
  let instance: RuleInstance
  let run: RunContext
  // Touched by one lane at a time, never re-entrantly: `@exclusivity(unchecked)` drops the
  // run-time exclusivity check per row (part of ~4% of a 1M-row run).
  @exclusivity(unchecked) var gates: [String: [Source]] = [:]
  let tableNames: [String]
  /// `EngineOptions.spillThreshold`, held apart: reading it through `run.options` copied the
  /// options (and retained their strings) on every new key.
  let threshold: Int
  @exclusivity(unchecked) private var last = LastTableSources<Source>()
  /// One-expression keys (the common case: the value itself, not a one-element array) with
  /// their group as payload; longer keys index `multiGroups`.
  @exclusivity(unchecked) var single = ValueMap<Group>()
  @exclusivity(unchecked) var multi: [[Value]: Int] = [:]
  @exclusivity(unchecked) var multiGroups: [Group] = []
  @exclusivity(unchecked) var repeats: [Repeats] = []
  /// First rows' entry ids where they are not the key.
  @exclusivity(unchecked) var entryIDs: [String?] = []
  /// Sorted runs of keys written out once the tables reach `EngineOptions.spillThreshold`
  /// (see UniqueCheck+Spill.swift); nil while everything fits in memory.
  @exclusivity(unchecked) var spill: SpillFile?
  /// Why spilling stopped (the keys are then kept in memory), reported with the rule.
  @exclusivity(unchecked) var spillFailure: String?
  /// Every spilled run held ascending keys, each run above the last: no key can repeat.
  @exclusivity(unchecked) var spilledAscending = true
  var tables: [String] { Array(Set(spec.sources.map(\.table))).sorted() }

  init(_ spec: UniqueCheckSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    var names: [String] = []
    for source in spec.sources where !names.contains(source.table) { names.append(source.table) }
    self.tableNames = names
    self.threshold = run.options.spillThreshold
    for source in spec.sources {
      let table =
        run.schema.table(source.table) ?? TableSchema(name: source.table, file: "", columns: [])
      let gate = RowGate(
        table: table, instance: instance, expressions: source.key, filter: source.filter, run: run)
      var keyIsEntryID = false
      if source.key.count == 1, case .field(.row, let c, _) = source.key[0].kind,
        let id = table.entryID, table.columnIndex(id) == c, case .string = table.columns[c].type
      {
        keyIsEntryID = true
      }
      gates[source.table, default: []].append(
        Source(
          gate: gate, key: source.key.map(run.compiler.compile),
          table: names.firstIndex(of: source.table) ?? 0,
          column: spec.sources.first { $0.table == source.table }?.key.map(\.text).joined(
            separator: ", "), keyIsEntryID: keyIsEntryID))
    }
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    last.forEach(table, { gates[$0] }) { source in
      consume(source, table: table, row: row, frame: &frame, out: out)
    }
  }

  private func consume(
    _ source: Source, table: String, row: RowRef, frame: inout Frame, out: RuleOutput
  ) {
    guard source.gate.admitCounting(row, &frame, table: table, out: out) else { return }
    if source.key.count == 1 {
      let value: Value
      do {
        value = LookupIndex.normalize(try source.key0(&frame))
      } catch {
        out.error(error, table: table, row: row, date: source.gate.date(of: row))
        return
      }
      if spec.ignoreNulls, value.isNull { return }
      out.counts.evaluated += 1
      let (e, inserted) = single.entry(value, inserting: Group.unset)
      if !inserted {
        single[entry: e] = repeated(
          single[entry: e], firstKey: [single.keys[e]], [value], source, table, row)
      } else {
        single[entry: e] = first(source, row)
        if e + 1 >= threshold { spillRun() }  // `e` is the new key's index: the count less one
      }
    } else {
      var values: [Value] = []
      do {
        for k in source.key { values.append(LookupIndex.normalize(try k(&frame))) }
      } catch {
        out.error(error, table: table, row: row, date: source.gate.date(of: row))
        return
      }
      if spec.ignoreNulls, values.contains(where: \.isNull) { return }
      out.counts.evaluated += 1
      let next = multiGroups.count
      let i = UniqueCheck.slot(&multi[values, default: next])
      if i == next {
        multiGroups.append(first(source, row))
        if multiGroups.count >= threshold { spillRun() }
      } else {
        let stored = multi.index(forKey: values).map { multi[$0].key } ?? values
        multiGroups[i] = repeated(multiGroups[i], firstKey: stored, values, source, table, row)
      }
    }
  }

  /// The group of a key's first row.
  func first(_ source: Source, _ row: RowRef) -> Group {
    var entry: Int32 = -1
    if !source.keyIsEntryID {
      entry = Int32(truncatingIfNeeded: entryIDs.count)
      entryIDs.append(row.entryID)
    }
    return Group(
      line: row.line, day: source.gate.date(of: row)?.dayNumber ?? .min,
      table: Int32(truncatingIfNeeded: source.table), repeats: -1, entry: entry)
  }

  /// Reads a dictionary slot through its inserting accessor: one hash for find-or-insert.
  @inline(__always) private static func slot(_ value: inout Int) -> Int { value }

  func evidence(
    _ table: String, _ line: Int, _ entryID: String?, _ column: String?, _ key: [Value]
  )
    -> EvidenceRow
  {
    EvidenceRow(
      table: table, file: "", line: line, entryID: entryID, column: column,
      value: key.map(Messages.show).joined(separator: ", "))
  }

  /// A later row with a key already seen: the key's evidence is materialized on first repeat.
  /// `firstKey` is the stored key (equal to `values`, as the first row spelt it).
  private func repeated(
    _ group: Group, firstKey: [Value], _ values: [Value], _ source: Source, _ table: String,
    _ row: RowRef
  ) -> Group {
    var g = group
    if g.repeats < 0 {
      let entryID = g.entry >= 0 ? entryIDs[Int(g.entry)] : firstKey.first?.asString
      g.repeats = Int32(repeats.count)
      repeats.append(
        Repeats(members: [
          Member(table: g.table, line: g.line, day: g.day, entryID: entryID, key: firstKey)
        ]))
    }
    repeats[Int(g.repeats)].members.append(
      Member(
        table: Int32(truncatingIfNeeded: source.table), line: row.line,
        day: source.gate.date(of: row)?.dayNumber ?? .min, entryID: row.entryID, key: values))
    return g
  }

  func finish(_ run: any FinishContext, out: RuleOutput) {
    var duplicates: [Duplicate] = []
    if spill != nil {
      do throws(SpillError) {
        duplicates = try mergedDuplicates()
        spill = nil  // closes the file: its disk space is freed now, not at the end of the run
      } catch {
        out.forcedStatus = .error
        out.firstError = "cannot read this check's keys back from disk (\(error))"
        return
      }
    } else {
      for (key, g) in zip(single.keys, single.values) where g.repeats >= 0 {
        duplicates.append(Duplicate(key: [key], group: g, repeats: repeats[Int(g.repeats)]))
      }
      for (key, i) in multi where multiGroups[i].repeats >= 0 {
        let g = multiGroups[i]
        duplicates.append(Duplicate(key: key, group: g, repeats: repeats[Int(g.repeats)]))
      }
    }
    if let spillFailure { out.notes.append(spillFailure) }
    var found: [(first: Member, finding: () -> Finding)] = []
    for d in duplicates {
      let (key, s) = (d.key, d.repeats)
      let members = s.members.sorted(by: Member.before)
      guard let first = members.first else { continue }
      // `keep: first`: the earliest row keeps the key and passes; only the later rows fail.
      let failing = spec.keep == .first ? members.dropFirst() : members[...]
      for m in failing { out.markFailing(tableNames[Int(m.table)], m.line) }
      let count = members.count
      let shown = key.map(Messages.show).joined(separator: ", ")
      let rows = members.prefix(self.run.options.evidenceLimit).map { m in
        let t = tableNames[Int(m.table)]
        return evidence(t, m.line, m.entryID, gates[t]?.first?.column ?? nil, m.key)
      }
      let where_ = rows.map { "\($0.table) \($0.key)" }.joined(separator: ", ")
      let kept =
        spec.keep == .first ? "; \(rows.first.map { "\($0.table) \($0.key)" } ?? "") keeps it" : ""
      found.append(
        (
          first,
          {
            let message =
              self.instance.message.map {
                Messages.render($0, Frame(group: key), run: self.run)
              }
              ?? "key (\(shown)) appears \(count) times: \(where_)\(count > rows.count ? ", ..." : "")\(kept)"
            return Finding(
              ruleID: self.instance.id, clauseIDs: [], severity: nil, status: .fail,
              message: message, location: self.spec.sources.first?.key.first?.span,
              evidence: rows, evidenceTotal: count,
              date: first.day == .min ? nil : CivilDate(dayNumber: first.day),
              discriminator: shown)
          }
        ))
    }
    found.sort { Member.before($0.first, $1.first) }
    for f in found {
      if out.keepsFindings { out.add(f.finding()) } else { out.count(.fail, message: "") }
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
