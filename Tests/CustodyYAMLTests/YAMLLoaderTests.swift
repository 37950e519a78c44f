import CustodyDiagnostics
import Testing

@testable import CustodyYAML

@Suite struct YAMLLoaderTests {
  func load(_ text: String) -> (YAMLNode?, [Diagnostic]) {
    var bag = DiagnosticBag()
    let node = YAMLLoader().load(text: text, path: "t.yaml", into: &bag)
    return (node, bag.sorted)
  }

  @Test func keepsLocations() throws {
    let (node, diags) = load("id: x\nrules:\n  - a\n  - 'b'\n")
    #expect(diags.isEmpty)
    let map = try #require(node?.mapping)
    let rules = try #require(map["rules"]?.sequence)
    #expect(rules.items[1].span.start == SourceLocation(file: "t.yaml", line: 4, column: 5))
    #expect(map.keyScalar("rules")?.span.start.line == 2)
  }

  @Test func duplicateKey() {
    let (_, diags) = load("a: 1\nb: 2\na: 3\n")
    #expect(diags.map(\.code.id) == ["CUS1005"])
    #expect(diags.first?.span?.start.line == 3)
    #expect(diags.first?.notes.first?.span?.start.line == 1)
  }

  @Test func tabIndentation() {
    let (_, diags) = load("a:\n\tb: 1\n")
    #expect(diags.map(\.code.id) == ["CUS1009"])
    #expect(diags.first?.span?.start == SourceLocation(file: "t.yaml", line: 2, column: 1))
  }

  @Test func aliasBomb() {
    var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    var previous = "a"
    for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
      text +=
        "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ")
        + "]\n"
      previous = name
    }
    let (node, diags) = load(text)
    #expect(node == nil)
    #expect(diags.map(\.code.id) == ["CUS1007"])
  }

  @Test func deepNesting() {
    let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    let (_, diags) = load(text)
    #expect(diags.map(\.code.id) == ["CUS1008"])
    #expect(diags.first?.span?.start == SourceLocation(file: "t.yaml", line: 1, column: 65))
  }

  @Test func invalidUTF8() {
    var bag = DiagnosticBag()
    let bytes: [UInt8] = Array("a: ok\nb: x".utf8) + [0xFF] + Array("\n".utf8)
    _ = YAMLLoader().load(bytes: bytes, path: "t.yaml", into: &bag)
    #expect(
      bag.sorted.map(\.description) == ["t.yaml:2:5: error: invalid UTF-8 byte 0xFF [CUS1002]"])
  }

  @Test func emptyFile() {
    #expect(load("").1.map(\.code.id) == ["CUS1004"])
    #expect(load("\n  \n").1.map(\.code.id) == ["CUS1004"])
  }

  @Test func offsetsInsideScalars() throws {
    let (node, _) = load(
      "assert: cu_t > \"abc\"\nmulti: |\n  a and\n  bogus > 1\nq: \"x \\\"y\\\" z\"\n")
    let map = try #require(node?.mapping)
    let plain = try #require(map["assert"]?.scalar)
    #expect(plain.location(ofValueOffset: 7) == SourceLocation(file: "t.yaml", line: 1, column: 16))
    let block = try #require(map["multi"]?.scalar)
    #expect(block.location(ofValueOffset: 6) == SourceLocation(file: "t.yaml", line: 4, column: 3))
    let quoted = try #require(map["q"]?.scalar)
    #expect(quoted.location(ofValueOffset: 3) == SourceLocation(file: "t.yaml", line: 5, column: 9))
    #expect(
      quoted.location(ofValueOffset: 6) == SourceLocation(file: "t.yaml", line: 5, column: 13))
  }
}
