import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodyValues

/// The small schema, parameters and rows the expression harness compiles and evaluates
/// against: every column type, a lookup table with a validity window, and nulls.
enum Fixtures {
  static let receipts = TableSchema(
    name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
    columns: [
      ColumnSchema(name: "entry_id", type: .string, required: true),
      ColumnSchema(name: "date", type: .date, required: true),
      ColumnSchema(name: "site", type: .string, required: true),
      ColumnSchema(name: "supplier", type: .string, required: true),
      ColumnSchema(name: "partner", type: .string, required: false),
      ColumnSchema(name: "pool", type: .enumeration(["PCL", "MR", "none"]), required: true),
      ColumnSchema(name: "gross_t", type: .decimal(unit: "t", maxScale: 6), required: true),
      ColumnSchema(name: "cu_pct", type: .decimal(unit: "%", maxScale: 4), required: true),
      ColumnSchema(name: "cu_t", type: .decimal(unit: "t", maxScale: 6), required: true),
      ColumnSchema(name: "lines", type: .integer, required: false),
      ColumnSchema(name: "tags", type: .list(separator: ";"), required: false),
      ColumnSchema(name: "ok", type: .boolean, required: false),
    ])
  static let suppliers = TableSchema(
    name: "suppliers", file: "suppliers.csv", key: ["supplier_id"],
    columns: [
      ColumnSchema(name: "supplier_id", type: .string, required: true),
      ColumnSchema(
        name: "due_diligence", type: .enumeration(["passed", "failed"]), required: true),
      ColumnSchema(name: "valid_from", type: .date, required: true),
      ColumnSchema(name: "valid_to", type: .date, required: false),
    ], validFrom: "valid_from", validTo: "valid_to")
  static let schema = LedgerSchema(id: "fuzz", version: "1", tables: [receipts, suppliers])

  static func dec(_ text: String) -> Value { ExactDecimal(text).map(Value.decimal) ?? .null }
  static func day(_ y: Int, _ m: Int, _ d: Int) -> Value {
    CivilDate(year: y, month: m, day: d).map(Value.date) ?? .null
  }

  static let parameters: [String: ExpressionEnvironment.Parameter] = [
    "tol": .init(type: .decimal(unit: "t"), value: dec("0.001")),
    "big": .init(type: .decimal(unit: nil), value: dec("99999999999999999999999999999.999999")),
    "n": .init(type: .integer, value: .integer(Int64.max)),
    "origins": .init(type: .list(.string), value: .list([.string("PCL"), .string("MR")])),
    "since": .init(type: .date, value: day(2024, 1, 31)),
    "grace": .init(type: .duration, value: .duration(CalendarDuration(30, .days))),
    "unset": .init(type: .decimal(unit: "t"), value: .null),
  ]

  /// Rows to evaluate against: a full one, one at the extremes, and one of nulls.
  static let rows: [[Value]] = [
    [
      .string("R-1"), day(2024, 2, 29), .string("SM1"), .string("S1"), .string("P1"),
      .string("PCL"),
      dec("10.5"), dec("25.0001"), dec("2.625"), .integer(3), .list([.string("a"), .string("b")]),
      .bool(true),
    ],
    [
      .string(""), day(9999, 12, 31), .string("é"), .string("S2"), .null, .string("MR"),
      dec("99999999999999999999999999999.999999"), dec("-0.0001"), dec("0.000001"),
      .integer(Int64.min),
      .list([]), .bool(false),
    ],
    Array(repeating: .null, count: 12),
  ]

  static let lookups: Lookups = {
    let l = Lookups()
    let rows = [
      LedgerRow(
        values: [.string("S1"), .string("passed"), day(2020, 1, 1), .null], line: 2, entryID: "S1"),
      LedgerRow(
        values: [.string("S1"), .string("failed"), day(2019, 1, 1), day(2019, 12, 31)], line: 3,
        entryID: "S1"),
      LedgerRow(
        values: [.string("S2"), .string("failed"), day(1, 1, 1), day(1, 1, 2)], line: 4,
        entryID: "S2"),
    ]
    l.add(LookupIndex(table: suppliers, rows: rows))
    return l
  }()
}
