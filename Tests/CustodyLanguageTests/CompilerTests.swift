import CustodyDiagnostics
import CustodyLanguage
import CustodyValues
import Testing

/// Path of a file under Tests/CustodyLanguageTests/Corpus (read in place, not from the bundle).
func corpusPath(_ relative: String, file: String = #filePath) -> String {
  var dir = file
  while let last = dir.last, last != "/" { dir.removeLast() }
  return dir + "Corpus/" + relative
}

@Suite struct CompilerTests {
  @Test func miniStandardCompiles() throws {
    let result = Compiler().compileStandard(path: corpusPath("valid/mini/standard.yaml"))
    #expect(result.diagnostics.map(\.description) == [])
    let standard = try #require(result.standard)
    #expect(standard.id == "mini")
    #expect(result.stages == CompilerStage.allCases)
    #expect(
      standard.rules.map(\.id) == [
        "monthly-volume", "period-length", "period-length#2", "receipt-ids-unique",
        "copper-content-consistent", "receipt-origin-eligible", "supplier-due-diligence",
        "no-overdraft",
      ])
    #expect(standard.graph.requires["copper-content-consistent"] == ["receipt-ids-unique"])
    #expect(standard.clause("C-1.2")?.evidence == .documentary)
    #expect(
      standard.clause("C-2.2")?.evidence
        == .ledger(ruleInstances: [
          "period-length", "period-length#2", "no-overdraft", "monthly-volume",
        ]))
    let copper = try #require(standard.rule("copper-content-consistent"))
    #expect(copper.parameters.map(\.origin) == [.standardParameter("tol")])
    #expect(copper.digest.count == 64)
    #expect(standard.graphDigest.count == 64)
    #expect(standard.inputs.count == 10)
    guard case .massBalance(let mb) = try #require(standard.rule("no-overdraft")).check else {
      Issue.record("not mass balance")
      return
    }
    #expect(mb.book.lifetimeMonths == 24)
    #expect(
      mb.book.credits.first?.excludeFailing == [
        "receipt-origin-eligible", "supplier-due-diligence",
      ])
    guard case .periodCoverage(let pc) = try #require(standard.rule("period-length#2")).check else {
      Issue.record("not period coverage")
      return
    }
    #expect(pc.maxMonths == 3)
    #expect(standard.tests.count == 8)
    let copperTest = try #require(standard.tests.first { $0.name == "off by 0.1 t" })
    #expect(copperTest.expect.rows == ["copper-content-consistent": ["R2"]])
    #expect(copperTest.parameters == ["tolerance_t": .decimal(ExactDecimal(mantissa: 1, scale: 2))])
  }

  @Test func digestsIgnoreFormattingButNotMeaning() {
    let a = Compiler().compileStandard(path: corpusPath("valid/mini/standard.yaml")).standard
    let b = Compiler().compileStandard(path: corpusPath("valid/mini/standard.yaml")).standard
    #expect(a?.graphDigest == b?.graphDigest)
    #expect(a?.rule("period-length")?.digest != a?.rule("period-length#2")?.digest)
  }

  @Test func lintWarnsAboutTheMiniLibrary() {
    let result = Compiler().lint(paths: [corpusPath("valid/mini")])
    #expect(result.errorCount == 0)
    #expect(result.diagnostics.map { "\($0.code.id) \($0.message)" } == [])
  }
}

/// The repository root (for the shipped standards and rules).
func repositoryPath(_ relative: String, file: String = #filePath) -> String {
  var dir = file
  for _ in 0..<3 {
    while let last = dir.last, last != "/" { dir.removeLast() }
    dir.removeLast()
  }
  return dir + "/" + relative
}

@Suite struct ShippedStandardsTests {
  @Test func shippedStandardsAndRulesLintClean() {
    let result = Compiler().lint(paths: [repositoryPath("standards"), repositoryPath("rules")])
    // Issue 2 acceptance 3: every shipped standard and rule lints clean, warnings included.
    #expect(result.diagnostics.map(\.description) == [])
    #expect(
      result.standards.map(\.id).sorted() == ["asi-coc-mb", "coppermark-coc-mb", "cu-again-coc"])
  }
}
