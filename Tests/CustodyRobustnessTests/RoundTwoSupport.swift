import CustodyAuthoring
import CustodyDiagnostics
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// A temporary copy of the repository's standards/ and rules/ (and, on request, a fixture
/// ledger) that a test edits to make a hostile variant, then runs through the real pipeline.
struct Variant {
  static let repository = ReadOnlyTests.repository
  let dir: String

  init(ledger fixture: String? = nil) throws {
    dir = Robust.folder()
    let fm = FileManager.default
    for folder in ["standards", "rules"] {
      try fm.copyItem(atPath: Variant.repository + "/" + folder, toPath: dir + "/" + folder)
    }
    if let fixture {
      try fm.copyItem(atPath: Variant.repository + "/" + fixture, toPath: dir + "/ledger")
    }
  }

  func remove() { Robust.remove(dir) }

  var standard: String { dir + "/standards/cu-again-coc.yaml" }

  /// Replaces the one occurrence of `old` in `file` (relative to the copy) with `new`.
  func edit(_ file: String, _ old: String, _ new: String) throws {
    let path = dir + "/" + file
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.components(separatedBy: old).count == 2, "'\(old)' must occur once in \(file)")
    try text.replacingOccurrences(of: old, with: new).write(
      toFile: path, atomically: false, encoding: .utf8)
  }

  func run(ledger: String? = nil, evidenceLimit: Int = 20) -> ValidationPipeline.Outcome {
    ValidationPipeline.run(
      ValidationPipeline.Request(
        standardPath: standard, ledgerPath: ledger ?? dir + "/ledger",
        asOf: CivilDate(year: 2026, month: 1, day: 1)!, failOn: .observation,
        evidenceLimit: evidenceLimit, deterministic: true, toolVersion: "test"))
  }

  /// `CODE@relative/file:line:column` for every error of a run that did not compile.
  func errors(_ outcome: ValidationPipeline.Outcome) -> [String] {
    guard case .invalidInput(let diagnostics, _) = outcome else { return ["evaluated"] }
    return diagnostics.filter { $0.severity == .error }.map { d in
      let file = (d.span?.file ?? "-").replacingOccurrences(of: dir + "/", with: "")
      return "\(d.code.id)@\(file):\(d.span?.start.line ?? 0):\(d.span?.start.column ?? 0)"
    }
  }

  /// 1-based line and column of the first occurrence of `needle` in `file`.
  func position(of needle: String, in file: String) throws -> (line: Int, column: Int) {
    let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
    let range = try #require(text.range(of: needle))
    let before = text[..<range.lowerBound]
    let line = before.count(where: { $0 == "\n" }) + 1
    let column = before.reversed().prefix { $0 != "\n" }.count + 1
    return (line, column)
  }
}
