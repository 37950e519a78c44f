import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues

/// A small inline ledger and a check, with the rows the check must cite. Every check kind
/// ships a list of these (`RowCheck.examples` ...); they run as tests and document the kind.
public struct CheckExample: Sendable {
  public var name: String
  public var check: CheckSpec
  /// Inline rows per table, as text cells (parsed like CSV cells).
  public var rows: [String: [[String: String]]]
  public var expectedStatus: RuleResult.Status
  /// Entry ids (or `line:N`) of the evidence rows the findings cite, sorted.
  public var expectedRows: [String]
  public var schema: LedgerSchema
  public var message: MessageTemplate?

  public init(
    _ name: String, check: CheckSpec, rows: [String: [[String: String]]],
    expect status: RuleResult.Status, rows expectedRows: [String] = [],
    schema: LedgerSchema = ExampleLedger.schema, message: MessageTemplate? = nil
  ) {
    self.name = name
    self.check = check
    self.rows = rows
    self.expectedStatus = status
    self.expectedRows = expectedRows.sorted()
    self.schema = schema
    self.message = message
  }

  /// The example as a one-rule standard.
  public var instance: RuleInstance {
    RuleInstance(
      id: "example", ruleID: "example", title: name, description: "", clauseIDs: ["EX-1"],
      parameters: [], check: check, message: message, requires: [], file: "<example>", span: nil,
      digest: "")
  }

  /// Runs the check alone through the engine.
  public func run(options: EngineOptions = EngineOptions()) throws -> EvaluationResult {
    let ledger = try InMemoryLedger(schema: schema, rows: rows)
    return try Engine(standard: .single(instance, schema: schema), options: options).evaluate(
      ledger: ledger)
  }
}

extension CompiledStandard {
  /// A standard with one major clause `EX-1` judged by the given rule instances.
  public static func single(_ instances: RuleInstance..., schema: LedgerSchema) -> CompiledStandard
  {
    let clause = Clause(
      id: "EX-1", section: "EX", title: "Example", requirement: "", severity: .major,
      evidence: .ledger(ruleInstances: instances.map(\.id)))
    return CompiledStandard(
      id: "example", title: "Example", version: "1", effectiveFrom: nil, effectiveUntil: nil,
      references: [], file: "<example>", sha256: "", inputs: [], schema: schema, parameters: [],
      sections: [Section(id: "EX", title: "Example", clauseIDs: ["EX-1"])], clauses: [clause],
      rules: instances,
      graph: RuleGraph(order: instances.map(\.id), requires: [:], tables: [:]), graphDigest: "",
      tests: [], span: nil)
  }
}

/// The small ledger schema the examples use (a subset of the canonical custody ledger).
public enum ExampleLedger {
  static func col(_ name: String, _ type: ColumnType, required: Bool = false) -> ColumnSchema {
    // Quantities in tonnes are never negative, as in the canonical ledger.
    ColumnSchema(name: name, type: type, required: required, minimum: type == t ? .zero : nil)
  }
  static let t = ColumnType.decimal(unit: "t", maxScale: 6)

  public static let schema = LedgerSchema(
    id: "example-ledger", version: "1",
    tables: [
      TableSchema(
        name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
        columns: [
          col("entry_id", .string, required: true), col("date", .date), col("site", .string),
          col("pool", .enumeration(["PCL", "MR", "none"])), col("partner", .string),
          col("supplier_id", .string), col("document_id", .string),
          col("origin", .enumeration(["post_consumer", "pre_consumer", "primary"])),
          col("gross_t", t), col("cu_pct", .decimal(unit: "%", maxScale: 4)), col("cu_t", t),
        ]),
      TableSchema(
        name: "shipments", file: "shipments.csv", key: ["entry_id"], entryID: "entry_id",
        columns: [
          col("entry_id", .string, required: true), col("date", .date), col("site", .string),
          col("claim", .string), col("customer", .string), col("partner", .string), col("cu_t", t),
        ]),
      TableSchema(
        name: "transfers", file: "transfers.csv", key: ["entry_id"], entryID: "entry_id",
        columns: [
          col("entry_id", .string, required: true), col("date", .date), col("from_site", .string),
          col("to_site", .string), col("pool", .string), col("partner", .string), col("cu_t", t),
        ]),
      TableSchema(
        name: "due_diligence", file: "due_diligence.csv", key: ["supplier_id"],
        entryID: "supplier_id",
        columns: [
          col("supplier_id", .string),
          col("status", .enumeration(["passed", "failed", "pending"])),
          col("valid_from", .date), col("valid_to", .date),
        ], validFrom: "valid_from", validTo: "valid_to"),
      TableSchema(
        name: "conversion_factors", file: "conversion_factors.csv", key: ["site"],
        columns: [
          col("site", .string), col("valid_from", .date), col("valid_to", .date),
          col("factor", .decimal(unit: nil, maxScale: 6)),
        ], validFrom: "valid_from", validTo: "valid_to"),
      TableSchema(
        name: "periods", file: "periods.csv", key: ["period_id"], entryID: "period_id",
        columns: [
          col("period_id", .string), col("site", .string), col("start", .date), col("end", .date),
        ]),
      TableSchema(
        name: "opening_balances", file: "opening_balances.csv", key: ["site", "pool", "partner"],
        columns: [
          col("date", .date), col("site", .string), col("pool", .string), col("partner", .string),
          col("cu_t", t),
        ]),
      TableSchema(
        name: "outputs", file: "outputs.csv", key: ["entry_id"], entryID: "entry_id",
        columns: [
          col("entry_id", .string, required: true), col("date", .date), col("site", .string),
          col("cu_t", t),
        ]),
    ])
}
