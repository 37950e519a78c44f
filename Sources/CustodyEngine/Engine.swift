import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import Dispatch

/// Evaluates a compiled standard against a ledger.
///
/// The plan: read the small tables that lookups, reference checks and periods need, and index
/// them; then stream every other table once, feeding each row to every check that reads it;
/// then finish the checks in the graph's dependency order (a rule whose `requires` did not
/// pass is `skipped`), map findings to clauses and grade the non-conformities.
///
/// ```swift
/// let engine = Engine(standard: compiled, options: EngineOptions(evidenceLimit: 20))
/// let result = try engine.evaluate(ledger: source)   // throws LedgerError only
/// ```
public final class Engine: Sendable {
  public let standard: CompiledStandard
  public let options: EngineOptions

  public init(standard: CompiledStandard, options: EngineOptions = EngineOptions()) {
    self.standard = standard
    self.options = options
  }

  /// Runs every rule instance once over the ledger. Throws only `LedgerError` (unreadable
  /// ledger); every problem in the data is a finding.
  public func evaluate(ledger: any LedgerSource) throws -> EvaluationResult {
    let instances = orderedInstances()
    let reads = instances.map(CheckReads.init)
    let schema = ledger.schema

    // 1. Reference tables, in memory and indexed.
    let indexedTables = reads.reduce(into: Set<String>()) { $0.formUnion($1.indexed) }.sorted()
    var stored: [String: [LedgerRow]] = [:]
    let lookups = Lookups()
    for table in indexedTables {
      guard let t = schema.table(table) else { continue }
      var rows: [LedgerRow] = []
      var filing = LookupIndex.Filing(table: t)
      try read(table, from: ledger) { row in
        filing.file(row)
        rows.append(row)
      }
      stored[table] = rows
      lookups.add(LookupIndex(filing, rows: rows))
    }
    let run = RunContext(schema: schema, lookups: lookups, options: options)
    for source in reads.flatMap(\.periodSources) where run.periodIndexes[source] == nil {
      run.periodIndexes[source] = PeriodIndex(source: source, rows: stored[source.table] ?? [])
    }

    // 2. Checks, compiled once each.
    var outputs: [String: RuleOutput] = [:]
    var runners: [(RuleInstance, any CheckRunner)] = []
    for instance in instances {
      outputs[instance.id] = RuleOutput(instance: instance, options: options)
      runners.append((instance, makeRunner(instance, run: run, stored: stored, schema: schema)))
    }

    // Mass-balance checks over books with the same sources collect their postings once.
    var collectors: [BookCollector.ShareKey: BookCollector] = [:]
    for (instance, runner) in runners {
      guard let check = runner as? MassBalanceCheck, let out = outputs[instance.id] else {
        continue
      }
      let key = BookCollector.ShareKey(check.spec.book)
      if let shared = collectors[key] {
        check.share(shared)
      } else {
        collectors[key] = check.collector
      }
      check.collector.outputs.append(out)
    }

    // 3. Stream each table once to every check that reads it.
    var interested: [String: [(any CheckRunner, RuleOutput)]] = [:]
    for (instance, runner) in runners {
      guard let out = outputs[instance.id] else { continue }
      for t in Set(runner.tables) { interested[t, default: []].append((runner, out)) }
    }
    let tableOrder = schema.tables.map(\.name).filter { interested[$0] != nil }
    // Checks that read only in-memory tables (a unique check over documents) run beside the
    // streaming on a thread of their own, table by table in the same order; the others see
    // the in-memory tables between the streamed ones, as on one thread.
    let side = DispatchGroup()
    defer { side.wait() }
    if options.threads > 1 {
      var jobs: [(table: String, rows: [LedgerRow], consumers: [Consumer])] = []
      for table in tableOrder {
        guard let rows = stored[table] else { continue }
        let alone = (interested[table] ?? []).filter { pair in
          pair.0.tables.allSatisfy { stored[$0] != nil }
        }
        guard !alone.isEmpty else { continue }
        jobs.append((table, rows, alone.map(Consumer.init)))
        let moved = Set(alone.map { ObjectIdentifier($0.0) })
        interested[table] = interested[table]?.filter { !moved.contains(ObjectIdentifier($0.0)) }
      }
      if !jobs.isEmpty {
        DispatchQueue(label: "custody.engine.beside").async(group: side) { [jobs] in
          for job in jobs {
            job.rows.withUnsafeBufferPointer {
              Consumer.consume(job.consumers, table: job.table, rows: $0)
            }
          }
        }
      }
    }
    // With more than one thread, consecutive streamed tables go through the same lanes; an
    // in-memory table between them waits for the lanes (its checks may read both).
    var streamed: [(table: String, consumers: [(any CheckRunner, RuleOutput)])] = []
    func stream() throws {
      guard !streamed.isEmpty else { return }
      try StreamLanes(tables: streamed, threads: options.threads).run(ledger)
      streamed = []
    }
    for table in tableOrder {
      let pairs = interested[table] ?? []
      guard !pairs.isEmpty else { continue }
      if stored[table] == nil, options.threads > 1 {
        streamed.append((table, pairs))
        continue
      }
      try stream()
      let consumers = pairs.map(Consumer.init)
      if let rows = stored[table] {
        rows.withUnsafeBufferPointer { Consumer.consume(consumers, table: table, rows: $0) }
      } else {
        try ledger.read(table: table) { row in
          Consumer.consume(consumers, table: table, row: row)
        }
      }
    }
    try stream()

    side.wait()

    // 4. Finish in dependency order.
    let finisher = Finisher(instances: instances, runners: runners, outputs: outputs)
    for instance in instances { finisher.finish(instance.id) }

    return Assembler(
      standard: standard, options: options, instances: instances, reads: reads,
      outputs: outputs, finisher: finisher, ledger: ledger
    ).assemble()
  }

