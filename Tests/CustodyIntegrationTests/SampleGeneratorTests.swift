import CustodyAuthoring
import CustodySample
import CustodyValues
import Foundation
import Testing

/// The sample generator: determinism, sizes, planted rows, the committed fixtures, and an
/// independent re-check of the conformant ledger's credit accounts (no engine needed).
@Suite struct SampleGeneratorTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  static func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "custody-sample-\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: path)
    return path
  }

  static func files(_ dir: String) -> [String: Data] {
    var result: [String: Data] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
      result[name] = FileManager.default.contents(atPath: dir + "/" + name)
    }
    return result
  }

  @Test func sameSeedGivesIdenticalFiles() throws {
    let a = Self.temporaryDirectory("a")
    let b = Self.temporaryDirectory("b")
    let summaryA = try SampleGenerator.generate(
      SampleOptions(outDir: a, receipts: 400, shipments: 300, seed: 7))
    let summaryB = try SampleGenerator.generate(
      SampleOptions(outDir: b, receipts: 400, shipments: 300, seed: 7))
    #expect(summaryA == summaryB)
    #expect(Self.files(a) == Self.files(b))
    #expect(Self.files(a).count == 13)  // 11 tables, certificates.csv and awards.csv
  }

  @Test func rowCountsFollowOptions() throws {
    let dir = Self.temporaryDirectory("counts")
    let summary = try SampleGenerator.generate(
      SampleOptions(outDir: dir, receipts: 500, shipments: 400, seed: 1))
    #expect(summary.rows["receipts"] == 500)
    #expect(summary.rows["shipments"] == 400)
    #expect(summary.rows["sites"] == 4)
    #expect(summary.rows["periods"] == 32)
    // One opening count per active site, then one per quarter.
    #expect(summary.rows["stock_counts"] == 27)
    #expect(summary.rows["certificates"] == 2)
    #expect(summary.planted.isEmpty)
    #expect(summary.expectedClauses.isEmpty)
    let ledger = try SampleLedger(dir: dir)
    #expect(ledger.table("receipts").count == 500)
    #expect(ledger.table("documents").count == summary.rows["documents"])
  }

  /// Many more shipments than receipts (as in a large sample): the stock counts start high
  /// enough that none is negative, and the physical copper balance (CUA-4.8) holds. The
  /// opening counts were once drawn at 20,000 to 30,000 t whatever the flows, and a 1M-row
  /// sample went 300,000 t below zero (unreadable counts, CUA-1.3 and CUA-4.8 failing).
  @Test func stockNeverRunsOutWhenShipmentsOutgrowReceipts() throws {
    let dir = Self.temporaryDirectory("outgrow")
    _ = try SampleGenerator.generate(
      SampleOptions(outDir: dir, receipts: 100, shipments: 3000, seed: 5))
    let counts = try SampleLedger(dir: dir).table("stock_counts")
    #expect(counts.count == 27)
    for row in counts {
      let physical = try #require(row["physical_cu_t"])
      #expect(!physical.hasPrefix("-"), "\(row)")
    }
    var request = ValidationPipeline.Request(
      standardPath: Self.root + "/standards/cu-again-coc.yaml", ledgerPath: dir,
      asOf: CivilDate(year: 2026, month: 1, day: 1)!, deterministic: true, toolVersion: "test")
    request.evidenceLimit = 5
    guard case .evaluated(let report, _, _) = ValidationPipeline.run(request) else {
      Issue.record("the sample did not evaluate")
      return
    }
    for clause in ["CUA-1.3", "CUA-4.6", "CUA-4.8"] {
      #expect(report.clauses.first { $0.id == clause }?.status == .conformant, "\(clause)")
    }
  }

  @Test func tooFewRowsIsAnError() {
    #expect(throws: SampleError.tooFewRows(table: "receipts", minimum: 100, given: 5)) {
      try SampleGenerator.generate(
        SampleOptions(outDir: Self.temporaryDirectory("few"), receipts: 5))
    }
  }

  @Test func plantKindParsesRawValueCaseNameAndClause() {
    #expect(PlantKind(argument: "period-gap") == .periodGap)
    #expect(PlantKind(argument: "periodGap") == .periodGap)
    #expect(PlantKind(argument: "CUA-4.1") == .periodGap)
    #expect(PlantKind(argument: "cua-7.3") == .unknownClaim)
    #expect(PlantKind(argument: "nonsense") == nil)
    #expect(PlantKind(argument: "CUA-4.3") == .overdraft)
    #expect(PlantKind(argument: "site-overdraft") == .siteOverdraft)
    #expect(Set(PlantKind.allCases.map(\.fixtureFolder)).count == PlantKind.allCases.count)
  }

  /// The conformant sample passes an independent re-implementation of the Cu-again ledger rules.
  @Test(arguments: [UInt64(20_240_131), 3, 99])
  func conformantLedgerPassesIndependentCheck(seed: UInt64) throws {
    let dir = Self.temporaryDirectory("check-\(seed)")
    _ = try SampleGenerator.generate(
      SampleOptions(outDir: dir, receipts: 3_000, shipments: 2_500, seed: seed))
    var check = IndependentCheck(ledger: try SampleLedger(dir: dir))
    let problems = check.problems()
    #expect(problems == [])
  }

  /// Every plant breaks exactly its expected clauses in the independent check, at the planted rows.
  @Test(arguments: PlantKind.allCases)
  func plantBreaksExactlyItsClauses(kind: PlantKind) throws {
    let dir = Self.temporaryDirectory("plant-\(kind.rawValue)")
    let summary = try SampleGenerator.generate(
      SampleOptions(outDir: dir, receipts: 600, shipments: 500, seed: 20_240_131, plant: kind))
    #expect(!summary.planted.isEmpty)
    #expect(summary.expectedClauses == kind.expectedClauses)
    var check = IndependentCheck(ledger: try SampleLedger(dir: dir))
    let problems = check.problems()
    #expect(Set(problems.map(\.clause)) == Set(kind.expectedClauses))
    let plantedIDs = Set(summary.planted.map(\.reference))
    let primary = problems.filter { $0.clause == kind.clause }.map(\.row)
    #expect(Set(primary).isSubset(of: plantedIDs), "\(primary) vs \(plantedIDs)")
    #expect(!primary.isEmpty)
    #expect(FileManager.default.fileExists(atPath: dir + "/expected.yaml"))
  }

  /// The committed fixtures are exactly what scripts/make-fixtures.sh generates.
  /// `CUSTODY_REGENERATE_FIXTURES=1 swift test --filter SampleGeneratorTests` rewrites them.
  @Test func committedFixturesMatchGenerator() throws {
    let regenerate = ProcessInfo.processInfo.environment["CUSTODY_REGENERATE_FIXTURES"] == "1"
    for (folder, options) in FixtureSet.all {
      let target = Self.root + "/fixtures/" + folder
      if regenerate {
        try? FileManager.default.removeItem(atPath: target)
        _ = try SampleGenerator.generate(
          SampleOptions(
            outDir: target, receipts: options.receipts, shipments: options.shipments,
            seed: options.seed,
            plant: options.plant))
        continue
      }
      let fresh = Self.temporaryDirectory(
        "fixture-" + folder.replacingOccurrences(of: "/", with: "-"))
      _ = try SampleGenerator.generate(
        SampleOptions(
          outDir: fresh, receipts: options.receipts, shipments: options.shipments,
          seed: options.seed,
          plant: options.plant))
      let committed = Self.files(target).filter {
        $0.key.hasSuffix(".csv") || $0.key == "expected.yaml"
      }
      #expect(
        committed == Self.files(fresh), "fixtures/\(folder) is stale: run scripts/make-fixtures.sh")
    }
  }
}

/// The fixture folders and the generator options that make them (mirrors scripts/make-fixtures.sh).
enum FixtureSet {
  static let seed: UInt64 = 20_240_131
  static var all: [(String, SampleOptions)] {
    var result = [
      ("sample", SampleOptions(outDir: "", receipts: 3_000, shipments: 2_500, seed: seed))
    ]
    for kind in PlantKind.allCases {
      result.append(
        (
          kind.fixtureFolder,
          SampleOptions(outDir: "", receipts: 600, shipments: 500, seed: seed, plant: kind)
        ))
    }
    return result
  }
}
