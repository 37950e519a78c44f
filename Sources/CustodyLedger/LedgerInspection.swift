import CustodyDiagnostics
import CustodyValues

/// What `custody inspect LEDGER` shows: per table its file, format, rows, date ranges, sha256,
/// extra columns and the mapping applied; and cell errors counted by code. The CLI renders it.
public struct LedgerInspection: Sendable, Hashable {
  /// The earliest and latest value of one date column (nulls and invalid cells left out).
  public struct DateRange: Sendable, Hashable {
    public var column: String
    public var min: CivilDate
    public var max: CivilDate
  }

  public struct Table: Sendable, Hashable {
    public var name: String
    /// `csv`, `jsonl` or `absent`.
    public var format: String
    public var file: LedgerFileInfo
    public var dateRanges: [DateRange]
    /// The profile's rules for this table, one line each (empty without a profile).
    public var mapping: [String]
    /// Cell errors in this table by code id, in code order.
    public var cellErrors: [String: Int]
  }

  public var folder: String
  public var schema: String
  public var profile: String?
  public var tables: [Table]
  /// Cell errors across all tables, by code, in code order.
  public var cellErrorsByCode: [(code: DiagnosticCode, count: Int)]

  public static func == (a: LedgerInspection, b: LedgerInspection) -> Bool {
    a.folder == b.folder && a.schema == b.schema && a.profile == b.profile && a.tables == b.tables
      && a.cellErrorsByCode.map(\.code) == b.cellErrorsByCode.map(\.code)
      && a.cellErrorsByCode.map(\.count) == b.cellErrorsByCode.map(\.count)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(folder)
    hasher.combine(tables)
  }
}

extension FolderLedger {
  /// Reads every table once (streaming) and summarizes it. Throws the first structural error.
  public func inspect() throws -> LedgerInspection {
    var tables: [LedgerInspection.Table] = []
    for table in schema.tables {
      guard let plan = plans[table.name] else { continue }
      let dateColumns = table.columns.enumerated().filter { $0.element.type == .date }.map(\.offset)
      var ranges: [Int: (CivilDate, CivilDate)] = [:]
      try read(table: table.name) { row in
        for c in dateColumns {
          guard let d = row.values[c].asDate else { continue }
          if let (lo, hi) = ranges[c] {
            ranges[c] = (Swift.min(lo, d), Swift.max(hi, d))
          } else {
            ranges[c] = (d, d)
          }
        }
      }
      guard let info = files.last(where: { $0.table == table.name }) else { continue }
      var byCode: [String: Int] = [:]
      for (code, count) in cellErrorCounts[table.name] ?? [:] { byCode[code.id] = count }
      tables.append(
        LedgerInspection.Table(
          name: table.name, format: plan.format.rawValue, file: info,
          dateRanges: dateColumns.compactMap { c in
            ranges[c].map {
              LedgerInspection.DateRange(column: table.columns[c].name, min: $0.0, max: $0.1)
            }
          },
          mapping: profile?.describe(table: table.name) ?? [], cellErrors: byCode))
    }
    var counts: [DiagnosticCode: Int] = [:]
    for (_, byCode) in cellErrorCounts {
      for (code, count) in byCode { counts[code, default: 0] += count }
    }
    return LedgerInspection(
      folder: folder, schema: "\(schema.id) v\(schema.version)", profile: profile?.name,
      tables: tables,
      cellErrorsByCode: counts.sorted { $0.key.id < $1.key.id }.map { ($0.key, $0.value) })
  }
}
