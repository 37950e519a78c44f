import CustodyDiagnostics
import CustodyLanguage
import Testing

/// Issue 18, the modelled standards: what the language adds for them.
@Suite struct ModelledLanguageTests {
  /// A percentage-mode check on a book with `transfers:` cannot honour them: a compile error at
  /// the rule's `mode:` value, with a note at the book's first transfer source.
  @Test func percentageModeRejectsTransfersAtCompileTime() throws {
    let dir = corpusPath("broken/percentage-transfers")
    let result = Compiler().compileStandard(path: dir + "/standard.yaml")
    #expect(result.standard == nil)
    let d = try #require(result.diagnostics.first { $0.code == .percentageTransfers })
    #expect(d.code.id == "CUS2030")
    #expect(d.severity == .error)
    #expect(d.span?.start.file.hasSuffix("percentage-transfers/r1.yaml") == true)
    #expect(d.span?.start.line == 6)
    #expect(d.span?.start.column == 9)
    let note = try #require(d.notes.first)
    #expect(note.message == "book 'shares' moves credits here")
    #expect(note.span?.start.file.hasSuffix("percentage-transfers/book.yaml") == true)
    #expect(note.span?.start.line == 12)
    #expect(note.span?.start.column == 5)
  }

  /// The shipped ASI book has no transfers, so its percentage balance compiles.
  @Test func shippedAsiStandardCompiles() throws {
    let result = Compiler().compileStandard(path: repositoryPath("standards/asi-coc-mb.yaml"))
    #expect(result.diagnostics.filter { $0.severity == .error }.map(\.description) == [])
    #expect(result.standard?.rule("asi-percentage-balance") != nil)
  }

  @Test func copperMarkSeverityLabelsAreLowered() throws {
    let result = Compiler().compileStandard(
      path: repositoryPath("standards/coppermark-coc-mb.yaml"))
    let standard = try #require(result.standard)
    #expect(
      standard.severityLabels == [
        .major: "does not meet", .minor: "partially meets",
        .observation: "meets with an observation",
      ])
    #expect(standard.severityName(.major) == "does not meet")
    #expect(standard.clause("CM-3.3")?.severity == .major)
    let asi = try #require(
      Compiler().compileStandard(path: repositoryPath("standards/asi-coc-mb.yaml")).standard)
    #expect(asi.severityLabels == [:])
    #expect(asi.severityName(.minor) == "minor")
  }
}
