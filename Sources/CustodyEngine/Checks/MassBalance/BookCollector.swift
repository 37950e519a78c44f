import CustodyLanguage
import CustodyLedger
import CustodyValues

/// A book entry evaluated from one ledger row, before replay. Kept small (about 280k of them
/// wait for the replay at 1M rows): the account is an id into `BookCollector.accountKeys`,
/// the source an index into `BookCollector.compiled` (table, label, `exclude_failing`).
struct RawPosting {
  enum Role: UInt8 {
    case opening, credit, transfer, debit, inputTotal, outputTotal
  }
  /// The amount's mantissa, or with `scale == RawPosting.wide` an index into
  /// `BookCollector.wideAmounts` (use `BookCollector.amount(of:)`).
  var mantissa: Int64
  var entryID: String?
  var line: Int
  var date: CivilDate
  var account: Int32
  /// The receiving account of a transfer; for a credit, its index in
  /// `BookCollector.creditDetails` (copper and factor, for the statement); else -1.
  var to: Int32
  /// Index into `BookCollector.compiled`.
  var compiled: Int32
  var role: Role
  var scale: Int8
  /// The `scale` of an amount kept in `BookCollector.wideAmounts` (it does not fit 64 bits).
  static let wide = Int8.min
}

/// Evaluates the book's sources over streamed rows into raw postings.
final class BookCollector {
  /// A class, so the per-row loop retains one reference instead of copying every field.
  final class Compiled {
    let role: RawPosting.Role
    /// Which source of its role (book order), for a stable same-day order.
    let source: Int
    let table: String
    /// Index in `BookCollector.compiled`.
    let index: Int32
    let gate: RowGate
    let date: Program
    let account: [Program]
    let to: [Program]?
    let amount: Program
    let label: String
    /// Rules a row must pass to create credits (positive eligibility: failed, errored or
    /// unreadable rows create none).
    let excludeFailing: [String]
    /// Prerequisites: a row one of them judged non-conformant is not posted (its finding is
    /// the one non-conformity of that row).
    let unlessFailing: [String]
    let dateNode: ExprNode
    let amountNode: ExprNode
    /// The statement's copper and factor of a credit row (`copper:`, `factor:`), if given.
    let copper: Program?
    let factor: Program?
    init(
      role: RawPosting.Role, source: Int, table: String, index: Int32, gate: RowGate,
      date: Program, account: [Program], to: [Program]?, amount: Program,
      label: String, excludeFailing: [String], unlessFailing: [String], dateNode: ExprNode,
      amountNode: ExprNode, copper: Program? = nil, factor: Program? = nil
    ) {
      (self.copper, self.factor) = (copper, factor)
      (self.role, self.source, self.table, self.index, self.gate) = (
        role, source, table, index, gate
      )
      (self.date, self.account, self.to, self.amount) = (date, account, to, amount)
      (self.label, self.excludeFailing, self.dateNode, self.amountNode) =
        (label, excludeFailing, dateNode, amountNode)
      self.unlessFailing = unlessFailing
    }

  }
  let book: CompiledBook
  /// Every source, in the order they were compiled; `RawPosting.compiled` indexes it.
  private(set) var compiled: [Compiled] = []
  var bySource: [String: [Compiled]] = [:]
  // Written by one lane at a time while streaming, never re-entrantly: `@exclusivity(unchecked)`
  // drops the run-time exclusivity checks (five per posting, ~8% of collecting one).
  @exclusivity(unchecked) var postings: [RawPosting] = []
  /// Amounts that do not fit a posting's 64-bit mantissa and 8-bit scale (rare).
  @exclusivity(unchecked) private(set) var wideAmounts: [ExactDecimal] = []
  /// The sources of the table streamed last.
  @exclusivity(unchecked) private var last = LastTableSources<Compiled>()
  /// Distinct account keys as written, by id (`RawPosting.account`, `RawPosting.to`).
  @exclusivity(unchecked) private(set) var keyTable = AccountKeyTable()
  var accountKeys: [[Value]] { keyTable.keys }
  /// The account (below `accountCount`) of each key id.
  var accountOf: [Int32] { keyTable.accountOf }
  var accountCount: Int { keyTable.accountCount }
  /// Reused buffer for evaluating an account key (no array allocated per row).
  @exclusivity(unchecked) private var keyBuffer: [Value] = []
  /// Outputs of every mass_balance check that shares this collector (same sources, same
  /// same-day order): each row is evaluated once and its gate counts and errors go to each.
  var outputs: [RuleOutput] = []
  /// The checks reading this collector (the owner, then the ones that share it).
  var members: [Member] = []
  /// Whether a replay made this book's statement (the first one does).
  var statementMade = false
  /// The in-memory postings in replay order, once sorted (see `forEachOrdered`).
  private var sortedInMemory = false
  private var exclusionCache: Exclusion?
  /// Sorted runs of postings written out once `postings` reaches `threshold` (see
  /// BookCollector+Spill.swift); nil while every posting fits in memory.
  var spill: SpillFile?
  /// Why spilling stopped (the postings are then kept in memory), reported with the rules.
  var spillFailure: String?
  let threshold: Int
  let spillDirectory: String?
  /// Per source: some posting came from it (its `exclude_failing:` and `unless_failing:`
  /// rules are asked).
  @exclusivity(unchecked) private var hasPosting: [Bool]
  /// Evaluation errors of rows from sources with `exclude_failing:` or `unless_failing:`,
  /// held until the finish: a row those rules remove (a receipt without a conversion factor,
  /// an ambiguous one) is not an error of the book.
  @exclusivity(unchecked) private(set) var deferredErrors: [DeferredError] = []
  struct DeferredError {
    var source: Int32
    var error: EvaluationError
    var line: Int
    var entryID: String?
    var date: CivilDate?
    /// The account key id the row would post to, or -1 if that could not be evaluated.
    var account: Int32
  }
  /// The last date of any posting (a period-end replay closes periods up to it).
  @exclusivity(unchecked) private(set) var lastDate: CivilDate?
  /// The first date of any posting (the statement's span when there are no periods).
  @exclusivity(unchecked) private(set) var firstDate: CivilDate?
  /// Per credit posting with a `copper:` or `factor:` (`RawPosting.to`): the copper behind its
  /// credits and the factor applied (nil where the row does not give one).
  @exclusivity(unchecked) private(set) var creditDetails: [CreditDetail] = []
  struct CreditDetail {
    var copper: ExactDecimal?
    var factor: ExactDecimal?
  }
  /// Physical copper per site (first key of an `input_totals`/`output_totals` row) and day,
  /// summed while streaming for the statement: no posting per row when no percentage check
  /// reads the totals (a posting per shipment would be kept, sorted and replayed for nothing).
  @exclusivity(unchecked) private(set) var physical: [Value: [Int32: PhysicalDay]] = [:]
  struct PhysicalDay {
    var copperIn = ExactDecimal.zero
    var copperOut = ExactDecimal.zero
  }
  /// Earliest and latest day of a physical row (the statement's span includes them).
  @exclusivity(unchecked) private(set) var physicalSpan: ClosedRange<CivilDate>?
  /// Physical rows (totals read only for the statement) whose date, site or amount could not
  /// be read: not in the statement's physical copper.
  @exclusivity(unchecked) private(set) var physicalUnread = 0
  /// Whether totals are posted (a percentage check reads them); looked up at the first row.
  @exclusivity(unchecked) private var postsTotals: Bool?
  /// Per source: its book order and its table's rank among the sources' tables (sort key).
  private let sourceKey: [Int]

