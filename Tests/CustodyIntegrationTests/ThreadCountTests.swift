import CustodyEngine
import CustodySample
import Testing

/// The engine streams big tables through lanes on several threads (StreamLanes); findings,
/// counts, accounts and their order must not depend on the thread count. The ledgers are
/// larger than the batches read ahead (6 x 4,096 rows), so lanes run behind the reader.
@Suite(.serialized) struct ThreadCountTests {
  @Test(arguments: [PlantKind.duplicateEntryID, .overdraft, .missingConversionFactor])
  func resultsDoNotDependOnThreads(plant: PlantKind) throws {
    let results = try GeneratedLedgerRuns.evaluate(
      plant: plant, rows: 20_000, seed: 11, standard: "cu-again-coc",
      options: [1, 2, 4].map { EngineOptions(evidenceLimit: 50, threads: $0) })
    // The plant is found (so the comparison is not between empty results) ...
    #expect(results[0].nonConformities.map(\.clause).contains(plant.clause))
    #expect(results[0].rules.contains { $0.counts.evaluated >= 20_000 })
    // ... and every thread count gives the same result, findings in the same order.
    #expect(results[1] == results[0])
    #expect(results[2] == results[0])
  }
}