  /// Reads `table` into `body`; with more than one thread the reading runs on a thread of its
  /// own a few batches ahead, so a reference table is indexed while it is read.
  private func read(
    _ table: String, from ledger: any LedgerSource, _ body: (consuming LedgerRow) -> Void
  ) throws {
    guard options.threads > 1 else { return try ledger.read(table: table) { body($0) } }
    let ahead = ReadAhead<[LedgerRow]>(label: "custody.engine.reference", capacity: 16) { put in
      try ledger.read(table, batchesOf: StreamLanes.batchSize, put)
    }
    defer { ahead.cancel() }
    while let batch = try ahead.next() {
      for row in batch { body(row) }
    }
  }

  /// Instances in `graph.order`, then any the order does not list (by id).
  func orderedInstances() -> [RuleInstance] {
    var byID: [String: RuleInstance] = [:]
    for r in standard.rules { byID[r.id] = r }
    var out = standard.graph.order.compactMap { byID[$0] }
    let listed = Set(out.map(\.id))
    out += standard.rules.filter { !listed.contains($0.id) }.sorted { $0.id < $1.id }
    return out
  }

  private func makeRunner(
    _ instance: RuleInstance, run: RunContext, stored: [String: [LedgerRow]], schema: LedgerSchema
  ) -> any CheckRunner {
    switch instance.check {
    case .row(let s): return RowCheck(s, instance: instance, run: run)
    case .unique(let s): return UniqueCheck(s, instance: instance, run: run)
    case .reference(let s):
      // On the target's own key, the lookup index built for `table[key]` is the same index
      // (a second one over a 700k-row documents table was 80 MB).
      let own = run.lookups[s.target]
      let shared = s.targetKey.isEmpty || own?.keyColumns == s.targetKey ? own : nil
      let index =
        shared
        ?? schema.table(s.target).map {
          LookupIndex(
            table: $0, rows: stored[s.target] ?? [],
            keyColumns: s.targetKey.isEmpty ? nil : s.targetKey)
        }
      return ReferenceCheck(s, instance: instance, run: run, index: index)
    case .aggregate(let s): return AggregateCheck(s, instance: instance, run: run)
    case .periodCoverage(let s): return PeriodCoverageCheck(s, instance: instance, run: run)
    case .massBalance(let s): return MassBalanceCheck(s, instance: instance, run: run)
    }
  }
}

/// Finishes checks in dependency order; a check asking for another's failing rows (for
/// `exclude_failing`) finishes that one first.
final class Finisher: FinishContext {
  let byID: [String: (RuleInstance, any CheckRunner)]
  let outputs: [String: RuleOutput]
  private(set) var status: [String: RuleResult.Status] = [:]
  private(set) var reasons: [String: String] = [:]
  private var inProgress: Set<String> = []

  init(
    instances: [RuleInstance], runners: [(RuleInstance, any CheckRunner)],
    outputs: [String: RuleOutput]
  ) {
    var map: [String: (RuleInstance, any CheckRunner)] = [:]
    for r in runners { map[r.0.id] = r }
    self.byID = map
    self.outputs = outputs
  }