  init(book: CompiledBook, instance: RuleInstance, run: RunContext) {
    self.book = book
    // Balances count every posting; effective dates only limit which failures are reported.
    var undated = instance
    undated.effectiveFrom = nil
    undated.effectiveUntil = nil
    var list: [Compiled] = []
    func add(_ role: RawPosting.Role, _ i: Int, _ s: CompiledBook.Source) {
      let table = run.schema.table(s.table) ?? TableSchema(name: s.table, file: "", columns: [])
      let gate = RowGate(
        table: table, instance: undated, expressions: [s.date, s.amount] + s.account,
        filter: s.filter, run: run)
      list.append(
        Compiled(
          role: role, source: i, table: s.table, index: Int32(list.count), gate: gate,
          date: run.compiler.compile(s.date), account: s.account.map(run.compiler.compile),
          to: nil, amount: run.compiler.compile(s.amount), label: s.label,
          excludeFailing: s.excludeFailing, unlessFailing: s.unlessFailing, dateNode: s.date,
          amountNode: s.amount, copper: s.copper.map(run.compiler.compile),
          factor: s.factor.map(run.compiler.compile)))
    }
    if let o = book.opening { add(.opening, 0, o) }
    for (i, s) in book.credits.enumerated() { add(.credit, i, s) }
    for (i, s) in book.debits.enumerated() { add(.debit, i, s) }
    for (i, s) in book.inputTotals.enumerated() { add(.inputTotal, i, s) }
    for (i, s) in book.outputTotals.enumerated() { add(.outputTotal, i, s) }
    for (i, t) in book.transfers.enumerated() {
      let table = run.schema.table(t.table) ?? TableSchema(name: t.table, file: "", columns: [])
      let gate = RowGate(
        table: table, instance: undated, expressions: [t.date, t.amount] + t.from + t.to,
        filter: t.filter, run: run)
      list.append(
        Compiled(
          role: .transfer, source: i, table: t.table, index: Int32(list.count), gate: gate,
          date: run.compiler.compile(t.date), account: t.from.map(run.compiler.compile),
          to: t.to.map(run.compiler.compile), amount: run.compiler.compile(t.amount),
          label: "transfer", excludeFailing: [], unlessFailing: t.unlessFailing,
          dateNode: t.date, amountNode: t.amount))
    }
    compiled = list
    for c in list { bySource[c.table, default: []].append(c) }
    hasPosting = [Bool](repeating: false, count: list.count)
    threshold = run.options.spillThreshold
    spillDirectory = run.options.spillDirectory
    let tableRank = Dictionary(
      uniqueKeysWithValues: Set(list.map(\.table)).sorted().enumerated().map { ($1, $0) })
    sourceKey = list.map { c in c.source << 48 | (tableRank[c.table] ?? 0) << 40 }
  }

