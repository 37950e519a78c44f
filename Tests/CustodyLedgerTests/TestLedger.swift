import CustodyValues
import Foundation

@testable import CustodyLedger

/// A small valid canonical ledger as rows of text, and helpers to write it (and variants of
/// it) into a temporary folder.
enum TestLedger {
  /// Table file name -> header + rows. Includes a quoted field with a comma, a quote and a
  /// line break (documents, line 3) so variants exercise RFC 4180 quoting.
  static let valid: [String: [[String]]] = [
    "sites.csv": [
      ["site", "name", "entity", "in_scope"],
      ["SM1", "Smelter One", "CuCo GmbH", "true"],
      ["RF2", "Refinery Two", "CuCo GmbH", "false"],
    ],
    "suppliers.csv": [
      ["supplier", "name", "due_diligence", "valid_from", "valid_to"],
      ["SUP-1", "Scrap & Co", "passed", "2024-01-01", "2024-12-31"],
      ["SUP-2", "Mine \"Nord\"", "pending", "2024-01-01", "2024-06-30"],
    ],
    "partners.csv": [
      ["partner", "name", "agreement", "valid_from", "valid_to", "affiliates"],
      ["P-1", "Recycler AG", "AG-7", "2024-01-01", "2025-12-31", "SUP-1;SUP-3"],
    ],
    "periods.csv": [
      ["site", "period", "start", "end"],
      ["SM1", "2024", "2024-01-01", "2024-12-31"],
    ],
    "conversion_factors.csv": [
      ["site", "factor", "valid_from", "valid_to", "basis_document"],
      ["SM1", "0.985", "2024-01-01", "2024-12-31", "Yield study 2023"],
    ],
    "cfp_factors.csv": [
      ["route", "kg_co2e_per_t", "valid_from", "valid_to"],
      ["recycled", "1200.5", "2024-01-01", "2024-12-31"],
      ["average", "3800", "2024-01-01", "2024-12-31"],
    ],
    "receipts.csv": [
      [
        "entry_id", "date", "site", "supplier", "material", "origin", "pool", "partner", "gross_t",
        "cu_pct", "cu_t", "document_id",
      ],
      [
        "R-1", "2024-01-15", "SM1", "SUP-1", "No. 2 scrap", "post_consumer", "PCL", "P-1", "10.000",
        "96.5", "9.65", "D-R1",
      ],
      [
        "R-2", "2024-02-01", "SM1", "SUP-2", "concentrate", "primary", "NONE", "", "100",
        "25.123456", "25.123456", "D-R2",
      ],
      [
        "R-3", "2024-03-09", "SM1", "SUP-1", "cable, chopped", "pre_consumer", "MR", "", "2.5",
        "80", "2", "D-R3",
      ],
    ],
    "shipments.csv": [
      [
        "entry_id", "date", "site", "customer", "product", "cu_t", "claim", "document_id",
        "cfp_kg_per_t",
      ],
      ["S-1", "2024-03-20", "SM1", "Wire Works", "cathode", "5", "PCL100/mb", "DOC-1", "1200.5"],
      ["S-2", "2024-03-21", "SM1", "Tube Ltd", "cathode", "20", "", "", "3800"],
    ],
    "documents.csv": [
      ["document_id", "issue_date", "recipient", "cu_t", "claim", "model", "certificate"],
      [
        "DOC-1", "2024-03-20", "Wire Works", "5", "PCL100/mb", "mass balance",
        "Note: \"PCL\", first line\nsecond line",
      ],
    ],
  ]

  struct Variant {
    var lineEnd = "\n"
    var bom = false
    var reverseColumns = false
    var extraColumn = false
    var quoteAll = false
  }

  static func csvField(_ s: String, quoteAll: Bool = false, delimiter: Character = ",") -> String {
    if quoteAll || s.contains(delimiter) || s.contains("\"") || s.contains("\n") || s.contains("\r")
    {
      return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
  }

  static func csv(_ rows: [[String]], _ v: Variant = Variant()) -> String {
    var out = v.bom ? "\u{FEFF}" : ""
    for (i, row) in rows.enumerated() {
      var cells = row
      if v.extraColumn {
        cells.insert(i == 0 ? "legacy_note" : "x, \"y\"", at: min(1, cells.count))
      }
      if v.reverseColumns { cells.reverse() }
      out += cells.map { csvField($0, quoteAll: v.quoteAll) }.joined(separator: ",") + v.lineEnd
    }
    return out
  }

  /// A fresh temporary folder (removed by the caller with `remove`).
  static func tempFolder() -> String {
    let path = NSTemporaryDirectory() + "custody-ledger-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func remove(_ folder: String) { try? FileManager.default.removeItem(atPath: folder) }

  static func write(_ folder: String, _ name: String, _ text: String) {
    _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(text.utf8))
  }

  static func write(_ folder: String, _ name: String, bytes: [UInt8]) {
    _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(bytes))
  }

  /// Writes the valid ledger (as a variant) into a new temp folder.
  static func writeValid(_ v: Variant = Variant()) -> String {
    let folder = tempFolder()
    for (name, rows) in valid { write(folder, name, csv(rows, v)) }
    return folder
  }

  /// Every table's rows as (line, entry id, values, invalid columns), plus the cell errors.
  static func readAll(_ ledger: FolderLedger) throws -> [String: [String]] {
    var out: [String: [String]] = [:]
    for table in ledger.schema.tables {
      var rows: [String] = []
      try ledger.read(table: table.name) { row in
        rows.append(
          "\(row.line)|\(row.entryID ?? "-")|\(row.values.map(\.literal).joined(separator: "|"))|\(row.invalidColumns)"
        )
      }
      out[table.name] = rows
    }
    return out
  }
}
