import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues

/// A row handed to a check, read in place: the checks of a lane see each row through this
/// instead of a copy of it (copying a `LedgerRow` retained and released its three arrays
/// through generic value witnesses, per row and lane, from both cores; passing
/// `pointer.pointee` on to each check copied it per check). Valid only during the `consume`
/// call it is passed to.
struct RowRef {
  let pointer: UnsafePointer<LedgerRow>
  @inline(__always) var line: Int { pointer.pointee.line }
  @inline(__always) var entryID: String? { pointer.pointee.entryID }
  @inline(__always) var invalidColumns: [Int] { pointer.pointee.invalidColumns }
  @inline(__always) var hasInvalidColumns: Bool { !pointer.pointee.invalidColumns.isEmpty }
  @inline(__always) subscript(column: Int) -> Value { pointer.pointee.values[column] }
}

/// One rule instance's check while a run is in progress. The engine streams every row of the
/// tables in `tables` to `consume` (each table read once for all checks), then calls `finish`
/// in dependency order.
///
/// `frame` holds the row's cells (borrowed: `frame.cells` points at `row.values` for the
/// duration of the call) and nothing else; the checks that see a row share it, so handing a
/// row to a lane retains nothing (the row array's reference count was contended between the
/// lanes' threads). A check may use `ref` while it runs and leaves it empty; it never keeps
/// the frame.
protocol CheckRunner: AnyObject {
  var tables: [String] { get }
  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput)
  func finish(_ run: any FinishContext, out: RuleOutput)
}

/// The per-source objects of the table a check streamed last. Rows come table by table, so a
/// string compare per row replaces a hashed lookup; the sources are visited as unmanaged
/// references at +0 (`sources` keeps them alive): iterating the array retained each source,
/// and its gate and programs, on every row.
struct LastTableSources<Source: AnyObject> {
  private var table = ""
  private var sources: [Source] = []
  private var unmanaged: [Unmanaged<Source>] = []

  /// Calls `body` with each source of `table` (`lookup` gives them when the table changes).
  @inline(__always) mutating func forEach(
    _ table: String, _ lookup: (String) -> [Source]?, _ body: (Source) -> Void
  ) {
    if table != self.table {
      (self.table, sources) = (table, lookup(table) ?? [])
      unmanaged = sources.map { Unmanaged.passUnretained($0) }
    }
    for u in unmanaged { u._withUnsafeGuaranteedRef(body) }
  }
}

/// What a check may ask of the run when it finishes.
protocol FinishContext {
  /// Lines of `table` that rule instance `instance` judged non-conformant (`fail`); nil if
  /// that instance is unknown or skipped. For `unless_failing:` (prerequisites).
  func failedLines(of instance: String, table: String) -> LineSet?
  /// Lines of `table` that did not pass `instance`: failed, errored, or not judged because a
  /// cell it needs is unreadable (or an ambiguous lookup); nil if that instance is unknown or
  /// skipped. For `exclude_failing:` (positive eligibility: only a passing row creates credits).
  func notPassedLines(of instance: String, table: String) -> LineSet?
}

/// Shared, read-only state of one run.
final class RunContext {
  let schema: LedgerSchema
  let lookups: Lookups
  let options: EngineOptions
  let compiler: ProgramCompiler
  let tracer: ProgramCompiler
  /// Periods per period-source, built from tables read before streaming.
  var periodIndexes: [PeriodSource: PeriodIndex] = [:]

  init(schema: LedgerSchema, lookups: Lookups, options: EngineOptions) {
    self.schema = schema
    self.lookups = lookups
    self.options = options
    self.compiler = ProgramCompiler(lookups: lookups)
    self.tracer = ProgramCompiler(lookups: lookups, tracing: true)
  }
}

/// What one rule instance produced: findings (capped), counts, failing rows per table.
final class RuleOutput {
  let instance: RuleInstance
  let options: EngineOptions
  private(set) var findings: [Finding] = []
  // Updated by one lane at a time, never re-entrantly: `@exclusivity(unchecked)` drops the
  // run-time exclusivity check on every row.
  @exclusivity(unchecked) var counts = RuleResult.Counts()
  /// Lines per table of rows judged non-conformant (for `unless_failing:`).
  @exclusivity(unchecked) var failedLines: [String: LineSet] = [:]
  /// Lines per table of rows that did not pass: failed, errored or unreadable (for
  /// `exclude_failing:`).
  @exclusivity(unchecked) var notPassedLines: [String: LineSet] = [:]
  var accounts: [AccountSummary] = []
  /// A mass_balance check's book statement (one check per book carries it).
  var statement: Statement?
  var firstError: String?
  /// Overrides the status computed from counts (a check with a structural problem).
  var forcedStatus: RuleResult.Status?
  var notes: [String] = []
  /// Rows not judged because a cell the rule reads is unreadable (capped) and their count.
  var unreadable: [EvidenceRow] = []
  var unreadableCount = 0
  var unreadableSeen = Set<UnreadableRow>()

