import CustodyAuthoring
import CustodyDiagnostics
import Testing

/// The `tests:` of the shipped standards, of every rule they bind and of the YAML-only
/// quarterly variant pass through `custody test`'s runner, and every automated clause and rule
/// has both a failing and a passing case (issue 5, acceptance 2 and 3).
@Suite struct StandardTestsTests {
  static let root = SampleGeneratorTests.root

  static func run(_ paths: [String]) -> TestRunner.Run {
    TestRunner(sources: SourceCache()).run(paths: paths.map { root + "/" + $0 })
  }

  @Test func shippedStandardsAndRulesPassWithFullCoverage() {
    let run = Self.run(["standards"])
    #expect(run.diagnostics.map(\.description) == [])
    #expect(
      run.cases.filter { !$0.passed }.map { "\($0.owner): \($0.name): \($0.differences)" } == [])
    #expect(run.cases.count >= 120)
    let gaps = run.coverage.filter { !$0.documentary && !($0.failingCase && $0.passingCase) }.map(
      \.id)
    #expect(gaps == [])
  }

  @Test func quarterlyVariantPassesItsCases() {
    let run = Self.run(["Tests/CustodyIntegrationTests/Variants/cu-again-quarterly.yaml"])
    #expect(run.diagnostics.map(\.description) == [])
    let variant = run.cases.filter { $0.file.hasSuffix("cu-again-quarterly.yaml") }
    #expect(variant.count == 7)
    #expect(variant.filter { !$0.passed }.map { "\($0.name): \($0.differences)" } == [])
  }
}
