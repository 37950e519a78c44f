import CustodyValues

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Generates realistic canonical custody ledgers (ledger v1, docs/design.md) for demos,
/// fixtures and benchmarks: `custody sample`.
///
/// The ledger covers 3 in-scope sites (two of one legal entity, one of another) and one
/// out-of-scope site over 2024-2025 in quarterly periods; concentrate, internal and scrap
/// receipts; PCL partners with affiliates and MR dealers with due-diligence windows;
/// conversion factors that change once per site; CFP factors; shipments whose claims keep
/// every credit account covered with a margin of at least 2 t; documents, transfers between
/// the two same-entity sites and stock counts within 0.3 %.
///
/// Deterministic: one seeded SplitMix64 stream, integer micro-tonnes, no floating point.
/// Streaming: rows are written as they are made, so memory does not grow with row count.
public enum SampleGenerator {
  /// Writes the ledger into `options.outDir` (and `expected.yaml` when planting).
  public static func generate(_ options: SampleOptions) throws -> SampleSummary {
    guard options.receipts >= 100 else {
      throw SampleError.tooFewRows(table: "receipts", minimum: 100, given: options.receipts)
    }
    guard options.shipments >= 100 else {
      throw SampleError.tooFewRows(table: "shipments", minimum: 100, given: options.shipments)
    }
    try makeDirectory(options.outDir)
    var run = SampleRun(options: options)
    let summary = try run.write()
    if let plant = options.plant {
      try writeText(expectedYAML(summary, plant: plant), to: options.outDir + "/expected.yaml")
    }
    return summary
  }

  /// The `expected.yaml` of a planted ledger: the clauses a validator must find
  /// non-conformant and the planted rows it must show as evidence.
  public static func expectedYAML(_ summary: SampleSummary, plant: PlantKind) -> String {
    var text = "# Written by the sample generator (scripts/make-fixtures.sh); do not edit.\n"
    text += "plant: \(plant.rawValue)\n"
    text += "clause: \(plant.clause)\n"
    text += "fixture: \(plant.fixtureFolder)\n"
    text += "non_conformant: [\(summary.expectedClauses.joined(separator: ", "))]\n"
    text += "not_evaluated: [\(plant.expectedNotEvaluated.joined(separator: ", "))]\n"
    // A Set beside the list: a systematic plant marks hundreds of thousands of rows.
    var references: [String] = []
    var seen = Set<String>()
    for row in summary.planted where seen.insert(row.reference).inserted {
      references.append(row.reference)
    }
    text += "rows: [\(references.joined(separator: ", "))]\n"
    text += "evidence:\n"
    for row in summary.planted {
      text += "  - {file: \(row.table).csv, line: \(row.line)"
      if let id = row.entryID { text += ", entry_id: \(id)" }
      text += "}\n"
    }
    return text
  }

  static func makeDirectory(_ path: String) throws(SampleError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
      prefix += part + "/"
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
        throw .cannotWrite(path: prefix, reason: String(cString: strerror(errno)))
      }
    }
  }

  static func writeText(_ text: String, to path: String) throws(SampleError) {
    guard let file = fopen(path, "wb") else {
      throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
    if written != bytes.count { throw .cannotWrite(path: path, reason: "write failed") }
  }
}
