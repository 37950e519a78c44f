import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import CustodyYAML
import Foundation
import Testing

/// Every file in Corpus/ (hostile inputs and fuzz-found reproducers) gives exactly the outcome
/// Corpus/expected.tsv lists: the first error's code and line:column, or `ok ...`.
///
/// yaml/*: loaded from disk with the default limits. expression/*: compiled as a condition
/// against `Robust.expressionSchema` with the length limit raised to 1,000,000 so depth is
/// what stops the deep cases. csv/* and jsonl/*: copied into a folder as receipts.csv /
/// receipts.jsonl and read with the default limits.
@Suite struct CorpusTests {
  struct Case: Sendable, CustomStringConvertible {
    var file: String
    var expected: String
    var description: String { file }
  }

  static let cases: [Case] = {
    guard let text = try? String(contentsOfFile: Robust.corpus + "/expected.tsv", encoding: .utf8)
    else { return [] }
    return text.split(separator: "\n").compactMap { line in
      if line.hasPrefix("#") { return nil }
      let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
      return parts.count == 2 ? Case(file: parts[0], expected: parts[1]) : nil
    }
  }()

  @Test func everyCorpusFileHasAnExpectation() throws {
    var files: [String] = []
    for kind in ["yaml", "expression", "csv", "jsonl"] {
      let names = try FileManager.default.contentsOfDirectory(atPath: Robust.corpus + "/" + kind)
      files += names.filter { !$0.hasPrefix(".") }.map { kind + "/" + $0 }
    }
    #expect(Set(files) == Set(CorpusTests.cases.map(\.file)))
    #expect(CorpusTests.cases.count >= 35)
  }

  @Test(arguments: CorpusTests.cases)
  func corpusCase(_ c: Case) throws {
    let path = Robust.corpus + "/" + c.file
    let outcome: String
    switch c.file.split(separator: "/").first {
    case "yaml": outcome = CorpusTests.loadYAML(path)
    case "expression": outcome = try CorpusTests.compileExpression(path)
    case "csv": outcome = try CorpusTests.readTable(path, as: "receipts.csv")
    case "jsonl": outcome = try CorpusTests.readTable(path, as: "receipts.jsonl")
    default: outcome = "unknown kind"
    }
    #expect(outcome == c.expected)
  }

  static func loadYAML(_ path: String) -> String {
    var bag = DiagnosticBag()
    let node = YAMLLoader().load(path: path, into: &bag)
    if let first = bag.sorted.first(where: { $0.severity == .error }) { return Robust.at(first) }
    return node == nil ? "nil without error" : "ok"
  }

  static func compileExpression(_ path: String) throws -> String {
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    let start = SourceLocation(file: "<expression>", line: 1, column: 1)
    let scalar = YAMLScalar(
      value: text, style: .plain,
      span: SourceSpan(start: start, end: start.advanced(by: max(1, text.unicodeScalars.count))),
      raw: text)
    var env = ExpressionEnvironment(
      schema: Robust.expressionSchema, table: Robust.expressionReceipts)
    env.maxLength = 1_000_000
    var bag = DiagnosticBag()
    let node = ExpressionCompiler.compileCondition(scalar, in: env, bag: &bag)
    if let first = bag.sorted.first(where: { $0.severity == .error }) { return Robust.at(first) }
    return node == nil ? "nil without error" : "ok"
  }

  static func readTable(_ path: String, as name: String) throws -> String {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try FileManager.default.copyItem(atPath: path, toPath: folder + "/" + name)
    return Robust.readLedger(folder)
  }
}
