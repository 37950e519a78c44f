import CustodyLanguage
import CustodyLedger
import CustodyValues

/// A book entry evaluated from one ledger row, before replay.
struct RawPosting {
  enum Role: Int {
    case opening, credit, transfer, debit, inputTotal, outputTotal
  }
  var role: Role
  var date: CivilDate
  var account: [Value]
  /// The receiving account of a transfer.
  var to: [Value]?
  var amount: ExactDecimal
  var table: String
  var line: Int
  var entryID: String?
  var label: String
  /// Which source of its role (book order), for a stable same-day order.
  var source: Int
  var excludeFailing: [String]
}

/// Evaluates the book's sources over streamed rows into raw postings.
final class BookCollector {
  /// A class, so the per-row loop retains one reference instead of copying every field.
  final class Compiled {
    let role: RawPosting.Role
    let source: Int
    let gate: RowGate
    let date: Program
    let account: [Program]
    let to: [Program]?
    let amount: Program
    let label: String
    let excludeFailing: [String]
    let dateNode: ExprNode
    let amountNode: ExprNode
    init(
      role: RawPosting.Role, source: Int, gate: RowGate, date: Program,
      account: [Program],
      to: [Program]?, amount: Program, label: String, excludeFailing: [String],
      dateNode: ExprNode,
      amountNode: ExprNode
    ) {
      (self.role, self.source, self.gate, self.date, self.account, self.to) = (
        role, source, gate, date, account, to
      )
      (self.amount, self.label, self.excludeFailing, self.dateNode, self.amountNode) =
        (amount, label, excludeFailing, dateNode, amountNode)
    }
  }
  let book: CompiledBook
  var bySource: [String: [Compiled]] = [:]
  var postings: [RawPosting] = []
  /// Outputs of every mass_balance check that shares this collector (same sources, same
  /// same-day order): each row is evaluated once and its gate counts and errors go to each.
  var outputs: [RuleOutput] = []
  private var orderedCache: [RawPosting]?
  private var excludedCache: [Bool]?

  init(book: CompiledBook, instance: RuleInstance, run: RunContext) {
    self.book = book
    // Balances count every posting; effective dates only limit which failures are reported.
    var undated = instance
    undated.effectiveFrom = nil
    undated.effectiveUntil = nil
    func add(_ role: RawPosting.Role, _ i: Int, _ s: CompiledBook.Source) {
      let table = run.schema.table(s.table) ?? TableSchema(name: s.table, file: "", columns: [])
      let gate = RowGate(
        table: table, instance: undated, expressions: [s.date, s.amount] + s.account,
        filter: s.filter, run: run)
      bySource[s.table, default: []].append(
        Compiled(
          role: role, source: i, gate: gate, date: run.compiler.compile(s.date),
          account: s.account.map(run.compiler.compile), to: nil,
          amount: run.compiler.compile(s.amount), label: s.label, excludeFailing: s.excludeFailing,
          dateNode: s.date, amountNode: s.amount))
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
      bySource[t.table, default: []].append(
        Compiled(
          role: .transfer, source: i, gate: gate, date: run.compiler.compile(t.date),
          account: t.from.map(run.compiler.compile), to: t.to.map(run.compiler.compile),
          amount: run.compiler.compile(t.amount), label: "transfer", excludeFailing: [],
          dateNode: t.date, amountNode: t.amount))
    }
  }

  var tables: [String] { bySource.keys.sorted() }

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

  func consume(table: String, row: LedgerRow, out: RuleOutput) {
    guard let sources = bySource[table] else { return }
    for c in sources {
      var frame = Frame(row: row.values)
      let outcome = c.gate.admit(row, &frame)
      guard case .judge = outcome else {
        if outputs.isEmpty {
          c.gate.record(outcome, row, table: table, out: out)
        } else {
          for o in outputs { c.gate.record(outcome, row, table: table, out: o) }
        }
        continue
      }
      do throws(EvaluationError) {
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
        var account: [Value] = []
        for a in c.account { account.append(LookupIndex.normalize(try a(&frame))) }
        var to: [Value]?
        if let t = c.to {
          var v: [Value] = []
          for a in t { v.append(LookupIndex.normalize(try a(&frame))) }
          to = v
        }
        postings.append(
          RawPosting(
            role: c.role, date: date, account: account, to: to, amount: amount, table: table,
            line: row.line, entryID: row.entryID, label: c.label, source: c.source,
            excludeFailing: c.excludeFailing))
      } catch {
        if outputs.isEmpty {
          out.error(error, table: table, row: row, date: c.gate.date(of: row))
        } else {
          for o in outputs { o.error(error, table: table, row: row, date: c.gate.date(of: row)) }
        }
      }
    }
  }

  /// Postings in replay order: by date, then the same-day phase, then book order and line.
  func ordered() -> [RawPosting] {
    if let orderedCache { return orderedCache }
    let sorted = sortPostings()
    orderedCache = sorted
    postings = []
    return sorted
  }

  /// Per posting of `ordered()`: a credit whose row fails a rule in its `exclude_failing:`.
  /// Computed once per collector (the failing rows do not depend on which check asks).
  func excluded(_ ctx: any FinishContext) -> [Bool] {
    if let excludedCache { return excludedCache }
    let list = ordered()
    var sets: [String: [Set<Int>]] = [:]  // per table + source: the failing lines per rule
    var flags = [Bool](repeating: false, count: list.count)
    for (i, p) in list.enumerated() where p.role == .credit && !p.excludeFailing.isEmpty {
      let key = "\(p.source)\u{1F}" + p.table
      let failing: [Set<Int>]
      if let known = sets[key] {
        failing = known
      } else {
        failing = p.excludeFailing.map { ctx.failingLines(of: $0, table: p.table) ?? [] }
        sets[key] = failing
      }
      flags[i] = failing.contains { $0.contains(p.line) }
    }
    excludedCache = flags
    return flags
  }

  private func sortPostings() -> [RawPosting] {
    let creditsFirst = book.sameDay == .creditsFirst
    func phase(_ r: RawPosting.Role) -> Int {
      switch r {
      case .opening: 0
      case .credit, .inputTotal: creditsFirst ? 1 : 3
      case .transfer: 2
      case .debit, .outputTotal: creditsFirst ? 3 : 1
      }
    }
    // Sort compact integer keys, not the postings themselves (they hold arrays and strings).
    let tables = Dictionary(
      uniqueKeysWithValues: Set(postings.map(\.table)).sorted().enumerated().map { ($1, $0) })
    let keys = postings.indices.map { i -> (Int, Int, Int) in
      let p = postings[i]
      let first = Int(p.date.dayNumber) << 16 | phase(p.role) << 8 | p.role.rawValue
      let second = p.source << 48 | (tables[p.table] ?? 0) << 40 | p.line
      return (first, second, i)
    }
    return keys.sorted { $0 < $1 }.map { postings[$0.2] }
  }
}