  func finish(_ id: String) {
    guard status[id] == nil, !inProgress.contains(id), let (instance, runner) = byID[id],
      let out = outputs[id]
    else { return }
    inProgress.insert(id)
    defer { inProgress.remove(id) }
    for required in instance.requires { finish(required) }
    for prerequisite in instance.unlessFailing { finish(prerequisite) }
    let blocked = instance.requires.filter { r in
      guard let s = status[r] else { return false }
      return s == .fail || s == .error || s == .skipped
    }
    if !blocked.isEmpty {
      status[id] = .skipped
      reasons[id] = blocked.map { "requires \($0), which is \(status[$0]?.rawValue ?? "?")" }
        .joined(separator: "; ")
      return
    }
    runner.finish(self, out: out)
    suppress(instance, out)
    if out.unreadableCount > 0 {
      out.add(
        Finding(
          ruleID: id, clauseIDs: [], severity: nil, status: .skipped,
          code: DiagnosticCode.unreadableCellSkipped.id,
          message:
            "\(out.unreadableCount) row\(out.unreadableCount == 1 ? "" : "s") not judged: a cell this rule reads could not be read",
          location: instance.span, evidence: out.unreadable, evidenceTotal: out.unreadableCount))
    }
    status[id] = out.status
    var why: [String] = []
    if let e = out.firstError { why.append("first error: \(e)") }
    if out.unreadableCount > 0 {
      let first = out.unreadable.first.map { e in
        " (first: \(e.column ?? "a cell") of \(e.table) line \(e.line))"
      }
      why.append(
        "\(out.unreadableCount) row\(out.unreadableCount == 1 ? "" : "s") not judged: unreadable cells\(first ?? "")"
      )
    } else if out.counts.skippedRows > 0 {
      why.append("\(out.counts.skippedRows) rows skipped (no period)")
    }
    if out.counts.suppressed > 0 {
      why.append(
        "\(out.counts.suppressed) finding\(out.counts.suppressed == 1 ? "" : "s") suppressed by a failed prerequisite"
      )
    }
    if out.counts.findingsOmitted > 0 {
      why.append("\(out.counts.findingsOmitted) findings not listed")
    }
    why += out.notes
    if !why.isEmpty { reasons[id] = why.joined(separator: "; ") }
  }

  /// `unless_failing:`: a row a prerequisite judged non-conformant is not judged again by
  /// this rule. Its findings on such rows stay (for `explain` and the JSON report), marked
  /// `suppressedBy` with the prerequisite's finding id, and leave the counts: they make no
  /// non-conformity. Counts come from the failed-line sets, so they are exact beyond the
  /// finding cap (row and reference checks give one finding per row).
  private func suppress(_ instance: RuleInstance, _ out: RuleOutput) {
    guard !instance.unlessFailing.isEmpty else { return }
    let table = instance.check.rowTable ?? ""
    var roots: [Int: String] = [:]
    var failed = LineSet()
    for p in instance.unlessFailing {
      guard status[p] != .skipped, let po = outputs[p], let lines = po.failedLines[table] else {
        continue
      }
      for f in po.findings where f.status == .fail && f.suppressedBy == nil {
        for e in f.evidence where e.table == table && lines.contains(e.line) {
          if roots[e.line] == nil { roots[e.line] = f.id }
        }
      }
      failed.formUnion(lines)
    }
    guard !failed.isEmpty else { return }
    let mine = out.failedLines[table] ?? []
    let suppressedFails = mine.intersection(failed).count
    var suppressedErrors = 0
    for i in out.findings.indices {
      let f = out.findings[i]
      guard f.status != .skipped, let row = f.evidence.first, row.table == table,
        failed.contains(row.line)
      else { continue }
      let root =
        roots[row.line]
        ?? Finding.makeID(
          instance.unlessFailing[0], .fail, ["\(table):\(row.key)"], "")
      out.suppress(at: i, by: root)
      if f.status == .error { suppressedErrors += 1 }
    }
    out.counts.failed -= suppressedFails
    out.counts.errors -= suppressedErrors
    out.counts.suppressed += suppressedFails + suppressedErrors
    if out.counts.errors == 0 { out.firstError = nil }
  }

  func failedLines(of instance: String, table: String) -> LineSet? {
    finish(instance)
    guard let s = status[instance], s != .skipped, let out = outputs[instance] else { return nil }
    return out.failedLines[table] ?? []
  }

  func notPassedLines(of instance: String, table: String) -> LineSet? {
    finish(instance)
    guard let s = status[instance], s != .skipped, let out = outputs[instance] else { return nil }
    return out.notPassedLines[table] ?? []
  }
}
