import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyValues
import FuzzSupport

// Fuzz target: date arithmetic (issue 22, item 6). The input is read as a day number and an
// Int offset (any 64-bit value, including Int.min and Int.max), then:
// - `CivilDate.adding(days:)` / `adding(months:)` never trap; nil exactly when the result
//   leaves years 1-9999; a day offset round-trips; a month offset keeps the day or clamps it
//   to the month's end; `addingDays` / `addingMonths` clamp to earliest...latest;
// - `add_days(date, lines)` and `add_months(date, lines)` compiled as expressions and
//   evaluated on a row whose integer column holds the offset (a ledger cell) end in a date or
//   an `EvaluationError` (arithmetic_overflow), never a trap; `add_days(date, N)` with the
//   offset as a literal in the rule does the same.

private let table = TableSchema(
  name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
  columns: [
    ColumnSchema(name: "entry_id", type: .string, required: true),
    ColumnSchema(name: "date", type: .date, required: true),
    ColumnSchema(name: "lines", type: .integer, required: false),
    ColumnSchema(name: "cu_t", type: .decimal(unit: "t", maxScale: 6), required: false),
  ])
private let schema = LedgerSchema(id: "fuzz", version: "1", tables: [table])
private let earliest = Int(CivilDate.earliest.dayNumber)
private let latest = Int(CivilDate.latest.dayNumber)

private func int64(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int64 {
  var v: UInt64 = 0
  for i in 0..<8 { v = v << 8 | UInt64(at + i < b.count ? b[at + i] : 0) }
  return Int64(bitPattern: v)
}

private func checkArithmetic(_ date: CivilDate, _ n: Int) {
  let sum = Int(date.dayNumber).addingReportingOverflow(n)
  let inRange = !sum.overflow && (earliest...latest).contains(sum.partialValue)
  let byDays = date.adding(days: n)
  FuzzDriver.require(
    (byDays != nil) == inRange, "adding(days: \(n)) to \(date) gave \(String(describing: byDays))")
  if let byDays {
    FuzzDriver.require(byDays.adding(days: -n) == date, "day offset \(n) does not round-trip")
  }
  let clamped = date.addingDays(n)
  FuzzDriver.require(
    clamped >= CivilDate.earliest && clamped <= CivilDate.latest, "addingDays left the calendar")
  if let byMonths = date.adding(months: n) {
    let (y, m, d) = date.components
    let (ny, nm, nd) = byMonths.components
    FuzzDriver.require(
      (ny * 12 + nm - 1) - (y * 12 + m - 1) == n, "adding(months: \(n)) to \(date) = \(byMonths)")
    FuzzDriver.require(
      nd == min(d, CivilDate.daysInMonth(year: ny, month: nm)),
      "adding(months: \(n)) to \(date) = \(byMonths): wrong day")
  } else {
    let months = date.year * 12 + date.month - 1
    let target = months.addingReportingOverflow(n)
    FuzzDriver.require(
      target.overflow || target.partialValue < 12 || target.partialValue >= 10_000 * 12,
      "adding(months: \(n)) to \(date) gave nil inside the calendar")
  }
  let clampedMonths = date.addingMonths(n)
  FuzzDriver.require(
    clampedMonths >= CivilDate.earliest && clampedMonths <= CivilDate.latest,
    "addingMonths left the calendar")
}

private func evaluate(_ text: String, date: CivilDate, lines: Int64) {
  let (node, diagnostics) = ExpressionCompiler.compile(text: text, table: table, schema: schema)
  guard let node else {
    FuzzDriver.require(!diagnostics.isEmpty, "no node and no diagnostic for \(text)")
    return
  }
  var row = [Value](repeating: .null, count: table.columns.count)
  row[0] = .string("R-1")
  row[1] = .date(date)
  row[2] = .integer(lines)
  var frame = Frame(row: row)
  do throws(EvaluationError) {
    let v = try ProgramCompiler(lookups: Lookups()).evaluate(node, &frame)
    FuzzDriver.require(v.asDate != nil || v.isNull, "\(text) gave \(v), not a date")
  } catch {
    FuzzDriver.require(
      error.code == .arithmeticOverflow || error.code == .badArgument,
      "\(text) failed with \(error.code.id): \(error.message)")
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDates(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let b = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
  guard b.count >= 1 else { return 0 }
  let mode = b[0]
  let day = int64(b, 1)
  let offset = int64(b, 9)
  // A date inside the calendar from the first number (the reader never makes others).
  let span = Int64(latest - earliest + 1)
  let date = CivilDate(dayNumber: Int32(Int64(earliest) + ((day % span) + span) % span))
  // Small offsets are as interesting as huge ones: mode bit 0 shrinks the offset.
  let n = mode & 1 == 0 ? Int(offset) : Int(offset % 50_000)
  checkArithmetic(date, n)
  if mode & 2 != 0 {
    evaluate("add_days(date, lines)", date: date, lines: Int64(n))
    evaluate("add_months(date, lines)", date: date, lines: Int64(n))
    evaluate("add_days(date, \(n))", date: date, lines: 0)
    evaluate("add_months(date, \(n))", date: date, lines: 0)
    evaluate("add_months(date, cu_t)", date: date, lines: 0)
  }
  return 0
}

_ = schema
FuzzDriver.main(fuzzDates)
