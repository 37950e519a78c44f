import CustodyDiagnostics
import CustodyValues
import CustodyYAML
import Testing

@testable import CustodyLanguage

/// Compiles `text` against `receipts` (or `table`) and returns the node and `code@col` strings.
private func compile(
  _ text: String, table: TableSchema = TestSchema.receipts,
  parameters: [String: (ValueType, Value)] = [:]
) -> (ExprNode?, [String]) {
  let (node, diagnostics) = ExpressionCompiler.compile(
    text: text, table: table, schema: TestSchema.schema, parameters: parameters)
  return (node, diagnostics.map { "\($0.code.id)@\($0.span?.start.column ?? 0)" })
}

private let params: [String: (ValueType, Value)] = [
  "tol": (.decimal(unit: "t"), .decimal(ExactDecimal(mantissa: 1, scale: 3))),
  "stock_tolerance_pct": (.decimal(unit: "%"), .decimal(ExactDecimal(mantissa: 5, scale: 1))),
  "allowed_origins": (.list(.string), .list([.string("post_consumer"), .string("pre_consumer")])),
  "bad_origins": (.list(.string), .list([.string("post_consumr")])),
]

@Suite struct ExpressionCompilerTests {
  @Test(arguments: [
    "pool in [\"PCL\", \"MR\"]",
    "origin in $allowed_origins",
    "suppliers[supplier @ date]?.due_diligence == \"passed\"",
    "cu_t * conversion_factors[site @ date].factor > 0",
    "customer == partner or customer in partners[partner @ date]?.affiliates",
    "abs(gross_t * cu_pct / 100 - cu_t) <= $tol",
    "sites[site]?.in_scope == true",
    "cu_t != null and gross_t != null",
    "not (pool == \"none\") and date >= date(\"2024-01-01\")",
    "add_months(date, 12) > date and date + 30d > date",
    "coalesce(partner, \"-\") != \"x\" and len(tags) <= 3 and contains(tags, \"a\")",
    "if(pool == \"PCL\", partner, null) != null",
    "round(cu_t, 3) == 2.5 and -cu_t < 0 and lines * 2 >= 0",
    "matches(entry_id, \"^R-[0-9]+$\") and starts_with(lower(site), \"s\")",
    "suppliers[supplier] == null or pool not in ['PCL']",
    "partners[affiliates = supplier]?.partner_id == partner",
    "partners[affiliates = supplier @ date] != null or partners[partner_id = partner] != null",
    "coalesce(partners[partner_id = partner]?.partner_id, partners[affiliates=supplier]?.partner_id) != null",
  ])
  func realisticShapesCompile(_ text: String) {
    let (node, codes) = compile(text, parameters: params)
    #expect(codes == [])
    #expect(node?.type == .bool)
  }

  @Test func stockToleranceKeepsTonnes() {
    let (node, codes) = compile(
      "abs(physical_cu_t - book_cu_t) <= book_cu_t * $stock_tolerance_pct / 100",
      table: TestSchema.stock, parameters: params)
    #expect(codes == [])
    guard case .binary(.lessOrEqual, _, let right)? = node?.kind else {
      Issue.record("not a <= node")
      return
    }
    #expect(right.type == .decimal(unit: "t"))
  }

