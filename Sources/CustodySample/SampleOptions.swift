/// What `custody sample` generates: sizes, seed, and optionally one planted non-conformity.
public struct SampleOptions: Sendable, Hashable {
  /// Folder the CSV files are written to (created when absent).
  public var outDir: String
  /// Number of receipts (at least 100).
  public var receipts: Int
  /// Number of shipments (at least 100).
  public var shipments: Int
  /// The PRNG seed; the same options always give byte-identical files.
  public var seed: UInt64
  /// One non-conformity to plant, or nil for a conformant ledger.
  public var plant: PlantKind?

  public init(
    outDir: String, receipts: Int = 3_000, shipments: Int = 2_500, seed: UInt64 = 20_240_131,
    plant: PlantKind? = nil
  ) {
    self.outDir = outDir
    self.receipts = receipts
    self.shipments = shipments
    self.seed = seed
    self.plant = plant
  }
}

/// A row the generator planted a non-conformity in: the evidence a validator should report.
public struct PlantedRow: Sendable, Hashable, CustomStringConvertible {
  /// Table name (`receipts`, `shipments`, ...).
  public var table: String
  /// The row's entry id (entry_id, document_id, transfer_id, period) or nil for tables without one.
  public var entryID: String?
  /// Physical line in the CSV file (the header is line 1).
  public var line: Int

  public init(table: String, entryID: String?, line: Int) {
    self.table = table
    self.entryID = entryID
    self.line = line
  }

  /// `S-000123`, or `stock_counts.csv:17` for rows of tables without an entry id.
  public var reference: String { entryID ?? "\(table).csv:\(line)" }
  public var description: String { reference }
}

/// What a generator run wrote.
public struct SampleSummary: Sendable, Hashable {
  /// Rows written per table (file name without `.csv`).
  public var rows: [String: Int]
  /// The planted kind, if any.
  public var plant: PlantKind?
  /// The rows that carry the planted non-conformity (empty when conformant).
  public var planted: [PlantedRow]
  /// The Cu-again clauses a validator must find non-conformant (empty when conformant).
  public var expectedClauses: [String]

  public var totalRows: Int { rows.values.reduce(0, +) }
}

/// Errors the generator reports instead of writing a bad ledger.
public enum SampleError: Error, Sendable, Equatable, CustomStringConvertible {
  case tooFewRows(table: String, minimum: Int, given: Int)
  case cannotWrite(path: String, reason: String)
  /// The planted non-conformity could not be placed (too few rows of the right kind).
  case cannotPlant(PlantKind, reason: String)

  public var description: String {
    switch self {
    case .tooFewRows(let table, let minimum, let given):
      "--\(table) must be at least \(minimum) (got \(given))"
    case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
    case .cannotPlant(let kind, let reason): "cannot plant \(kind.rawValue): \(reason)"
    }
  }
}
