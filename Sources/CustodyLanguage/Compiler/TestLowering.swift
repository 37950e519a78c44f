import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// `tests:` of rules and standards -> `TestCase`s.
enum TestLowering {
  static let ruleTestKeys = ["name", "description", "given", "ledger", "params", "expect"]
  static let standardTestKeys = ["name", "description", "ledger", "given", "expect"]
  static let statuses = ["pass", "fail", "error", "skipped"]

  static func ruleTests(_ rule: RuleDecl, bag: inout DiagnosticBag) -> [TestCase] {
    rule.tests.compactMap { node in
      guard
        let r = MappingReader.open(
          node, what: "test", allowed: ruleTestKeys, required: ["name", "expect"], bag: &bag),
        let name = r.string("name", bag: &bag), let given = given(r, file: rule.file, bag: &bag)
      else { return nil }
      var params: [String: Value] = [:]
      for (key, value) in r.map("params", bag: &bag)?.pairs ?? [] {
        guard let p = rule.params.first(where: { $0.name == key.value }) else {
          bag.report(
            .unknownParameterBinding, "rule '\(rule.id)' has no parameter '\(key.value)'",
            at: key.span,
            suggestions: Suggestions.closest(to: key.value, in: rule.params.map(\.name)))
          continue
        }
        if let v = ParameterLowering.parse(
          value, as: p.type, what: "test parameter '\(key.value)'", bag: &bag)
        {
          params[key.value] = v
        }
      }
      var expect = TestCase.Expectation(statuses: [:], rows: [:], verdict: nil)
      if let node = r["expect"] {
        if let s = node.scalar {
          guard statuses.contains(s.value) else {
            bag.report(
              .badTestCase,
              "expected status '\(s.value)' is not one of \(statuses.joined(separator: ", "))",
              at: s.span, suggestions: Suggestions.closest(to: s.value, in: statuses))
            return nil
          }
          expect.statuses[rule.id] = s.value
        } else if let e = MappingReader.open(
          node, what: "expect", allowed: ["status", "rows"], required: ["status"], bag: &bag)
        {
          expect.statuses[rule.id] = e.choice("status", statuses, bag: &bag) ?? ""
          if let rows = e.strings("rows", bag: &bag) { expect.rows[rule.id] = rows }
        }
      }
      return TestCase(
        name: name, owner: rule.id, given: given, parameters: params, expect: expect,
        file: rule.file, span: node.span)
    }
  }

  static func standardTests(_ decl: StandardDecl, bag: inout DiagnosticBag) -> [TestCase] {
    decl.tests.compactMap { node in
      guard
        let r = MappingReader.open(
          node, what: "test", allowed: standardTestKeys, required: ["name", "expect"], bag: &bag),
        let name = r.string("name", bag: &bag), let given = given(r, file: decl.file, bag: &bag)
      else { return nil }
      var expect = TestCase.Expectation(statuses: [:], rows: [:], verdict: nil)
      if let e = r["expect"].flatMap({
        MappingReader.open(
          $0, what: "expect", allowed: ["verdict", "clauses", "rules", "rows"], required: [],
          bag: &bag)
      }) {
        expect.verdict = e.choice(
          "verdict", [Verdict.conformant, .nonConformant].map(\.rawValue), bag: &bag
        ).flatMap(Verdict.init(rawValue:))
        for key in ["clauses", "rules"] {
          for (id, v) in e.map(key, bag: &bag)?.pairs ?? [] {
            expect.statuses[id.value] = v.scalar?.value ?? ""
          }
        }
        for (id, v) in e.map("rows", bag: &bag)?.pairs ?? [] {
          expect.rows[id.value] =
            MappingReader.scalarList(v, key: "rows", bag: &bag)?.map(\.value) ?? []
        }
      }
      return TestCase(
        name: name, owner: decl.id, given: given, parameters: [:], expect: expect, file: decl.file,
        span: node.span)
    }
  }

  /// `given: {table: [{column: cell}]}` or `ledger: folder` (relative to the file).
  static func given(_ r: MappingReader, file: String, bag: inout DiagnosticBag) -> TestCase.Given? {
    if let ledger = r.string("ledger", bag: &bag) {
      return .ledger(path: Paths.resolve(ledger, relativeTo: file))
    }
    guard let tables = r.map("given", bag: &bag) else {
      bag.report(
        .badTestCase, "a test needs `given:` rows or a `ledger:` folder", at: r.mapping.span)
      return nil
    }
    var rows: [String: [[String: String]]] = [:]
    for (table, node) in tables.pairs {
      var list: [[String: String]] = []
      for item in node.sequence?.items ?? [] {
        guard let m = item.mapping else {
          bag.report(.badTestCase, "each row is a mapping of column: value", at: item.span)
          continue
        }
        var row: [String: String] = [:]
        for (k, v) in m.pairs {
          guard let s = v.scalar else {
            bag.report(.badTestCase, "cell '\(k.value)' must be a single value", at: v.span)
            continue
          }
          if !s.isNull || s.style != .plain { row[k.value] = s.value }
        }
        list.append(row)
      }
      if node.sequence == nil, !(node.scalar?.isNull ?? false) {
        bag.report(.badTestCase, "rows of '\(table.value)' must be a list", at: node.span)
      }
      rows[table.value] = list
    }
    return .rows(rows)
  }
}
