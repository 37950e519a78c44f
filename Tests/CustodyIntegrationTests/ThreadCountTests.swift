import CustodyEngine
import CustodySample
import Testing

/// The engine streams big tables through lanes on several threads (StreamLanes); findings,
/// counts, accounts and their order must not depend on the thread count. The ledgers (40,000
/// receipts and 40,000 shipments, ~20 batches) hold more rows than the batches read ahead
/// (16 x 4,096), so the reader waits for the lanes; and the shipments are read while the lanes
/// still judge receipts (the book and period coverage read both tables, each in one lane).
@Suite(.serialized) struct ThreadCountTests {
  @Test(arguments: [PlantKind.duplicateEntryID, .overdraft, .missingConversionFactor])
  func resultsDoNotDependOnThreads(plant: PlantKind) throws {
    let rows = 40_000
    let results = try GeneratedLedgerRuns.evaluate(
      plant: plant, rows: rows, seed: 11, standard: "cu-again-coc",
      options: [1, 2, 4].map { EngineOptions(evidenceLimit: 50, threads: $0) })
    // The plant is found (so the comparison is not between empty results) ...
    #expect(results[0].nonConformities.map(\.clause).contains(plant.clause))
    #expect(results[0].rules.contains { $0.counts.evaluated >= rows })
    // ... and every thread count gives the same result, findings in the same order.
    #expect(results[1] == results[0])
    #expect(results[2] == results[0])
  }
}
