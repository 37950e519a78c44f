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
  struct Compiled {
    var role: RawPosting.Role
    var source: Int
    var gate: RowGate
    var date: Program
    var account: [Program]
    var to: [Program]?
    var amount: Program
    var label: String
    var excludeFailing: [String]
    var dateNode: ExprNode
    var amountNode: ExprNode
  }
  let book: CompiledBook
  var bySource: [String: [Compiled]] = [:]
  var postings: [RawPosting] = []

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

  func consume(table: String, row: LedgerRow, out: RuleOutput) {
    for c in bySource[table] ?? [] {
      var frame = Frame(row: row.values)
      guard c.gate.admitCounting(row, &frame, table: table, out: out) else { continue }
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
            message: "the \(c.label) amount is \(av.literal), not a number", span: c.amountNode.span,
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
        out.error(error, table: table, row: row, date: c.gate.date(of: row))
      }
    }
  }

  /// Postings in replay order: by date, then the same-day phase, then book order and line.
  func ordered() -> [RawPosting] {
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
    let tables = Dictionary(uniqueKeysWithValues: Set(postings.map(\.table)).sorted().enumerated().map { ($1, $0) })
    let keys = postings.indices.map { i -> (Int, Int, Int) in
      let p = postings[i]
      let first = Int(p.date.dayNumber) << 16 | phase(p.role) << 8 | p.role.rawValue
      let second = p.source << 48 | (tables[p.table] ?? 0) << 40 | p.line
      return (first, second, i)
    }
    return keys.sorted { $0 < $1 }.map { postings[$0.2] }
  }
}
