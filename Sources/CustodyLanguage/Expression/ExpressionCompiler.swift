import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// Compiles expression text inside YAML scalars into type-checked `ExprNode` trees.
///
/// Every diagnostic points at the offending token's file:line:column, inside quoted and
/// multi-line scalars too. Length and nesting are bounded (`ExpressionEnvironment.maxLength`,
/// `.maxDepth`); the parser stops at the depth bound before recursing further.
public struct ExpressionCompiler: Sendable {
  /// Compiles an expression of any type; nil (after reporting) when it does not compile.
  public static func compile(
    _ scalar: YAMLScalar, in env: ExpressionEnvironment, bag: inout DiagnosticBag
  ) -> ExprNode? {
    compile(scalar, range: nil, in: env, bag: &bag)
  }

  /// Compiles one item of a YAML list of expressions (`account: [site, "MR", null]`): YAML
  /// quotes make the item text, as a policy author reads it; plain items are expressions.
  public static func compileListItem(
    _ scalar: YAMLScalar, in env: ExpressionEnvironment, bag: inout DiagnosticBag
  ) -> ExprNode? {
    if scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
      return ExprNode(
        id: 1, kind: .literal(.string(scalar.value)), type: .string, span: scalar.span,
        text: Value.string(scalar.value).literal)
    }
    return compile(scalar, in: env, bag: &bag)
  }

  /// Compiles a condition (`where:`, `assert:`): the expression must be a boolean.
  public static func compileCondition(
    _ scalar: YAMLScalar, in env: ExpressionEnvironment, bag: inout DiagnosticBag
  ) -> ExprNode? {
    guard let node = compile(scalar, in: env, bag: &bag) else { return nil }
    guard node.type == .bool else {
      bag.report(
        .notBoolean,
        "a condition must be true or false, but '\(node.text)' is \(TypeRules.describe(node.type))",
        at: node.span, help: "compare it: \(node.text) == ..., != null, > 0 ...")
      return nil
    }
    return node
  }

  /// Compiles one `compute:` entry: `sum(expr)`, `count()`, `min(expr)`, `max(expr)`, `avg(expr)`.
  /// The argument is compiled against the row table of `env`.
  public static func compileAggregate(
    _ scalar: YAMLScalar, in env: ExpressionEnvironment, bag: inout DiagnosticBag
  ) -> (function: AggregateFunction, argument: ExprNode?)? {
    var local = DiagnosticBag()
    guard let syntax = parse(scalar, range: nil, env: env, bag: &local) else {
      bag.append(contentsOf: local.diagnostics)
      return nil
    }
    guard case .call(let name, let nameRange, let args) = syntax.kind,
      let function = AggregateFunction(rawValue: name)
    else {
      bag.report(
        .aggregateMisplaced,
        "a computed value must be one aggregation: sum(x), count(), min(x), max(x) or avg(x)",
        at: scalar.span(ofValueRange: syntax.range))
      return nil
    }
    let wanted = function == .count ? 0...1 : 1...1
    guard wanted.contains(args.count) else {
      bag.report(
        .wrongArity,
        "\(name) takes \(function == .count ? "0 or 1 argument" : "1 argument"), but \(args.count) are given",
        at: scalar.span(ofValueRange: syntax.range))
      return nil
    }
    _ = nameRange
    guard let arg = args.first else { return (function, nil) }
    var checker = TypeChecker(scalar: scalar, env: env)
    checker.nextID = 1
    let node = checker.check(arg)
    bag.append(contentsOf: checker.bag.diagnostics)
    guard let node else { return nil }
    if function != .count, function != .min, function != .max, !node.type.isNumeric,
      node.type != .null
    {
      bag.report(
        .typeMismatch,
        "\(name) needs a number, but '\(node.text)' is \(TypeRules.describe(node.type))",
        at: node.span)
      return nil
    }
    return (function, node)
  }

  /// Compiles the value characters `range` of `scalar` (a `{...}` part of a message template).
  static func compile(
    _ scalar: YAMLScalar, range: Range<Int>?, in env: ExpressionEnvironment,
    bag: inout DiagnosticBag
  ) -> ExprNode? {
    guard let syntax = parse(scalar, range: range, env: env, bag: &bag) else { return nil }
    var checker = TypeChecker(scalar: scalar, env: env)
    let node = checker.check(syntax)
    bag.append(contentsOf: checker.bag.diagnostics)
    return node
  }

  static func parse(
    _ scalar: YAMLScalar, range: Range<Int>?, env: ExpressionEnvironment, bag: inout DiagnosticBag
  ) -> Syntax? {
    let all = Array(scalar.value.unicodeScalars)
    let r = range ?? 0..<all.count
    let span = { (x: Range<Int>) in
      scalar.span(ofValueRange: x.isEmpty ? x.lowerBound..<(x.lowerBound + 1) : x)
    }
    if r.count > env.maxLength {
      bag.report(
        .expressionTooLong,
        "expression is \(r.count) characters long; the limit is \(env.maxLength)",
        at: span(r.lowerBound..<(r.lowerBound + 1)))
      return nil
    }
    let text = Array(all[r])
    if text.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\t" }) {
      bag.report(.exprSyntax, "expression is empty", at: scalar.span)
      return nil
    }
    var lexer = Lexer(text, base: r.lowerBound)
    var failure: (DiagnosticCode, String, Range<Int>, [String])?
    let tokens = lexer.tokenize { failure = ($0, $1, $2, $3) }
    guard let tokens else {
      if let (code, message, at, suggestions) = failure {
        bag.report(code, message, at: span(at), suggestions: suggestions)
      }
      return nil
    }
    var parser = Parser(tokens: tokens, maxDepth: env.maxDepth)
    let syntax = parser.parseAll()
    for (code, message, at, suggestions) in parser.diagnostics {
      bag.report(code, message, at: span(at), suggestions: suggestions)
    }
    return syntax
  }

  /// Compiles `text` against one table, for tests and tools. Diagnostics are sorted and name
  /// the file `<expression>`, line 1, columns counted from 1.
  public static func compile(
    text: String, table: TableSchema, schema: LedgerSchema,
    parameters: [String: (ValueType, Value)] = [:]
  ) -> (ExprNode?, [Diagnostic]) {
    let start = SourceLocation(file: "<expression>", line: 1, column: 1)
    let scalar = YAMLScalar(
      value: text, style: .plain,
      span: SourceSpan(start: start, end: start.advanced(by: text.unicodeScalars.count)), raw: text)
    var env = ExpressionEnvironment(schema: schema, table: table)
    env.parameters = parameters.mapValues {
      ExpressionEnvironment.Parameter(type: $0.0, value: $0.1)
    }
    var bag = DiagnosticBag()
    let node = compile(scalar, in: env, bag: &bag)
    return (node, bag.sorted)
  }
}
