import CustodyValues

/// A small ledger schema shaped like the canonical one, for expression tests.
enum TestSchema {
  static let receipts = TableSchema(
    name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
    columns: [
      ColumnSchema(name: "entry_id", type: .string, required: true),
      ColumnSchema(name: "date", type: .date, required: true),
      ColumnSchema(name: "site", type: .string, required: true),
      ColumnSchema(name: "supplier", type: .string, required: true),
      ColumnSchema(name: "partner", type: .string, required: false),
      ColumnSchema(name: "customer", type: .string, required: false),
      ColumnSchema(name: "pool", type: .enumeration(["PCL", "MR", "none"]), required: true),
      ColumnSchema(
        name: "origin",
        type: .enumeration(["post_consumer", "pre_consumer", "primary", "same_process", "unknown"]),
        required: true),
      ColumnSchema(name: "gross_t", type: .decimal(unit: "t", maxScale: 6), required: true),
      ColumnSchema(name: "cu_pct", type: .decimal(unit: "%", maxScale: 4), required: true),
      ColumnSchema(name: "cu_t", type: .decimal(unit: "t", maxScale: 6), required: true),
      ColumnSchema(name: "lines", type: .integer, required: false),
      ColumnSchema(name: "tags", type: .list(separator: ";"), required: false),
    ])
  static let suppliers = TableSchema(
    name: "suppliers", file: "suppliers.csv", key: ["supplier_id"],
    columns: [
      ColumnSchema(name: "supplier_id", type: .string, required: true),
      ColumnSchema(
        name: "due_diligence", type: .enumeration(["passed", "failed", "pending"]), required: true),
      ColumnSchema(name: "valid_from", type: .date, required: true),
      ColumnSchema(name: "valid_to", type: .date, required: false),
    ], validFrom: "valid_from", validTo: "valid_to")
  static let partners = TableSchema(
    name: "partners", file: "partners.csv", key: ["partner_id"],
    columns: [
      ColumnSchema(name: "partner_id", type: .string, required: true),
      ColumnSchema(name: "affiliates", type: .list(separator: ";"), required: false),
      ColumnSchema(name: "valid_from", type: .date, required: true),
      ColumnSchema(name: "valid_to", type: .date, required: false),
    ], validFrom: "valid_from", validTo: "valid_to")
  static let factors = TableSchema(
    name: "conversion_factors", file: "conversion_factors.csv", key: ["site"],
    columns: [
      ColumnSchema(name: "site", type: .string, required: true),
      ColumnSchema(name: "factor", type: .decimal(unit: nil, maxScale: 6), required: true),
      ColumnSchema(name: "valid_from", type: .date, required: true),
      ColumnSchema(name: "valid_to", type: .date, required: false),
    ], validFrom: "valid_from", validTo: "valid_to")
  static let sites = TableSchema(
    name: "sites", file: "sites.csv", key: ["site"],
    columns: [
      ColumnSchema(name: "site", type: .string, required: true),
      ColumnSchema(name: "in_scope", type: .boolean, required: true),
    ])
  static let stock = TableSchema(
    name: "stock_counts", file: "stock_counts.csv", key: ["entry_id"],
    columns: [
      ColumnSchema(name: "entry_id", type: .string, required: true),
      ColumnSchema(name: "physical_cu_t", type: .decimal(unit: "t", maxScale: 6), required: true),
      ColumnSchema(name: "book_cu_t", type: .decimal(unit: "t", maxScale: 6), required: true),
    ])
  static let schema = LedgerSchema(
    id: "test", version: "1", tables: [receipts, suppliers, partners, factors, sites, stock])
}
