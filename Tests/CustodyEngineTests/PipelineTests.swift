import CustodyDiagnostics
import CustodyLanguage
import CustodyValues
import CustodyYAML
import Testing

@testable import CustodyEngine

/// The check-kind examples again, with every expression compiled from its YAML text by the
/// language's expression compiler instead of built by hand: the findings must be identical.
@Suite struct PipelineTests {
  let schema = ExampleLedger.schema

  /// Compiles `text` as a rule author would write it.
  func x(
    _ text: String, _ table: String? = nil, ref: String? = nil,
    group: [(name: String, type: ValueType)] = [], params: [String: (ValueType, Value)] = [:]
  ) throws -> ExprNode {
    let start = SourceLocation(file: "<rule>", line: 1, column: 1)
    let scalar = YAMLScalar(
      value: text, style: .plain,
      span: SourceSpan(start: start, end: start.advanced(by: text.count)), raw: text)
    var env = ExpressionEnvironment(
      schema: schema, table: table.flatMap(schema.table), ref: ref.flatMap(schema.table),
      groupFields: group)
    env.parameters = params.mapValues { ExpressionEnvironment.Parameter(type: $0.0, value: $0.1) }
    var bag = DiagnosticBag()
    let node = ExpressionCompiler.compile(scalar, in: env, bag: &bag)
    #expect(bag.diagnostics.isEmpty, "\(text): \(bag.diagnostics)")
    return try #require(node)
  }

  /// Finding ids, statuses and evidence keys: what must not depend on how the tree was built.
  func outcome(_ spec: CheckSpec, _ rows: [String: [[String: String]]]) throws -> [String] {
    let result = try T.run(spec, rows)
    return [result.rule("r")?.status.rawValue ?? "?"]
      + result.findings.map { "\($0.id) \($0.status) \($0.evidence.map(\.key))" }
  }

  func same(_ example: CheckExample, _ compiled: CheckSpec) throws {
    let alone = try outcome(example.check, example.rows)
    let piped = try outcome(compiled, example.rows)
    #expect(alone == piped, "\(example.name)")
    #expect(alone.first == example.expectedStatus.rawValue)
  }

  @Test func rowKind() throws {
    let tolerance: [String: (ValueType, Value)] = [
      "tolerance_t": (.decimal(unit: "t"), .decimal(T.d("0.001")))
    ]
    let spec = CheckSpec.row(
      RowCheckSpec(
        table: "receipts", filter: nil,
        assertion: try x(
          "abs(gross_t * cu_pct / 100 - cu_t) <= $tolerance_t", "receipts", params: tolerance)))
    for e in RowCheck.examples.prefix(3) { try same(e, spec) }
    let eligible = CheckSpec.row(
      RowCheckSpec(
        table: "receipts", filter: try x("pool in [\"PCL\", \"MR\"]", "receipts"),
        assertion: try x("origin in [\"post_consumer\", \"pre_consumer\"]", "receipts")))
    try same(RowCheck.examples[3], eligible)
  }

  @Test func uniqueKind() throws {
    let documents = CheckSpec.unique(
      UniqueCheckSpec(sources: [
        .init(table: "receipts", filter: nil, key: [try x("document_id", "receipts")])
      ]))
    for e in UniqueCheck.examples.prefix(2) { try same(e, documents) }
  }

  @Test func referenceKind() throws {
    let spec = CheckSpec.reference(
      ReferenceCheckSpec(
        table: "receipts", filter: nil, key: [try x("supplier_id", "receipts")],
        target: "due_diligence",
        targetKey: [], at: try x("date", "receipts"),
        condition: try x("ref.status == \"passed\"", "receipts", ref: "due_diligence")))
    for e in ReferenceCheck.examples { try same(e, spec) }
  }

  @Test func aggregateKind() throws {
    var spec = try #require(
      { if case .aggregate(let s) = AggregateCheck.examples[0].check { s } else { nil } }())
    spec.groupBy = [(name: "site", expr: try x("site", "shipments"))]
    spec.periodGroup = try x("site", "shipments")
    spec.periodDate = try x("date", "shipments")
    spec.compute = [
      .init(name: "shipped", function: .sum, argument: try x("cu_t", "shipments")),
      .init(name: "n", function: .count, argument: nil),
    ]
    spec.assertion = try x(
      "shipped <= 100",
      group: [("site", .string), ("shipped", .decimal(unit: "t")), ("n", .integer)])
    // The examples of this spec (the `also:` example has a spec of its own).
    for e in AggregateCheck.examples where e.check == AggregateCheck.examples[0].check {
      try same(e, .aggregate(spec))
    }
  }

  @Test func periodCoverageKind() throws {
    var spec = try #require(
      {
        if case .periodCoverage(let s) = PeriodCoverageCheck.examples[0].check { s } else { nil }
      }())
    spec.entries = [
      .init(
        table: "receipts", filter: nil, group: try x("site", "receipts"),
        date: try x("date", "receipts"))
    ]
    for e in PeriodCoverageCheck.examples { try same(e, .periodCoverage(spec)) }
  }

  @Test func massBalanceKind() throws {
    var book = ExampleBook.book()
    book.credits = [
      CompiledBook.Source(
        table: "receipts", filter: try x("pool in [\"PCL\", \"MR\"]", "receipts"),
        date: try x("date", "receipts"),
        account: [
          try x("site", "receipts"), try x("pool", "receipts"), try x("partner", "receipts"),
        ],
        amount: try x("cu_t", "receipts"), label: "receipt")
    ]
    book.debits = [
      CompiledBook.Source(
        table: "shipments", filter: try x("claim == \"MR100/mb\"", "shipments"),
        date: try x("date", "shipments"),
        account: [
          try x("site", "shipments"), try x("\"MR\"", "shipments"), try x("null", "shipments"),
        ],
        amount: try x("cu_t", "shipments"), label: "MR100/mb shipment")
    ]
    let examples = MassBalanceCheck.examples
    try same(examples[0], ExampleBook.check(.continuous, book: book))
    try same(examples[1], ExampleBook.check(.periodEnd, book: book, periods: true))
    book.lifetimeMonths = 24
    try same(examples[2], ExampleBook.check(.expiry, book: book))
  }

  @Test func conversionFactorLookupCompiledFromText() throws {
    let factor = try x("cu_t * conversion_factors[site @ date].factor", "receipts")
    guard case .binary(.multiply, _, let member) = factor.kind, case .member = member.kind else {
      Issue.record("unexpected tree \(factor.kind)")
      return
    }
    var book = ExampleBook.book(conversionFactors: true)
    book.credits[0].amount = factor
    let rows: [String: [[String: String]]] = [
      "conversion_factors": [["site": "S1", "valid_from": "2024-01-01", "factor": "0.5"]],
      "receipts": [
        ["entry_id": "R1", "date": "2024-01-10", "site": "S1", "pool": "MR", "cu_t": "10"]
      ],
      "shipments": [
        ["entry_id": "X1", "date": "2024-01-11", "site": "S1", "claim": "MR100/mb", "cu_t": "6"]
      ],
    ]
    let result = try T.run(ExampleBook.check(.continuous, book: book), rows)
    #expect(result.rows("r") == ["X1"])
    #expect(result.findings.first?.balance?.shortfall == T.d("1"))
  }
}
