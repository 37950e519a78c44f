import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyValues
import CustodyYAML
import FuzzSupport

// Fuzz target: the expression lexer, parser and type checker
// (`CustodyLanguage.ExpressionCompiler`), then the engine's evaluator on whatever compiles.
//
// The first byte picks how the text reaches the compiler: as plain text, inside a
// double-quoted or a literal-block YAML scalar (so token positions go through the scalar
// position mapping), or as an aggregate `compute:` entry. Properties: a nil result always
// comes with an error and a result never does; conditions are booleans; every location is a
// real position; evaluation ends in a value or an `EvaluationError`, never a trap.

private let yamlPath = "fuzz.yaml"

/// `text` as the value of key `e` in a one-line double-quoted scalar (escaping what YAML needs).
private func doubleQuoted(_ text: String) -> String {
  var out = "e: \""
  for s in text.unicodeScalars {
    switch s {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    default:
      if s.value < 0x20 || s.value == 0x7F || (0x80...0x9F).contains(s.value) || s.value == 0xFEFF
        || s.value == 0x2028 || s.value == 0x2029
      {
        out +=
          "\\u" + String(repeating: "0", count: 4 - String(s.value, radix: 16).count)
          + String(s.value, radix: 16)
      } else {
        out.unicodeScalars.append(s)
      }
    }
  }
  return out + "\"\n"
}

/// `text` as a literal block scalar, each line indented by two spaces.
private func literalBlock(_ text: String) -> String {
  "e: |-\n"
    + text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(
      separator: "\n") + "\n"
}

private func scalar(fromYAML yaml: String) -> YAMLScalar? {
  var bag = DiagnosticBag()
  return YAMLLoader().load(text: yaml, path: yamlPath, into: &bag)?.mapping?["e"]?.scalar
}

private func evaluate(_ node: ExprNode) {
  let evaluator = ProgramCompiler(lookups: Fixtures.lookups, tracing: true)
  let program = evaluator.compile(node)
  for row in Fixtures.rows {
    var frame = Frame(row: row, trace: Trace())
    do throws(EvaluationError) {
      _ = try program(&frame)
    } catch {
      _ = error  // a run-time error finding: fine, as long as it is not a trap
    }
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data, size > 0 else { return 0 }
  let mode = data[0] % 4
  let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
  var env = ExpressionEnvironment(
    schema: Fixtures.schema, table: Fixtures.receipts, parameters: Fixtures.parameters)
  var bag = DiagnosticBag()
  let node: ExprNode?
  let source: YAMLScalar
  var maxLine = 1
  switch mode {
  case 0, 3:
    let start = SourceLocation(file: "<expression>", line: 1, column: 1)
    source = YAMLScalar(
      value: text, style: .plain,
      span: SourceSpan(start: start, end: start.advanced(by: max(1, text.unicodeScalars.count))),
      raw: text)
    // Positions count "\n" scalars (a "\r\n" is one Character, so split by scalars).
    maxLine = 1 + text.unicodeScalars.count { $0 == "\n" }
  default:
    let yaml = mode == 1 ? doubleQuoted(text) : literalBlock(text)
    guard let s = scalar(fromYAML: yaml) else { return 0 }  // the loader's own fuzz target covers this
    source = s
    maxLine =
      yaml.utf8.withContiguousStorageIfAvailable {
        FuzzProperties.lineCount($0, unicodeBreaks: true)
      } ?? .max
  }
  if mode == 3 {
    env.allowAggregates = true
    let result = CustodyLanguage.ExpressionCompiler.compileAggregate(source, in: env, bag: &bag)
    FuzzDriver.require(
      (result == nil) == bag.hasErrors, "aggregate result and errors disagree: \(bag.sorted)")
    node = result?.argument
  } else {
    node = CustodyLanguage.ExpressionCompiler.compileCondition(source, in: env, bag: &bag)
    FuzzDriver.require(
      (node == nil) == bag.hasErrors,
      "result and errors disagree for \(text.debugDescription): \(bag.sorted)")
    if let node {
      FuzzDriver.require(node.type == .bool, "a condition of type \(node.type) compiled")
    }
  }
  FuzzProperties.checkLocations(bag.diagnostics, file: source.span.start.file, maxLine: maxLine)
  if let node { evaluate(node) }
  return 0
}

// Initialize the fixtures before the first input, so leak checking does not count them.
_ = (Fixtures.parameters, Fixtures.rows, Fixtures.lookups, Fixtures.schema)
FuzzDriver.main(fuzzExpression)
