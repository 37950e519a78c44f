import CustodyEngine
import CustodySample
import Testing

/// Unique keys and book postings beyond `EngineOptions.spillThreshold` go to sorted runs on
/// disk and are merged when the check finishes. On generated ledgers with a planted
/// non-conformity, results (findings, evidence, counts, accounts, their order) must be the
/// same however small the threshold.
@Suite(.serialized) struct SpillThresholdTests {
  // Under ThreadSanitizer (scripts/tsan.sh) a spilled unique key and a spilled book, each
  // merged on another thread and on the replay's own: the paths with more than one thread.
  #if CUSTODY_TSAN
    static let cases = [
      (PlantKind.duplicateEntryID, "cu-again-coc", "CUA-1.3"),
      (.overdraft, "cu-again-coc", "CUA-4.3"),
    ]
  #else
    static let cases = [
      (PlantKind.duplicateEntryID, "cu-again-coc", "CUA-1.3"),
      (.duplicateDocument, "coppermark-coc-mb", "CM-2.2"), (.overdraft, "cu-again-coc", "CUA-4.3"),
      (.expiredCredits, "cu-again-coc", "CUA-4.5"),
      (.negativePeriodClose, "cu-again-coc", "CUA-4.4"),
      (.stockDifference, "asi-coc-mb", "ASI-8.4"),
    ]
  #endif

  @Test(arguments: cases)
  func resultsDoNotDependOnTheSpillThreshold(
    plant: PlantKind, standard: String, clause: String
  ) throws {
    let results = try GeneratedLedgerRuns.evaluate(
      plant: plant, rows: 6_000, seed: 13, standard: standard,
      options: [EngineOptions.defaultSpillThreshold, 1_000, 7].map {
        EngineOptions(evidenceLimit: 50, spillThreshold: $0)
      } + [EngineOptions(evidenceLimit: 50, threads: 1, spillThreshold: 7)])
    // The plant is found (so the comparison is not between empty results) ...
    #expect(results[0].nonConformities.map(\.clause).contains(clause))
    #expect(results[0].rules.contains { $0.counts.evaluated >= 6_000 })
    // ... and every threshold gives the same result, findings in the same order, whether the
    // spilled postings are merged on another thread while the replay posts (threads: 2, the
    // default) or on the replay's own (threads: 1).
    #expect(results[1] == results[0])
    #expect(results[2] == results[0])
    #expect(results[3] == results[0])
  }
}
