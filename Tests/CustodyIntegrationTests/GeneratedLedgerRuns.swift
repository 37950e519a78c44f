import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodySample
import Foundation
import Testing

/// Generates a ledger with one planted non-conformity and evaluates it under a shipped
/// standard once per engine option set (ThreadCountTests, SpillThresholdTests).
enum GeneratedLedgerRuns {
  static func evaluate(
    plant: PlantKind, rows: Int, seed: UInt64, standard name: String, options: [EngineOptions]
  ) throws -> [EvaluationResult] {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("custody-runs-\(plant.rawValue)-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    _ = try SampleGenerator.generate(
      SampleOptions(outDir: folder, receipts: rows, shipments: rows, seed: seed, plant: plant))
    let compiled = Compiler().compileStandard(
      path: PlantedFixtureTests.root + "/standards/\(name).yaml")
    let standard = try #require(compiled.standard)
    return try options.map { o in
      try Engine(standard: standard, options: o).evaluate(
        ledger: try FolderLedger.open(folder: folder, schema: standard.schema))
    }
  }
}