  init(instance: RuleInstance, options: EngineOptions) {
    self.instance = instance
    self.options = options
  }

  /// Whether another finding would be kept: checks test it before building a finding's
  /// message and id, so a ledger with millions of failures costs little more than a clean one.
  @inline(__always) var keepsFindings: Bool { findings.count < options.findingLimit }

  /// Counts a finding that is not kept (the cap is reached): the same counts as `add`.
  func count(_ status: FindingStatus, message: @autoclosure () -> String) {
    switch status {
    case .fail: counts.failed += 1
    case .error:
      counts.errors += 1
      if firstError == nil { firstError = message() }
    case .skipped: break
    }
    counts.findingsOmitted += 1
  }

  func add(_ finding: Finding) {
    switch finding.status {
    case .fail: counts.failed += 1
    case .error:
      counts.errors += 1
      if firstError == nil { firstError = finding.message }
    case .skipped: break
    }
    if findings.count < options.findingLimit {
      findings.append(finding)
    } else {
      counts.findingsOmitted += 1
    }
  }

  /// A row judged non-conformant.
  func markFailing(_ table: String, _ line: Int) {
    failedLines[table, default: []].insert(line)
    notPassedLines[table, default: []].insert(line)
  }

  /// A row that did not pass without being judged non-conformant (an error, an unreadable cell).
  func markNotPassed(_ table: String, _ line: Int) {
    notPassedLines[table, default: []].insert(line)
  }

  /// A row-level run-time error: the row is cited and the expression's location given.
  func error(_ e: EvaluationError, table: String, row: RowRef, date: CivilDate? = nil) {
    error(e, table: table, line: row.line, entryID: row.entryID, date: date)
  }

  /// A row-level run-time error. An ambiguous lookup is no error of the rule but a fact about
  /// the ledger (two rows cover one key and date): the row fails, naming both rows.
  func error(
    _ e: EvaluationError, table: String, line: Int, entryID: String?, date: CivilDate? = nil
  ) {
    let status: FindingStatus = e.code == .ambiguousLookup ? .fail : .error
    if status == .fail { markFailing(table, line) } else { markNotPassed(table, line) }
    guard keepsFindings else { return count(status, message: e.message) }
    add(
      Finding(
        ruleID: instance.id, clauseIDs: [], severity: nil, status: status, code: e.code.id,
        message: e.message, location: e.span,
        evidence: [EvidenceRow(table: table, file: "", line: line, entryID: entryID)],
        date: date))
  }

  /// Marks a kept finding as the consequence of a prerequisite's finding `root`.
  func suppress(at index: Int, by root: String) { findings[index].suppressedBy = root }

  var status: RuleResult.Status {
    if let forcedStatus { return forcedStatus }
    if counts.failed > 0 { return .fail }
    if counts.errors > 0 { return .error }
    if counts.evaluated == 0 { return .notApplicable }
    return .pass
  }
}

struct UnreadableRow: Hashable {
  var table: String
  var line: Int
}

/// Decides whether a row is judged by a check: readable cells, effective dates, `where:`. A
/// class: checks held it in their per-source structs and copying it per row retained its sets.
final class RowGate {
  enum Outcome {
    case judge
    case unreadable
    case outOfWindow
    case filteredOut
    /// Boxed: an inline `EvaluationError` made every outcome (one per check per row) a large
    /// value copied with memcpy, ~9% of a 1M-row run.
    indirect case error(EvaluationError)
  }
  /// Columns the judgement reads (assertion, amounts, keys) and the `where:` filter reads.
  let reads: Set<Int>
  let filterReads: Set<Int>
  let names: [String]
  let dateColumn: Int?
  let from: CivilDate?
  let until: CivilDate?
  /// The `where:` filter; `true` when there is none (non-optional: binding an optional
  /// program retained it on every row).
  let filter: Program
  /// Whether there is a `where:` filter, and whether it is a boolean node (`Program.test`).
  let filtered: Bool
  let booleanFilter: Bool

  init(
    table: TableSchema, instance: RuleInstance, expressions: [ExprNode?], filter: ExprNode?,
    run: RunContext
  ) {
    var reads = Set<Int>()
    for e in expressions.compactMap({ $0 }) { e.collectRowColumns(into: &reads) }
    var filterReads = Set<Int>()
    filter?.collectRowColumns(into: &filterReads)
    self.reads = reads.union(filterReads)
    self.filterReads = filterReads
    self.names = table.columns.map(\.name)
    self.dateColumn = table.entryDateColumn
    self.from = instance.effectiveFrom
    self.until = instance.effectiveUntil
    let program = filter.map(run.compiler.compile) ?? ConstantProgram(.bool(true))
    self.filter = program
    self.filtered = filter != nil
    self.booleanFilter = program.isBoolean
  }