  var tables: [String] { bySource.keys.sorted() }

  /// A posting's amount, exactly as evaluated (same mantissa and scale).
  func amount(of p: RawPosting) -> ExactDecimal {
    p.scale == RawPosting.wide
      ? wideAmounts[Int(p.mantissa)]
      : ExactDecimal(mantissa: Int128(p.mantissa), scale: Int(p.scale))
  }

  /// The source a posting came from (its table, label and `exclude_failing:`).
  func source(of p: RawPosting) -> Compiled { compiled[Int(p.compiled)] }

  /// Each source's label and table, by `RawPosting.compiled`.
  var sourceLabels: [(label: String, table: String)] { compiled.map { ($0.label, $0.table) } }

  /// What makes two books collect the same postings in the same order.
  struct ShareKey: Hashable {
    var credits, debits, inputTotals, outputTotals: [CompiledBook.Source]
    var transfers: [CompiledBook.Transfer]
    var opening: CompiledBook.Source?
    var sameDay: CompiledBook.SameDay
    init(_ b: CompiledBook) {
      (credits, debits, inputTotals, outputTotals) = (
        b.credits, b.debits, b.inputTotals, b.outputTotals
      )
      (transfers, opening, sameDay) = (b.transfers, b.opening, b.sameDay)
    }
  }

  /// Evaluates `programs` into an account key id.
  private func accountID(_ programs: [Program], _ frame: inout Frame) throws(EvaluationError)
    -> Int32
  {
    keyBuffer.removeAll(keepingCapacity: true)
    for a in programs { keyBuffer.append(LookupIndex.normalize(try a(&frame))) }
    return keyTable.id(of: keyBuffer)
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    last.forEach(table, { bySource[$0] }) { c in
      consumeSource(c, table: table, row: row, frame: &frame, out: out)
    }
  }

