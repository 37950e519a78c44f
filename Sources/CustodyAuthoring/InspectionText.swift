import CustodyLedger
import Foundation

extension LedgerInspection {
  /// The table `custody inspect` prints: one line per table (format, rows, sha256 prefix, date
  /// ranges), then extra columns, mappings and cell errors, then the totals.
  public func renderText() -> String {
    let summary = self
    var out =
      "ledger \(summary.folder)  (schema \(summary.schema)\(summary.profile.map { ", profile \($0)" } ?? ""))\n\n"
    out += "table                 format  rows      sha256            dates\n"
    for t in summary.tables {
      let name = t.name.padding(toLength: 21, withPad: " ", startingAt: 0)
      let format = (t.file.absent ? "absent" : t.format).padding(
        toLength: 7, withPad: " ", startingAt: 0)
      let rows = String(t.file.rows).padding(toLength: 9, withPad: " ", startingAt: 0)
      let sha = String(t.file.sha256.prefix(16)).padding(
        toLength: 17, withPad: " ", startingAt: 0)
      let dates = t.dateRanges.map { "\($0.column) \($0.min)..\($0.max)" }.joined(separator: ", ")
      out += "\(name) \(format) \(rows) \(sha) \(dates)\n"
      if !t.file.extraColumns.isEmpty {
        out += "    extra columns ignored: \(t.file.extraColumns.joined(separator: ", "))\n"
      }
      if !t.mapping.isEmpty { out += "    mapping: \(t.mapping.joined(separator: "; "))\n" }
      for (code, count) in t.cellErrors.sorted(by: { $0.key < $1.key }) {
        out += "    \(count) cell error\(count == 1 ? "" : "s") \(code)\n"
      }
    }
    let total = summary.cellErrorsByCode.reduce(0) { $0 + $1.count }
    out +=
      "\n\(summary.tables.reduce(0) { $0 + $1.file.rows }) rows; \(total) cell error\(total == 1 ? "" : "s")"
    if total > 0 {
      out +=
        ": "
        + summary.cellErrorsByCode.map { "\($0.count) \($0.code.id) (\($0.code.title))" }.joined(
          separator: ", ")
    }
    return out + "\n"
  }
}
