import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodySample
import Foundation
import Testing

/// The engine streams big tables through lanes on several threads (StreamLanes); findings,
/// counts, accounts and their order must not depend on the thread count. The ledgers are
/// larger than the batches read ahead (6 x 4,096 rows), so lanes run behind the reader.
@Suite(.serialized) struct ThreadCountTests {
  @Test(arguments: [PlantKind.duplicateEntryID, .overdraft, .missingConversionFactor])
  func resultsDoNotDependOnThreads(plant: PlantKind) throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("custody-threads-\(plant.rawValue)-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    _ = try SampleGenerator.generate(
      SampleOptions(outDir: folder, receipts: 20_000, shipments: 20_000, seed: 11, plant: plant))
    let compiled = Compiler().compileStandard(
      path: PlantedFixtureTests.root + "/standards/cu-again-coc.yaml")
    let standard = try #require(compiled.standard)

    var results: [EvaluationResult] = []
    for threads in [1, 2, 4] {
      let ledger = try FolderLedger.open(folder: folder, schema: standard.schema)
      let engine = Engine(
        standard: standard, options: EngineOptions(evidenceLimit: 50, threads: threads))
      results.append(try engine.evaluate(ledger: ledger))
    }
    // The plant is found (so the comparison is not between empty results) ...
    #expect(results[0].nonConformities.map(\.clause).contains(plant.clause))
    #expect(results[0].rules.contains { $0.counts.evaluated >= 20_000 })
    // ... and every thread count gives the same result, findings in the same order.
    #expect(results[1] == results[0])
    #expect(results[2] == results[0])
  }
}
