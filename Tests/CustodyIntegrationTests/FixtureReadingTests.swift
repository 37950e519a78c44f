import CustodyDiagnostics
import CustodyLedger
import CustodyValues
import CustodyYAML
import Foundation
import Testing

/// Every committed fixture reads with the real ledger reader against the shipped schema
/// (standards/schema/custody-ledger-v1.yaml) without a single cell error, so the planted
/// non-conformities are the only findings a validator can make.
@Suite struct FixtureReadingTests {
  static let root = SampleGeneratorTests.root

  /// A minimal reading of the ledger schema YAML, enough for the reader (the compiler owns
  /// the full loader with diagnostics).
  static func canonicalSchema() throws -> LedgerSchema {
    var bag = DiagnosticBag()
    let path = root + "/standards/schema/custody-ledger-v1.yaml"
    guard let top = YAMLLoader().load(path: path, into: &bag)?.mapping,
      let tables = top["tables"]?.sequence
    else {
      throw SchemaError(message: "cannot load \(path): \(bag.diagnostics)")
    }
    func strings(_ node: YAMLNode?) -> [String] {
      node?.sequence?.items.compactMap { $0.scalar?.value } ?? []
    }
    var result: [TableSchema] = []
    for node in tables.items {
      guard let t = node.mapping else { continue }
      var columns: [ColumnSchema] = []
      for c in t["columns"]?.sequence?.items.compactMap(\.mapping) ?? [] {
        let type: ColumnType =
          switch c["type"]?.scalar?.value ?? "string" {
          case "decimal":
            .decimal(unit: c["unit"]?.scalar?.value, maxScale: Int(c["scale"]?.scalar?.value ?? ""))
          case "integer": .integer
          case "date": .date
          case "boolean": .boolean
          case "enum": .enumeration(strings(c["values"]))
          case "list": .list(separator: c["separator"]?.scalar?.value ?? ";")
          default: .string
          }
        columns.append(
          ColumnSchema(
            name: c["name"]?.scalar?.value ?? "", type: type,
            required: c["required"]?.scalar?.value == "true",
            minimum: c["min"]?.scalar.flatMap { ExactDecimal($0.value) }))
      }
      let valid = strings(t["valid"])
      result.append(
        TableSchema(
          name: t["name"]?.scalar?.value ?? "", file: t["file"]?.scalar?.value ?? "",
          optional: t["optional"]?.scalar?.value == "true", key: strings(t["key"]),
          entryID: t["entry_id"]?.scalar?.value, columns: columns, validFrom: valid.first,
          validTo: valid.last))
    }
    return LedgerSchema(id: "custody-ledger", version: "1", tables: result)
  }

  struct SchemaError: Error { var message: String }

  static var folders: [String] {
    ["sample"]
      + ((try? FileManager.default.contentsOfDirectory(atPath: root + "/fixtures/planted")) ?? [])
      .sorted().map { "planted/" + $0 }
  }

  @Test func schemaHasTheCanonicalTables() throws {
    let schema = try Self.canonicalSchema()
    #expect(
      schema.tables.map(\.name) == [
        "sites", "suppliers", "partners", "periods", "conversion_factors", "cfp_factors",
        "receipts", "shipments",
        "documents", "certificates", "transfers", "opening_balances", "previous_closing",
        "previous_periods", "stock_counts", "awards",
      ])
    #expect(schema.table("transfers")?.optional == true)
    #expect(schema.table("suppliers")?.validFrom == "valid_from")
    #expect(schema.table("receipts")?.column("cu_t")?.type == .decimal(unit: "t", maxScale: 6))
  }

  @Test(arguments: folders)
  func fixtureReadsWithoutCellErrors(folder: String) throws {
    let schema = try Self.canonicalSchema()
    let ledger = try FolderLedger.open(folder: Self.root + "/fixtures/" + folder, schema: schema)
    var rows: [String: Int] = [:]
    for table in schema.tables {
      try ledger.read(table: table.name) { _ in rows[table.name, default: 0] += 1 }
    }
    // Only the root-cause fixtures of issue 16 plant an unreadable cell, each exactly one.
    let planted: [String: [String]] = [
      "planted/unreadable-concentrate-copper": [
        "receipts:302 '12,5x' is not a decimal number: unexpected character ',' at position 3 of the number"
      ],
      "planted/unreadable-factor-bound": [
        "conversion_factors:8 '2024-13-01' is not a valid date (yyyy-MM-dd)"
      ],
      "planted/unreadable-origin": [
        "receipts:302 'mine' is not one of post_consumer, pre_consumer, primary, same_process, unknown for 'origin'"
      ],
    ]
    #expect(
      ledger.cellErrors.map { "\($0.table):\($0.provenance.line) \($0.message)" }
        == planted[folder, default: []])
    #expect(rows["sites"] == 4)
    #expect((rows["receipts"] ?? 0) >= 600)
  }
}