  func date(of row: RowRef) -> CivilDate? { dateColumn.flatMap { row[$0].asDate } }

  /// `where:` first: a row the filter leaves out is untouched by its other unreadable cells;
  /// it is unreadable for this check only if the filter needs a bad cell, or if the filter
  /// selects it and the judgement needs one.
  func admit(_ row: RowRef, _ frame: inout Frame) -> Outcome {
    let invalid = row.hasInvalidColumns
    if invalid, row.invalidColumns.contains(where: filterReads.contains) {
      return .unreadable
    }
    if from != nil || until != nil, let d = date(of: row) {
      if let from, d < from { return .outOfWindow }
      if let until, until < d { return .outOfWindow }
    }
    guard filtered else {
      return invalid && row.invalidColumns.contains(where: reads.contains) ? .unreadable : .judge
    }
    do {
      switch booleanFilter ? .bool(try filter.test(&frame)) : try filter(&frame) {
      case .bool(true):
        return invalid && row.invalidColumns.contains(where: reads.contains) ? .unreadable : .judge
      case .bool(false): return .filteredOut
      case .null:
        return .error(
          EvaluationError(
            code: .nullOperand, message: "the `where:` filter is null", span: nil, expression: ""))
      case let v:
        return .error(
          EvaluationError(
            code: .unexpectedType, message: "the `where:` filter is \(v.literal)", span: nil,
            expression: ""))
      }
    } catch {
      return .error(error)
    }
  }

  /// Counts the outcome; returns true when the row is to be judged.
  func admitCounting(_ row: RowRef, _ frame: inout Frame, table: String, out: RuleOutput) -> Bool {
    let outcome = admit(row, &frame)
    if case .judge = outcome { return true }
    record(outcome, row, table: table, out: out)
    return false
  }

  /// Counts an outcome other than `.judge` in `out` (several outputs may share one gate).
  func record(_ outcome: Outcome, _ row: RowRef, table: String, out: RuleOutput) {
    switch outcome {
    case .judge: break
    case .unreadable:
      // Several sources of one check (two debit sources on shipments) may see the same row:
      // it is one row not judged, listed once.
      guard out.unreadableSeen.insert(UnreadableRow(table: table, line: row.line)).inserted
      else { return }
      out.counts.skippedRows += 1
      out.counts.unreadableRows += 1
      out.unreadableCount += 1
      out.markNotPassed(table, row.line)
      if out.unreadable.count < out.options.evidenceLimit {
        let bad = row.invalidColumns.filter(reads.contains).sorted()
        out.unreadable.append(
          EvidenceRow(
            table: table, file: "", line: row.line, entryID: row.entryID,
            column: bad.first.flatMap { $0 < names.count ? names[$0] : nil }))
      }
    case .outOfWindow: out.counts.outOfWindow += 1
    case .filteredOut: break
    case .error(let e): out.error(e, table: table, row: row, date: date(of: row))
    }
  }
}

extension TableSchema {
  /// The column that dates an entry (effective dates, finding dates): `date` if the table has
  /// a date column of that name, else its first date column that is not a validity bound.
  public var entryDateColumn: Int? {
    if let i = columnIndex("date"), case .date = columns[i].type { return i }
    let window = validityColumns
    return columns.indices.first { i in
      if case .date = columns[i].type { return i != window?.from && i != window?.to }
      return false
    }
  }
}

extension ExprNode {
  /// Row columns this expression reads (for skipping rows with unreadable cells).
  func collectRowColumns(into set: inout Set<Int>) {
    visit { node in
      if case .field(.row, let c, _) = node.kind { set.insert(c) }
    }
  }

  /// Tables this expression looks up.
  func collectLookupTables(into set: inout Set<String>) {
    visit { node in
      if case .lookup(let t, _, _) = node.kind { set.insert(t) }
      if case .lookupWhere(let t, _, _, _, _) = node.kind { set.insert(t) }
    }
  }

  func visit(_ body: (ExprNode) -> Void) {
    body(self)
    switch kind {
    case .literal, .parameter, .field: break
    case .unary(_, let a): a.visit(body)
    case .binary(_, let a, let b):
      a.visit(body)
      b.visit(body)
    case .list(let items), .call(_, let items): for i in items { i.visit(body) }
    case .lookup(_, let key, let at):
      for k in key { k.visit(body) }
      at?.visit(body)
    case .lookupWhere(_, _, _, let value, let at):
      value.visit(body)
      at?.visit(body)
    case .member(let a, _, _, _): a.visit(body)
    case .conditional(let a, let b, let c):
      a.visit(body)
      b.visit(body)
      c.visit(body)
    case .aggregate(_, let a): a?.visit(body)
    }
  }
}
