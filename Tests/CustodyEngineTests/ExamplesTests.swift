import CustodyLanguage
import Testing

@testable import CustodyEngine

/// Every check kind's documented examples, run through the engine with the kind alone.
@Suite struct ExamplesTests {
  static let all: [CheckExample] =
    RowCheck.examples + UniqueCheck.examples + ReferenceCheck.examples + AggregateCheck.examples
    + PeriodCoverageCheck.examples + MassBalanceCheck.examples

  @Test(arguments: ExamplesTests.all.map(\.name))
  func example(_ name: String) throws {
    let e = try #require(ExamplesTests.all.first { $0.name == name })
    let result = try e.run()
    #expect(result.rule("example")?.status == e.expectedStatus, "\(result.findings.map(\.message))")
    #expect(result.rows("example") == e.expectedRows)
    // Spilling every key and posting to disk gives the same result.
    #expect(try e.run(options: EngineOptions(spillThreshold: 1)) == result)
  }

  @Test func everyKindHasAFailingAndAPassingOrErrorExample() {
    for kind in ["row", "unique", "reference", "aggregate", "period_coverage", "mass_balance"] {
      let mine = ExamplesTests.all.filter { $0.check.kind == kind }
      #expect(mine.contains { $0.expectedStatus == .fail }, "\(kind)")
      #expect(mine.contains { $0.expectedStatus != .fail }, "\(kind)")
    }
  }
}
