import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import CustodyYAML
import Foundation
import Testing

/// Hostile inputs too big or too odd to commit (written at test time, streamed) and ones that
/// are about the file system rather than the bytes. Each gives one exact code and location,
/// quickly. (The CSV cases of issue 8 - 100 MB line, a million columns, NUL, invalid UTF-8
/// mid-file, symlink loop, directory - are in CustodyLedgerTests/HostileInputTests; docs/limits.md
/// maps every case to its test.)
@Suite struct GeneratedHostileTests {
  func loadYAML(path: String) -> [String] {
    var bag = DiagnosticBag()
    _ = YAMLLoader().load(path: path, into: &bag)
    return bag.sorted.map(Robust.at)
  }

  func message(yamlPath path: String) -> String {
    var bag = DiagnosticBag()
    _ = YAMLLoader().load(path: path, into: &bag)
    return bag.sorted.first?.message ?? ""
  }

  // MARK: Expressions

  @Test func tenMegabyteExpression() {
    let text = String(repeating: "cu_t + ", count: 10 * 1024 * 1024 / 7) + "1 > 0"
    let (node, diagnostics) = ExpressionCompiler.compile(
      text: text, table: Robust.expressionReceipts, schema: Robust.expressionSchema)
    #expect(node == nil)
    #expect(diagnostics.map(Robust.at) == ["CUS3008@1:1"])
    #expect(
      diagnostics.first?.message
        == "expression is \(text.unicodeScalars.count) characters long; the limit is 4000")
  }

  @Test func tenThousandDeepExpressionInAYAMLFilePointsIntoTheFile() throws {
    // The expression sits in a double-quoted scalar on line 3; the 65th `(` crosses depth 64.
    let yaml =
      "rule: deep\ncheck:\n  assert: \"" + String(repeating: "(", count: 10_000) + "cu_t"
      + String(repeating: ")", count: 10_000) + " > 0\"\n"
    var bag = DiagnosticBag()
    let scalar = try #require(
      YAMLLoader().load(text: yaml, path: "deep.yaml", into: &bag)?.mapping?["check"]?.mapping?[
        "assert"]?.scalar)
    var env = ExpressionEnvironment(
      schema: Robust.expressionSchema, table: Robust.expressionReceipts)
    env.maxLength = 100_000
    #expect(ExpressionCompiler.compileCondition(scalar, in: env, bag: &bag) == nil)
    #expect(
      bag.sorted.map { "\($0.span?.start.description ?? "-") \($0.code.id)" } == [
        "deep.yaml:3:76 CUS3009"
      ])
  }

  // MARK: YAML files

  @Test func yamlFileLargerThanTheLimit() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    let path = folder + "/big.yaml"
    try Robust.writeBig(
      path, header: "k:\n", unit: "  - xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
      count: 9 * 1024 * 1024 / 44, tail: "")
    #expect(loadYAML(path: path) == ["CUS1010@1:1"])
    #expect(message(yamlPath: path).hasSuffix("bytes; the limit is 8388608 bytes"))
  }

  @Test func largeScalarUnderTheLimitLoadsQuickly() throws {
    // 7 MB in one scalar: no quadratic work in the loader or in position mapping (quadratic
    // would take hours; the bound is generous for debug and sanitizer builds).
    let text = "a: " + String(repeating: "x", count: 7 * 1024 * 1024) + "\n"
    var bag = DiagnosticBag()
    let node = YAMLLoader().load(text: text, path: "big.yaml", into: &bag)
    let scalar = try #require(node?.mapping?["a"]?.scalar)
    #expect(scalar.value.utf8.count == 7 * 1024 * 1024)
    #expect(
      scalar.location(ofValueOffset: 7 * 1024 * 1024 - 1)
        == SourceLocation(file: "big.yaml", line: 1, column: 7 * 1024 * 1024 + 3))
  }

  @Test func deepBlockMappings() {
    var text = ""
    for depth in 0..<100 { text += String(repeating: "  ", count: depth) + "a:\n" }
    var bag = DiagnosticBag()
    #expect(YAMLLoader().load(text: text, path: "t.yaml", into: &bag) == nil)
    // Mapping 65 opens at the value of the 64th key, on line 65.
    #expect(bag.sorted.map(Robust.at) == ["CUS1008@65:129"])
  }

  @Test func bigDocumentWithoutAliasesIsNotAnAliasBomb() {
    // 60,000 scalars five levels deep (a profile's value map for 30,000 supplier codes). The
    // expansion count once counted every node again at each enclosing level, so this was
    // rejected as CUS1007 "expands ... through aliases" with no alias in it.
    let pairs = (0..<30_000).map { "        S\($0): supplier-\($0)\n" }.joined()
    let text = "profile: erp\ntables:\n  receipts:\n    values:\n      supplier:\n" + pairs
    var bag = DiagnosticBag()
    let node = YAMLLoader().load(text: text, path: "p.yaml", into: &bag)
    #expect(bag.diagnostics.map(Robust.at) == [])
    #expect(
      node?.mapping?["tables"]?.mapping?["receipts"]?.mapping?["values"]?.mapping?["supplier"]?
        .mapping?.pairs.count == 30_000)
  }

  @Test func longFlowListLoadsInLinearTime() throws {
    // 150,000 items in one list: appending each item once copied the whole list (quadratic:
    // minutes for a file far under the size limit).
    let text = "k: [" + String(repeating: "1, ", count: 149_999) + "1]\n"
    var bag = DiagnosticBag()
    let node = YAMLLoader().load(text: text, path: "list.yaml", into: &bag)
    #expect(bag.diagnostics.isEmpty)
    #expect(node?.mapping?["k"]?.sequence?.items.count == 150_000)
  }

  @Test func manyDuplicateKeysAreAllReportedButRenderingIsCapped() {
    let text = (0..<50_000).map { _ in "k: 1\n" }.joined()
    var bag = DiagnosticBag()
    let cache = SourceCache()
    #expect(YAMLLoader(sources: cache).load(text: text, path: "dup.yaml", into: &bag) == nil)
    #expect(bag.errorCount == 49_999)
    #expect(bag.sorted.last.map(Robust.at) == "CUS1005@50000:1")
    let rendered = DiagnosticRenderer(sources: cache).render(bag.sorted)
    #expect(rendered.hasSuffix("... and 49899 more diagnostics not shown\n"))
  }

  @Test func yamlPathThatIsADirectory() {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    #expect(loadYAML(path: folder) == ["CUS1001@1:1"])
    #expect(message(yamlPath: folder) == "cannot read '\(folder)': is a directory")
  }

  @Test func yamlSymlinkLoop() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/a.yaml", withDestinationPath: "b.yaml")
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/b.yaml", withDestinationPath: "a.yaml")
    #expect(loadYAML(path: folder + "/a.yaml") == ["CUS1001@1:1"])
    #expect(message(yamlPath: folder + "/a.yaml").hasSuffix("Too many levels of symbolic links"))
  }

  @Test func yamlPathThatIsAPipeDoesNotHang() {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    #expect(mkfifo(folder + "/standard.yaml", 0o644) == 0)
    #expect(loadYAML(path: folder + "/standard.yaml") == ["CUS1001@1:1"])
    #expect(
      message(yamlPath: folder + "/standard.yaml").hasSuffix(
        "not a regular file (a pipe or a device?)"))
  }

  // MARK: Ledger files

  @Test func ledgerFileThatIsAPipeDoesNotHang() {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    #expect(mkfifo(folder + "/receipts.csv", 0o644) == 0)
    #expect(Robust.readLedger(folder) == "CUS6015@1:1")
  }

  @Test func ledgerFileThatIsADevice() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/receipts.csv", withDestinationPath: "/dev/zero")
    #expect(Robust.readLedger(folder) == "CUS6015@1:1")
  }

  @Test func ledgerFolderThatIsASymlinkLoop() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try FileManager.default.createSymbolicLink(atPath: folder + "/a", withDestinationPath: "b")
    try FileManager.default.createSymbolicLink(atPath: folder + "/b", withDestinationPath: "a")
    #expect(Robust.readLedger(folder + "/a") == "CUS6018@1:1")
  }

  @Test func danglingSymlinkInPlaceOfALedgerFile() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/receipts.csv", withDestinationPath: "gone.csv")
    #expect(Robust.readLedger(folder) == "CUS6015@1:1")
  }

  @Test func hundredMegabyteJSONLine() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try Robust.writeBig(
      folder + "/receipts.jsonl", header: "{\"entry_id\": \"R-1\", \"note\": \"",
      unit: String(repeating: "x", count: 1000),
      count: 100_000, tail: "\"}\n")
    #expect(Robust.readLedger(folder) == "CUS6012@1:1")
    // It stops after the first 16 MiB (generous bound: debug and sanitizer builds are slow).
  }

  @Test func millionKeysInOneJSONObject() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    // 5,000 distinct keys, then 995,000 more (~8 MB, under the 16 MiB line limit), so the
    // column limit is what stops it: at the 4,097th key.
    let distinct = (0..<5_000).map { "\"k\($0)\": 1, " }
    try Robust.writeBig(
      folder + "/receipts.jsonl", header: "{" + distinct.joined(), unit: "\"k\": 1, ",
      count: 995_000, tail: "\"z\": 1}\n")
    let column = 2 + distinct.prefix(4096).reduce(0) { $0 + $1.count }
    #expect(Robust.readLedger(folder) == "CUS6013@1:\(column)")
  }

  @Test func invalidUTF8InTheMiddleOfAJSONLinesFile() {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    var bytes = Array(
      String(
        repeating:
          "{\"entry_id\": \"R\", \"date\": \"2024-01-01\", \"pool\": \"PCL\", \"cu_t\": 1}\n",
        count: 50_000
      ).utf8)
    bytes += Array("{\"entry_id\": \"Caf".utf8) + [0xE9] + Array("\"}\n".utf8)
    FileManager.default.createFile(atPath: folder + "/receipts.jsonl", contents: Data(bytes))
    #expect(Robust.readLedger(folder) == "CUS6007@50001:18")
  }
}
