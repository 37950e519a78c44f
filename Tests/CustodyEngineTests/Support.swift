import CustodyLanguage
import CustodyLedger
import CustodyValues
import Testing

@testable import CustodyEngine

/// Helpers shared by the engine tests.
enum T {
  static let schema = ExampleLedger.schema

  static func instance(
    _ id: String, _ check: CheckSpec, clauses: [String] = ["EX-1"], requires: [String] = [],
    from: String? = nil, until: String? = nil, message: MessageTemplate? = nil
  ) -> RuleInstance {
    RuleInstance(
      id: id, ruleID: id, title: id, description: "", clauseIDs: clauses, parameters: [],
      check: check, message: message, requires: requires,
      effectiveFrom: from.flatMap { CivilDate.parseISO($0) },
      effectiveUntil: until.flatMap { CivilDate.parseISO($0) }, file: "<test>", span: nil,
      digest: "")
  }

  static func standard(_ instances: [RuleInstance], clauses: [Clause]? = nil) -> CompiledStandard {
    var s = CompiledStandard.single(schema: schema)
    s.rules = instances
    s.graph = RuleGraph(order: instances.map(\.id), requires: [:], tables: [:])
    if let clauses {
      s.clauses = clauses
    } else {
      s.clauses[0].evidence = .ledger(ruleInstances: instances.map(\.id))
    }
    return s
  }

  static func run(
    _ instances: [RuleInstance], _ rows: [String: [[String: String]]], clauses: [Clause]? = nil,
    options: EngineOptions = EngineOptions()
  ) throws -> EvaluationResult {
    let ledger = try InMemoryLedger(schema: schema, rows: rows)
    let standard = standard(instances, clauses: clauses)
    let result = try Engine(standard: standard, options: options).evaluate(ledger: ledger)
    // Every engine test also runs with one key or posting per spill run (SpillTests): spilling
    // to disk must never change a result.
    var spilling = options
    spilling.spillThreshold = 1
    let spilled = try Engine(standard: standard, options: spilling).evaluate(
      ledger: try InMemoryLedger(schema: schema, rows: rows))
    #expect(spilled == result, "spilling to disk changed the result")
    return result
  }

  static func run(_ check: CheckSpec, _ rows: [String: [[String: String]]]) throws
    -> EvaluationResult
  {
    try run([instance("r", check)], rows)
  }

  static func d(_ s: String) -> ExactDecimal { ExactDecimal(s) ?? .zero }
}

extension EvaluationResult {
  /// Evidence keys of a rule's findings, sorted.
  func rows(_ rule: String) -> [String] {
    findings(for: rule).flatMap(\.evidence).map(\.key).sorted()
  }
}