  @Test(arguments: [
    // (expression, expected "CODE@column")
    ("cu_t > \"abc\"", "CUS3003@8"),
    ("cu_tt > 0", "CUS3002@1"),
    ("lenn(site) > 0", "CUS3004@1"),
    ("abs(cu_t, 1) > 0", "CUS3005@1"),
    ("cu_t + cu_pct > 0", "CUS3006@8"),
    ("origin == \"post_consumr\"", "CUS3007@11"),
    ("origin in $bad_origins", "CUS3007@11"),
    ("pool in [\"PCL\", \"MRR\"]", "CUS3007@17"),
    ("cu_t > $tolerance", "CUS3010@8"),
    ("supplier[supplier].x == 1", "CUS3011@1"),
    ("sites[site @ date]?.in_scope", "CUS3012@14"),
    ("suppliers[supplier, site]?.due_diligence == \"passed\"", "CUS3012@1"),
    ("sum(cu_t) > 0", "CUS3013@1"),
    ("cu_t > 1e5", "CUS3014@8"),
    ("cu_t < null", "CUS3016@8"),
    ("suppliers[supplier]?.due_dilligence == \"passed\"", "CUS3017@22"),
    ("cu_t = 1", "CUS3001@6"),
    ("(cu_t > 1", "CUS3001@10"),
    ("cu_t > 1 cu_t", "CUS3001@10"),
    ("date(\"2024-02-30\") < date", "CUS3014@6"),
    ("site > 1 and cu_t", "CUS3003@8"),
    ("suppliers[supplier] > 1", "CUS3003@23"),
    ("'unterminated == site", "CUS3014@1"),
    ("1 < 2 < 3", "CUS3001@7"),
    // Column lookups: `=` only right after `table[column`.
    ("partners[afiliates = supplier] != null", "CUS3017@10"),
    ("partners[affiliates = cu_t] != null", "CUS3003@23"),
    ("partners[valid_from = site] != null", "CUS3003@23"),
    ("sites[site = site @ date] != null", "CUS3012@21"),
    ("partners[affiliates = supplier @ site] != null", "CUS3003@34"),
    ("partner[affiliates = supplier] != null", "CUS3011@1"),
    ("partners[affiliates = supplier, site] != null", "CUS3001@31"),
    ("[site = 1] != null", "CUS3001@7"),
    ("site in [pool = 1]", "CUS3001@15"),
    ("partners[affiliates = pool = 1] != null", "CUS3001@28"),
  ])
  func errorsPointAtTheToken(_ text: String, _ expected: String) {
    let (node, codes) = compile(text, parameters: params)
    #expect(node == nil)
    #expect(codes == [expected])
  }

  @Test func unknownFieldSuggests() {
    let (_, diagnostics) = ExpressionCompiler.compile(
      text: "cu_tt > 0", table: TestSchema.receipts, schema: TestSchema.schema)
    #expect(diagnostics.first?.suggestions == ["cu_t", "cu_pct"])
    let (_, fn) = ExpressionCompiler.compile(
      text: "absolute(cu_t) > 0", table: TestSchema.receipts, schema: TestSchema.schema)
    #expect(fn.first?.code == .unknownFunction)
    let (_, en) = ExpressionCompiler.compile(
      text: "origin == \"post_consumr\"", table: TestSchema.receipts, schema: TestSchema.schema)
    #expect(en.first?.suggestions == ["post_consumer"])
  }

  @Test func columnLookupNamesItsColumnAndSuggests() throws {
    let (node, diagnostics) = ExpressionCompiler.compile(
      text: "partners[affiliates = supplier @ date]?.partner_id", table: TestSchema.receipts,
      schema: TestSchema.schema)
    #expect(diagnostics.isEmpty)
    guard case .member(let base, _, _, true)? = node?.kind,
      case .lookupWhere(let table, let column, let name, let value, let at) = base.kind
    else {
      Issue.record("not a column lookup: \(String(describing: node?.kind))")
      return
    }
    #expect(table == "partners" && column == 1 && name == "affiliates")
    #expect(value.text == "supplier" && at?.text == "date")
    #expect(base.type == .row("partners"))
    let (_, bad) = ExpressionCompiler.compile(
      text: "partners[afiliates = supplier] != null", table: TestSchema.receipts,
      schema: TestSchema.schema)
    #expect(bad.first?.suggestions == ["affiliates"])
    #expect(bad.first?.message == "table 'partners' has no column 'afiliates'")
    let (_, eq) = ExpressionCompiler.compile(
      text: "cu_t = 1", table: TestSchema.receipts, schema: TestSchema.schema)
    #expect(eq.first?.message == "unexpected '=' (write '==' to compare)")
  }

  @Test func lengthIsBounded() {
    let text = String(repeating: "cu_t + ", count: 700) + "1 > 0"
    let (node, codes) = compile(text)
    #expect(node == nil)
    #expect(codes == ["CUS3008@1"])
  }

