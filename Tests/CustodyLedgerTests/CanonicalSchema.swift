import CustodyValues

/// The canonical custody ledger v1 (issue 3) as Swift values, mirroring
/// standards/schema/custody-ledger-v1.yaml so ledger tests do not depend on the compiler.
enum CanonicalSchema {
  static func col(
    _ name: String, _ type: ColumnType = .string, required: Bool = false, min: ExactDecimal? = nil
  ) -> ColumnSchema {
    ColumnSchema(name: name, type: type, required: required, minimum: min)
  }
  static let tonnes = ColumnType.decimal(unit: "t", maxScale: 6)
  /// Credits (copper x conversion factor): up to 12 decimals.
  static let credits = ColumnType.decimal(unit: "t", maxScale: 12)
  static let percent = ColumnType.decimal(unit: "%", maxScale: 6)
  static let plain = ColumnType.decimal(unit: nil, maxScale: 6)

  static let v1 = LedgerSchema(
    id: "custody-ledger", version: "1",
    tables: [
      TableSchema(
        name: "sites", file: "sites.csv", key: ["site"], entryID: "site",
        columns: [
          col("site", required: true), col("name"), col("entity", required: true),
          col("in_scope", .boolean, required: true),
        ]),
      TableSchema(
        name: "suppliers", file: "suppliers.csv", key: ["supplier"],
        columns: [
          col("supplier", required: true), col("name"),
          col("due_diligence", .enumeration(["passed", "pending", "failed"]), required: true),
          col("valid_from", .date, required: true), col("valid_to", .date, required: true),
        ], validFrom: "valid_from", validTo: "valid_to"),
      TableSchema(
        name: "partners", file: "partners.csv", key: ["partner"], entryID: "partner",
        columns: [
          col("partner", required: true), col("name"), col("agreement", required: true),
          col("valid_from", .date, required: true), col("valid_to", .date, required: true),
          col("affiliates", .list(separator: ";")),
        ], validFrom: "valid_from", validTo: "valid_to"),
      TableSchema(
        name: "periods", file: "periods.csv", key: ["site", "period"], entryID: "period",
        columns: [
          col("site", required: true), col("period", required: true),
          col("start", .date, required: true), col("end", .date, required: true),
        ], validFrom: "start", validTo: "end"),
      TableSchema(
        name: "conversion_factors", file: "conversion_factors.csv", key: ["site"],
        columns: [
          col("site", required: true), col("factor", plain, required: true, min: 0),
          col("valid_from", .date, required: true), col("valid_to", .date, required: true),
          col("basis_document"),
        ], validFrom: "valid_from", validTo: "valid_to"),
      TableSchema(
        name: "cfp_factors", file: "cfp_factors.csv", key: ["route"],
        columns: [
          col("route", .enumeration(["recycled", "average", "residual"]), required: true),
          col("kg_co2e_per_t", plain, required: true, min: 0),
          col("valid_from", .date, required: true), col("valid_to", .date, required: true),
        ], validFrom: "valid_from", validTo: "valid_to"),
      TableSchema(
        name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
        columns: [
          col("entry_id", required: true), col("date", .date, required: true),
          col("site", required: true), col("supplier", required: true),
          col("material", required: true),
          col(
            "origin",
            .enumeration(["post_consumer", "pre_consumer", "primary", "same_process", "unknown"]),
            required: true),
          col("pool", .enumeration(["PCL", "MR", "NONE"]), required: true), col("partner"),
          col("gross_t", tonnes, required: true, min: 0),
          col("cu_pct", percent, required: true, min: 0),
          col("cu_t", tonnes, required: true, min: 0), col("document_id"),
        ]),
      TableSchema(
        name: "shipments", file: "shipments.csv", key: ["entry_id"], entryID: "entry_id",
        columns: [
          col("entry_id", required: true), col("date", .date, required: true),
          col("site", required: true), col("customer", required: true),
          col("product", required: true), col("cu_t", tonnes, required: true, min: 0),
          col("claim"), col("document_id"), col("cfp_kg_per_t", plain, required: true, min: 0),
          col("partner"),
        ]),
      TableSchema(
        name: "documents", file: "documents.csv", key: ["document_id"], entryID: "document_id",
        columns: [
          col("document_id", required: true), col("issue_date", .date), col("recipient"),
          col("cu_t", tonnes, min: 0), col("claim"), col("model"), col("certificate"),
        ]),
      TableSchema(
        name: "certificates", file: "certificates.csv", optional: true, key: ["certificate"],
        entryID: "certificate",
        columns: [
          col("certificate", required: true), col("entity", required: true),
          col("sites", .list(separator: ";"), required: true), col("standard", required: true),
          col("valid_from", .date, required: true), col("valid_to", .date, required: true),
          col("status", .enumeration(["active", "suspended", "withdrawn"]), required: true),
        ], validFrom: "valid_from", validTo: "valid_to"),
      TableSchema(
        name: "transfers", file: "transfers.csv", optional: true, key: ["transfer_id"],
        entryID: "transfer_id",
        columns: [
          col("transfer_id", required: true), col("date", .date, required: true),
          col("from_site", required: true), col("to_site", required: true),
          col("pool", .enumeration(["PCL", "MR"]), required: true), col("partner"),
          col("cu_t", tonnes, required: true, min: 0),
        ]),
      TableSchema(
        name: "opening_balances", file: "opening_balances.csv", optional: true,
        key: ["site", "pool", "partner", "created"], entryID: "opening_id",
        columns: [
          col("opening_id", required: true), col("site", required: true),
          col("pool", .enumeration(["PCL", "MR"]), required: true), col("partner"),
          col("created", .date, required: true), col("cu_t", credits, required: true, min: 0),
        ]),
      TableSchema(
        name: "previous_closing", file: "previous_closing.csv", optional: true,
        key: ["site", "pool", "partner", "created"],
        columns: [
          col("site", required: true), col("pool", required: true), col("partner"),
          col("created", .date, required: true), col("cu_t", credits, required: true, min: 0),
          col("report"),
        ]),
      TableSchema(
        name: "previous_periods", file: "previous_periods.csv", optional: true, key: ["site"],
        columns: [
          col("site", required: true), col("period_end", .date, required: true), col("report"),
        ]),
      TableSchema(
        name: "stock_counts", file: "stock_counts.csv", optional: true, key: ["site", "date"],
        columns: [
          col("site", required: true), col("date", .date, required: true),
          col("physical_cu_t", tonnes, required: true, min: 0),
          col("book_cu_t", tonnes, required: true, min: 0),
        ]),
      TableSchema(
        name: "awards", file: "awards.csv", optional: true, key: ["supplier"], entryID: "award",
        columns: [
          col("award", required: true), col("supplier", required: true), col("site_name"),
          col(
            "status", .enumeration(["awarded", "in_progress", "suspended", "withdrawn"]),
            required: true),
          col("valid_from", .date, required: true), col("valid_to", .date, required: true),
        ], validFrom: "valid_from", validTo: "valid_to"),
    ])
}