  private func consumeSource(
    _ c: Compiled, table: String, row: RowRef, frame: inout Frame, out: RuleOutput
  ) {
    let outcome = c.gate.admit(row, &frame)
    // Totals that only feed the statement never make the book's rules skip or error: a row
    // they cannot read is counted as not read in the statement's physical copper.
    let statementOnly =
      (c.role == .inputTotal || c.role == .outputTotal) && !(postsTotals ?? checkPostsTotals())
    guard case .judge = outcome else {
      if statementOnly {
        switch outcome {
        case .unreadable, .error: physicalUnread += 1
        default: break
        }
        return
      }
      if outputs.isEmpty {
        c.gate.record(outcome, row, table: table, out: out)
      } else {
        for o in outputs { c.gate.record(outcome, row, table: table, out: o) }
      }
      return
    }
    // The account first: a row whose amount cannot be evaluated still names the account it
    // would have credited (a shortfall there is then not shown).
    var account: Int32 = -1
    do throws(EvaluationError) {
      account = try accountID(c.account, &frame)
      let dv = try c.date(&frame)
      guard let date = dv.asDate else {
        throw EvaluationError(
          code: dv.isNull ? .nullOperand : .unexpectedType,
          message: "the \(c.label) date is \(dv.literal), not a date", span: c.dateNode.span,
          expression: c.dateNode.text)
      }
      let av = try c.amount(&frame)
      guard let amount = av.asDecimal else {
        throw EvaluationError(
          code: av.isNull ? .nullOperand : .unexpectedType,
          message: "the \(c.label) amount is \(av.literal), not a number",
          span: c.amountNode.span,
          expression: c.amountNode.text)
      }
      if c.role == .inputTotal || c.role == .outputTotal {
        addPhysical(c, date: date, amount: amount, key: keyTable.keys[Int(account)])
        if !(postsTotals ?? checkPostsTotals()) { return }
      }
      var to: Int32 = -1
      if let t = c.to { to = try accountID(t, &frame) }
      if c.copper != nil || c.factor != nil {
        // Not an error of the book where they cannot be read: the statement shows none.
        let copper = (try? c.copper?(&frame))?.asDecimal
        let factor = (try? c.factor?(&frame))?.asDecimal
        to = Int32(creditDetails.count)
        creditDetails.append(CreditDetail(copper: copper, factor: factor))
      }
      var mantissa: Int64
      var scale: Int8
      if let m = Int64(exactly: amount.mantissa), let sc = Int8(exactly: amount.scale),
        sc != RawPosting.wide
      {
        (mantissa, scale) = (m, sc)
      } else {
        (mantissa, scale) = (Int64(wideAmounts.count), RawPosting.wide)
        wideAmounts.append(amount)
      }
      // 4x growth, not 2x: fewer copies of a buffer that grows with the big tables.
      if postings.count == postings.capacity {
        postings.reserveCapacity(max(4096, postings.capacity * 4))
      }
      postings.append(
        RawPosting(
          mantissa: mantissa, entryID: row.entryID, line: row.line, date: date,
          account: account, to: to, compiled: c.index, role: c.role, scale: scale))
      hasPosting[Int(c.index)] = true
      if lastDate.map({ $0 < date }) ?? true { lastDate = date }
      if firstDate.map({ date < $0 }) ?? true { firstDate = date }
      if postings.count >= threshold { spillRun() }
    } catch {
      if statementOnly {
        physicalUnread += 1
        return
      }
      if !c.excludeFailing.isEmpty || !c.unlessFailing.isEmpty {
        hasPosting[Int(c.index)] = true
        deferredErrors.append(
          DeferredError(
            source: c.index, error: error, line: row.line, entryID: row.entryID,
            date: c.gate.date(of: row), account: account))
      } else if outputs.isEmpty {
        out.error(error, table: table, row: row, date: c.gate.date(of: row))
      } else {
        for o in outputs { o.error(error, table: table, row: row, date: c.gate.date(of: row)) }
      }
    }
  }

  private func checkPostsTotals() -> Bool {
    let posts = members.contains { $0.check.spec.mode == .percentage }
    postsTotals = posts
    return posts
  }