  @Test func depthIsBoundedWithoutRecursingFurther() {
    let start = SourceLocation(file: "<e>", line: 1, column: 1)
    // The 65th opening token is where the limit of 64 is crossed.
    for (text, column) in [
      (String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000), 65),
      (String(repeating: "-", count: 10_000) + "1", 65),
      (String(repeating: "not ", count: 10_000) + "true", 257),
      (String(repeating: "abs(", count: 10_000) + "1" + String(repeating: ")", count: 10_000), 260),
    ] {
      let scalar = YAMLScalar(
        value: text, style: .plain, span: SourceSpan(start, length: 1), raw: text)
      var env = ExpressionEnvironment(schema: TestSchema.schema, table: TestSchema.receipts)
      env.maxLength = 100_000
      var bag = DiagnosticBag()
      let node = ExpressionCompiler.compile(scalar, in: env, bag: &bag)
      #expect(node == nil)
      #expect(bag.sorted.map(\.code) == [.expressionTooDeep])
      #expect(bag.sorted.first?.span?.start.column == column)
    }
  }

  @Test func leftDeepChainsAreBoundedToo() {
    let text = String(repeating: "1 + ", count: 100) + "1 > 0"
    let (node, codes) = compile(text)
    #expect(node == nil)
    #expect(codes.map { String($0.prefix(7)) } == ["CUS3009"])
  }

  @Test func tokensInYAMLPointAtFileLineColumn() {
    var bag = DiagnosticBag()
    let yaml = "check:\n  assert: cu_t > \"abc\"\n"
    let root = YAMLLoader().load(text: yaml, path: "r.yaml", into: &bag)
    guard let scalar = root?.mapping?["check"]?.mapping?["assert"]?.scalar else {
      Issue.record("no scalar")
      return
    }
    let env = ExpressionEnvironment(schema: TestSchema.schema, table: TestSchema.receipts)
    _ = ExpressionCompiler.compileCondition(scalar, in: env, bag: &bag)
    #expect(
      bag.sorted.map(\.description) == [
        "r.yaml:2:18: error: cannot order 'cu_t' (decimal (t)) with '\"abc\"' (text) [CUS3003]"
      ])
  }

  @Test func conditionMustBeBoolean() {
    var bag = DiagnosticBag()
    let start = SourceLocation(file: "f", line: 3, column: 11)
    let scalar = YAMLScalar(
      value: "cu_t * 2", style: .plain, span: SourceSpan(start, length: 8), raw: "cu_t * 2")
    let env = ExpressionEnvironment(schema: TestSchema.schema, table: TestSchema.receipts)
    #expect(ExpressionCompiler.compileCondition(scalar, in: env, bag: &bag) == nil)
    #expect(
      bag.sorted.map(\.description) == [
        "f:3:11: error: a condition must be true or false, but 'cu_t * 2' is decimal (t) [CUS3015]"
      ])
  }
}

@Suite struct LocationTests {
  /// Node spans come from a one-pass table; they must equal the YAML module's per-offset answer.
  @Test func nodeSpansMatchTheYAMLScalarLocations() {
    let yaml = """
      a: cu_t > 0 and pool == "PCL"
      b: "cu_t > 0 and pool == \\"PCL\\" and\\
        origin != 'x'"
      c: 'it''s ''x'' or cu_t'
      d: >-
        cu_t >= 0 and
          gross_t >= 0 and

        origin == "primary"
      e: |
        cu_t >= 0
        and pool == "MR"
      f: plain scalar
        folded over lines
      """
    var bag = DiagnosticBag()
    guard let root = YAMLLoader().load(text: yaml, path: "l.yaml", into: &bag)?.mapping else {
      Issue.record("no mapping: \(bag.sorted)")
      return
    }
    for (_, node) in root.pairs {
      guard let scalar = node.scalar else { continue }
      let count = scalar.value.unicodeScalars.count
      let env = ExpressionEnvironment(schema: TestSchema.schema, table: TestSchema.receipts)
      _ = env
      for lo in 0...count {
        for hi in [lo, lo + 1, min(count, lo + 3), count] where hi >= lo {
          let expected = scalar.span(ofValueRange: lo..<hi)
          #expect(ScalarLocator(scalar).span(lo..<hi) == expected, "\(scalar.value) \(lo)..<\(hi)")
        }
      }
    }
  }
}
