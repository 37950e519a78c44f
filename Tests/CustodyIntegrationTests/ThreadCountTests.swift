import CustodyEngine
import CustodySample
import Testing

/// The engine streams big tables through lanes on several threads (StreamLanes); findings,
/// counts, accounts and their order must not depend on the thread count. The ledgers (40,000
/// receipts and 40,000 shipments, ~20 batches) hold more rows than the batches read ahead
/// (16 x 4,096), so the reader waits for the lanes; and the shipments are read while the lanes
/// still judge receipts (the book and period coverage read both tables, each in one lane).
@Suite(.serialized) struct ThreadCountTests {
  // Under ThreadSanitizer (scripts/tsan.sh, which runs code 5 to 15 times slower) one plant on
  // one and four lanes: the same size of ledger, so the same waits between reader and lanes.
  #if CUSTODY_TSAN
    static let plants = [PlantKind.overdraft]
    static let threads = [1, 4]
  #else
    static let plants = [PlantKind.duplicateEntryID, .overdraft, .missingConversionFactor]
    static let threads = [1, 2, 4]
  #endif

  @Test(arguments: plants)
  func resultsDoNotDependOnThreads(plant: PlantKind) throws {
    let rows = 40_000
    let results = try GeneratedLedgerRuns.evaluate(
      plant: plant, rows: rows, seed: 11, standard: "cu-again-coc",
      options: Self.threads.map { EngineOptions(evidenceLimit: 50, threads: $0) })
    // The plant is found (so the comparison is not between empty results) ...
    #expect(results[0].nonConformities.map(\.clause).contains(plant.clause))
    #expect(results[0].rules.contains { $0.counts.evaluated >= rows })
    // ... and every thread count gives the same result, findings in the same order.
    #expect(results.count == Self.threads.count)
    for result in results.dropFirst() { #expect(result == results[0]) }
  }
}