  private func addPhysical(_ c: Compiled, date: CivilDate, amount: ExactDecimal, key: [Value]) {
    guard let site = key.first else { return }
    // Changed in place: one lookup of the site and of the day, no copy of the day out and back.
    Self.add(
      amount, input: c.role == .inputTotal,
      to: &physical[site, default: [:]][date.dayNumber, default: PhysicalDay()])
    if let s = physicalSpan {
      physicalSpan = min(s.lowerBound, date)...max(s.upperBound, date)
    } else {
      physicalSpan = date...date
    }
  }

  /// An overflowing sum keeps its last value; a ledger that large is reported by the book.
  private static func add(_ amount: ExactDecimal, input: Bool, to day: inout PhysicalDay) {
    if input {
      day.copperIn = (try? day.copperIn.adding(amount)) ?? day.copperIn
    } else {
      day.copperOut = (try? day.copperOut.adding(amount)) ?? day.copperOut
    }
  }

  /// Calls `body` with every posting in replay order (by date, then the same-day phase, then
  /// book order and line) until it returns false. Reads spilled runs back and merges them
  /// with the postings still in memory; otherwise sorts those once and keeps them sorted.
  func forEachOrdered(_ body: (RawPosting) -> Bool) throws(SpillError) {
    if !sortedInMemory {
      sortInMemory()
      sortedInMemory = true
    }
    if spill != nil {
      try mergeRuns(body)
      return
    }
    for p in postings where !body(p) { return }
  }

  /// `forEachOrdered`, with spilled runs read back and merged on a thread of its own, a chunk
  /// ahead of `body` (the merge was about half of a replay at 1M rows, and the other core idle).
  func forEachOrderedAhead(_ body: (RawPosting) -> Bool) throws(SpillError) {
    guard spill != nil else { return try forEachOrdered(body) }
    nonisolated(unsafe) let collector = self
    let chunkSize = 4096
    let ahead = ReadAhead<[RawPosting]>(label: "custody.engine.merge", capacity: 8) { put in
      var chunk: [RawPosting] = []
      chunk.reserveCapacity(chunkSize)
      var stopped: (any Error)?
      try collector.forEachOrdered { p in
        chunk.append(p)
        guard chunk.count == chunkSize else { return true }
        do { try put(chunk) } catch {
          stopped = error
          return false
        }
        chunk = []
        chunk.reserveCapacity(chunkSize)
        return true
      }
      if let stopped { throw stopped }
      if !chunk.isEmpty { try put(chunk) }
    }
    defer { ahead.cancel() }
    do {
      while let chunk = try ahead.next() {
        for p in chunk where !body(p) { return }
      }
    } catch let error as SpillError {
      throw error
    } catch {
      throw SpillError(corrupt: "\(error)")
    }
  }

  /// Which postings are not made: credits whose row did not pass a rule of their source's
  /// `exclude_failing:`, and any posting whose row failed one of its `unless_failing:`
  /// prerequisites. Computed once per collector (the rows do not depend on which check asks).
  struct Exclusion {
    /// Per source: the lines each named rule removes (nil: none, or no postings).
    let failing: [[LineSet]?]
    /// `exclude_failing:` rules that were skipped: which rows pass them is unknown, so no
    /// credit of their sources is proven and the balance cannot be judged.
    let undecided: [String]
    /// Per source: the lines some `exclude_failing:` rule could not decide (an error, an
    /// unreadable cell) and none judged non-conformant: the credit is not proven, and neither
    /// is a shortfall it might have covered.
    let undecidedLines: [LineSet?]
    /// Per source: the lines each `exclude_failing:` rule judged non-conformant.
    let failedOnly: [[LineSet]?]

    func excludes(_ p: RawPosting) -> Bool { excludes(source: p.compiled, line: p.line) }
    func excludes(source: Int32, line: Int) -> Bool {
      guard let sets = failing[Int(source)] else { return false }
      return sets.contains { $0.contains(line) }
    }
    /// Whether a credit is excluded only because a rule could not decide its row.
    func undecided(_ p: RawPosting) -> Bool {
      guard p.role == .credit || p.role == .opening else { return false }
      return undecided(source: p.compiled, line: p.line)
    }
    func undecided(source: Int32, line: Int) -> Bool {
      let i = Int(source)
      guard let open = undecidedLines[i], open.contains(line) else { return false }
      return !(failedOnly[i] ?? []).contains { $0.contains(line) }
    }
  }

