import CustodyKit
import Foundation
import Testing

/// Issue 17 acceptance 1: a program that imports only the library product validates the
/// bundled sample. `example()` is the code docs/library.md shows, line for line.
@Suite struct LibraryExampleTests {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  // --- docs/library.md, "Embedding custody" (keep the two in step) ---
  func example(root: String) throws -> String {
    let custody = Custody()
    let run = try custody.validate(
      standard: root + "/standards/cu-again-coc.yaml",
      ledger: root + "/fixtures/sample")
    var out = "\(run.report.verdictHeadline)\n"
    for nc in run.report.nonconformities {
      out += "\(nc.severity) \(nc.id): \(nc.summary)\n"
    }
    let json = try ReportFormat.json.renderData(run.report)
    out += "\(json.count) bytes of JSON\n"
    return out
  }
  // --- end of the example ---

  @Test func theDocumentedExampleValidatesTheSample() throws {
    let out = try example(root: Self.root)
    #expect(out.hasPrefix("CONFORMANT\n"))
    #expect(out.split(separator: "\n").count == 2)  // no non-conformity lines
    // docs/library.md shows this function's body: every line of its example is here.
    let doc = try String(contentsOfFile: Self.root + "/docs/library.md", encoding: .utf8)
    let section = try #require(doc.components(separatedBy: "## Embedding custody").last)
    let block = try #require(section.components(separatedBy: "```swift\n").dropFirst().first)
    let shown = try #require(block.components(separatedBy: "```").first)
      .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty && $0 != "import CustodyKit" }
    #expect(shown.count >= 9)
    let source = try String(contentsOfFile: #filePath, encoding: .utf8)
      .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    for line in shown { #expect(source.contains(line), "docs/library.md: \(line)") }
  }

  @Test func aPlantedFixtureGivesItsClauseThroughTheLibrary() throws {
    let run = try Custody().validate(
      standard: Self.root + "/standards/cu-again-coc.yaml",
      ledger: Self.root + "/fixtures/planted/cua-3.4")
    #expect(run.report.verdict == .nonConformant)
    #expect(run.report.nonconformities.map(\.id) == ["CUA-3.4/copper-content-consistent"])
    #expect(run.report.run?.evidenceLimit == 20)
  }

  @Test func theAsyncFormGivesTheSameReport() async throws {
    let custody = Custody()
    let a = try await custody.validate(
      standard: Self.root + "/standards/cu-again-coc.yaml",
      ledger: Self.root + "/fixtures/planted/cua-3.4")
    let b = try Self.blocking(custody)
    #expect(a.report == b.report)
  }

  /// The blocking form (a synchronous context picks the synchronous overload).
  static func blocking(_ custody: Custody) throws -> Custody.Run {
    try custody.validate(
      standard: root + "/standards/cu-again-coc.yaml", ledger: root + "/fixtures/planted/cua-3.4")
  }

  @Test func aStandardThatDoesNotCompileIsAFailureWithItsDiagnostics() throws {
    let dir = NSTemporaryDirectory() + "custody-kit-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "standard: s\ntitle: t\n".write(
      toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
    #expect {
      _ = try Custody().validate(standard: dir + "/s.yaml", ledger: Self.root + "/fixtures/sample")
    } throws: { error in
      guard case .invalidInput(let diagnostics) = error as? Custody.Failure else { return false }
      return diagnostics.contains { $0.severity == .error && $0.description.contains("s.yaml") }
    }
  }

  @Test func theCompileCacheIsKeyedByTheFilesContent() throws {
    let dir = NSTemporaryDirectory() + "custody-kit-\(UUID().uuidString)"
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? fm.removeItem(atPath: dir) }
    for folder in ["standards", "rules"] {
      try fm.copyItem(atPath: Self.root + "/" + folder, toPath: dir + "/" + folder)
    }
    let custody = Custody()
    let first = try custody.compile(dir + "/standards/cu-again-coc.yaml")
    let again = try custody.compile(dir + "/standards/cu-again-coc.yaml")
    #expect(first.graphDigest == again.graphDigest)
    // A rule's meaning changes: the cache must not serve the old compile.
    let rule = dir + "/rules/eligibility/copper-content-consistent.yaml"
    let text = try String(contentsOfFile: rule, encoding: .utf8)
    try text.replacingOccurrences(of: "<= $tolerance_t", with: "< $tolerance_t")
      .write(toFile: rule, atomically: true, encoding: .utf8)
    let changed = try custody.compile(dir + "/standards/cu-again-coc.yaml")
    #expect(changed.graphDigest != first.graphDigest)
  }
}