  func exclusion(_ ctx: any FinishContext) -> Exclusion {
    if let exclusionCache { return exclusionCache }
    var sets = [[LineSet]?](repeating: nil, count: compiled.count)
    var undecidedLines = [LineSet?](repeating: nil, count: compiled.count)
    var failedOnly = [[LineSet]?](repeating: nil, count: compiled.count)
    var undecided: [String] = []
    for c in compiled where hasPosting[Int(c.index)] {
      var list: [LineSet] = []
      var failed: [LineSet] = []
      var open = LineSet()
      for rule in c.excludeFailing {
        if let lines = ctx.notPassedLines(of: rule, table: c.table) {
          let judged = ctx.failedLines(of: rule, table: c.table) ?? []
          list.append(lines)
          failed.append(judged)
          open.formUnion(lines.subtracting(judged))
        } else if !undecided.contains(rule) {
          undecided.append(rule)
        }
      }
      if !open.isEmpty { undecidedLines[Int(c.index)] = open }
      if !failed.isEmpty { failedOnly[Int(c.index)] = failed }
      // A skipped prerequisite removes nothing: the posting is made and judged.
      for rule in c.unlessFailing {
        if let lines = ctx.failedLines(of: rule, table: c.table) { list.append(lines) }
      }
      if !list.isEmpty { sets[Int(c.index)] = list }
    }
    let e = Exclusion(
      failing: sets, undecided: undecided, undecidedLines: undecidedLines, failedOnly: failedOnly)
    exclusionCache = e
    return e
  }

  /// The replay order of postings: date, same-day phase and role, the source's book order,
  /// then entry id (never the file position, so reordering rows changes nothing), then line
  /// (only rows with the same entry id, which another rule reports, fall back to it).
  struct SortKey: Comparable {
    var first: Int
    var source: Int
    var entryID: String?
    var line: Int
    static func < (a: SortKey, b: SortKey) -> Bool {
      if a.first != b.first { return a.first < b.first }
      if a.source != b.source { return a.source < b.source }
      if a.entryID != b.entryID { return (a.entryID ?? "") < (b.entryID ?? "") }
      return a.line < b.line
    }
  }

  /// The replay order's key of a posting.
  @inline(__always) func sortKey(_ p: RawPosting) -> SortKey {
    let creditsFirst = book.sameDay == .creditsFirst
    let phase: Int
    switch p.role {
    case .opening: phase = 0
    case .credit, .inputTotal: phase = creditsFirst ? 1 : 3
    case .transfer: phase = 2
    case .debit, .outputTotal: phase = creditsFirst ? 3 : 1
    }
    return SortKey(
      first: Int(p.date.dayNumber) << 16 | phase << 8 | Int(p.role.rawValue),
      source: sourceKey[Int(p.compiled)], entryID: p.entryID, line: p.line)
  }

  /// Sorts `postings` into replay order in place.
  func sortInMemory() {
    // Sort compact keys, then move the postings into that order in place (no second array
    // of postings: this runs at the run's peak memory).
    var keys = postings.indices.map { i in (sortKey(postings[i]), i) }
    keys.sort { $0.0 < $1.0 }
    var from = keys.map(\.1)  // position k takes the posting now at from[k]
    keys = []
    BookCollector.permute(&postings, &from)
  }

  /// Reorders `list` so `list[k]` is the element that was at `from[k]`, following cycles;
  /// `from` is used up (entries set to -1 once placed).
  static func permute<T>(_ list: inout [T], _ from: inout [Int]) {
    for start in from.indices where from[start] >= 0 {
      let held = list[start]
      var k = start
      while true {
        let next = from[k]
        from[k] = -1
        if next == start {
          list[k] = held
          break
        }
        list[k] = list[next]
        k = next
      }
    }
  }
}
