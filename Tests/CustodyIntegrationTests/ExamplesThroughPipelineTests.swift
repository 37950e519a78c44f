import CustodyAuthoring
import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues
import Foundation
import Testing

@testable import CustodyEngine

/// Issue 4 acceptance 1: every check kind's examples give identical findings through the kind
/// alone (`CheckExample.run`) and through the whole pipeline: the example written out as YAML
/// (ledger schema, rule, book, standard), compiled by the compiler, evaluated by the engine.
@Suite struct ExamplesThroughPipelineTests {
  static let all: [CheckExample] =
    RowCheck.examples + UniqueCheck.examples + ReferenceCheck.examples + AggregateCheck.examples
    + PeriodCoverageCheck.examples + MassBalanceCheck.examples

  @Test(arguments: all.map(\.name))
  func sameFindingsThroughThePipeline(_ name: String) throws {
    let example = try #require(Self.all.first { $0.name == name })
    let alone = try example.run()
    let dir = NSTemporaryDirectory() + "custody-example-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try ExampleYAML.write(example, to: dir)
    let compiled = ValidationPipeline.compile(dir + "/standard.yaml", sources: SourceCache())
    let ruleText = (try? String(contentsOfFile: dir + "/rule.yaml", encoding: .utf8)) ?? ""
    let standard = try #require(
      compiled.standard, "\(compiled.diagnostics.map(\.description))\n\(ruleText)")
    let ledger = try InMemoryLedger(schema: standard.schema, rows: example.rows)
    let piped = try Engine(standard: standard).evaluate(ledger: ledger)

    let a = try #require(alone.rule("example"))
    let b = try #require(piped.rule("example"))
    #expect(a.status == b.status)
    #expect(a.counts == b.counts)
    func strip(_ f: Finding) -> Finding {
      var f = f
      f.location = nil
      return f
    }
    #expect(
      alone.findings.filter { $0.ruleID == "example" }.map(strip)
        == piped.findings.filter { $0.ruleID == "example" }.map(strip))
  }
}

/// Writes a `CheckExample` as the YAML a policy author would write.
enum ExampleYAML {
  static func write(_ e: CheckExample, to dir: String) throws {
    try schema(e.schema).write(toFile: dir + "/schema.yaml", atomically: true, encoding: .utf8)
    var params: [String: Value] = [:]
    collectParameters(e.check, into: &params)
    var rule = "rule: example\ntitle: \(quote(e.name))\n"
    if !params.isEmpty {
      rule += "params:\n"
      for (name, value) in params.sorted(by: { $0.key < $1.key }) {
        rule += "  \(name): {type: \(paramType(value)), default: \(literal(value))}\n"
      }
    }
    rule += "check:\n" + check(e.check, schema: e.schema)
    if let message = e.message {
      let text = message.parts.map { part -> String in
        switch part {
        case .text(let t): t
        case .expression(let n): "{\(n.text)}"
        }
      }.joined()
      rule += "message: \(quote(text))\n"
    }
    try rule.write(toFile: dir + "/rule.yaml", atomically: true, encoding: .utf8)
    if case .massBalance(let mb) = e.check {
      try book(mb.book, schema: e.schema).write(
        toFile: dir + "/book.yaml", atomically: true, encoding: .utf8)
    }
    let files = ["rule.yaml"] + (e.check.kind == "mass_balance" ? ["book.yaml"] : [])
    let standard = """
      standard: example
      title: Example
      version: "1"
      schema: schema.yaml
      rules: [\(files.joined(separator: ", "))]
      sections:
        - id: EX
          title: Example
          clauses:
            - id: EX-1
              title: Example
              requirement: The example.
              severity: major
              rules: [example]

      """
    try standard.write(toFile: dir + "/standard.yaml", atomically: true, encoding: .utf8)
  }

  static func quote(_ s: String) -> String {
    "\""
      + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      + "\""
  }

  /// An expression as a YAML scalar: double-quoted, so commas and colons are safe.
  static func x(_ n: ExprNode) -> String { quote(n.text) }

  /// An expression as a block-list item: plain, because in a list a quoted item is a string
  /// literal (`- "MR"`), as policy authors write account keys.
  static func item(_ n: ExprNode, indent: String) -> String { "\(indent)- \(n.text)\n" }

  static func literal(_ v: Value) -> String {
    switch v {
    case .list(let items): "[" + items.map(literal).joined(separator: ", ") + "]"
    case .string(let s): quote(s)
    case .null: "null"
    default: v.description
    }
  }

  static func paramType(_ v: Value) -> String {
    switch v {
    case .integer: "integer"
    case .decimal: "decimal"
    case .bool: "boolean"
    case .date: "date"
    case .list: "list"
    case .duration: "duration"
    default: "string"
    }
  }

  static func schema(_ s: LedgerSchema) -> String {
    var out = "schema: \(s.id)\nversion: \(quote(s.version))\ntables:\n"
    for t in s.tables {
      out += "  - name: \(t.name)\n    file: \(t.file)\n    optional: true\n"
      if !t.key.isEmpty { out += "    key: [\(t.key.joined(separator: ", "))]\n" }
      if let id = t.entryID { out += "    entry_id: \(id)\n" }
      if let from = t.validFrom, let to = t.validTo { out += "    valid: [\(from), \(to)]\n" }
      out += "    columns:\n"
      for c in t.columns {
        var fields = ["name: \(c.name)"]
        switch c.type {
        case .string: fields.append("type: string")
        case .decimal(let unit, let scale):
          fields.append("type: decimal")
          if let unit { fields.append("unit: \(quote(unit))") }
          if let scale { fields.append("scale: \(scale)") }
        case .integer: fields.append("type: integer")
        case .date: fields.append("type: date")
        case .boolean: fields.append("type: boolean")
        case .enumeration(let values):
          fields += ["type: enum", "values: [\(values.map(quote).joined(separator: ", "))]"]
        case .list(let separator): fields += ["type: list", "separator: \(quote(separator))"]
        }
        if let minimum = c.minimum { fields.append("min: \(minimum)") }
        if c.required { fields.append("required: true") }
        out += "      - {\(fields.joined(separator: ", "))}\n"
      }
    }
    return out
  }

  static func column(_ table: String, _ index: Int, _ s: LedgerSchema) -> String {
    s.table(table).map { $0.columns[index].name } ?? "?"
  }

  static func periods(_ p: PeriodSource, _ s: LedgerSchema, indent: String) -> String {
    var out = "\(indent)table: \(p.table)\n\(indent)group: \(column(p.table, p.group, s))\n"
    out +=
      "\(indent)start: \(column(p.table, p.start, s))\n\(indent)end: \(column(p.table, p.end, s))\n"
    if let id = p.id { out += "\(indent)id: \(column(p.table, id, s))\n" }
    return out
  }

  static func check(_ c: CheckSpec, schema s: LedgerSchema) -> String {
    var out = "  kind: \(c.kind)\n"
    switch c {
    case .row(let r):
      out += "  table: \(r.table)\n"
      if let f = r.filter { out += "  where: \(x(f))\n" }
      out += "  assert: \(x(r.assertion))\n"
    case .unique(let u):
      if u.sources.count == 1, let only = u.sources.first {
        out +=
          "  table: \(only.table)\n  key:\n" + only.key.map { item($0, indent: "    ") }.joined()
        if let f = only.filter { out += "  where: \(x(f))\n" }
      } else {
        out += "  across:\n"
        for src in u.sources {
          out +=
            "    - table: \(src.table)\n      key:\n"
            + src.key.map { item($0, indent: "        ") }.joined()
          if let f = src.filter { out += "      where: \(x(f))\n" }
        }
      }
    case .reference(let r):
      out += "  table: \(r.table)\n"
      if let f = r.filter { out += "  where: \(x(f))\n" }
      out +=
        "  key:\n" + r.key.map { item($0, indent: "    ") }.joined() + "  target: \(r.target)\n"
      if !r.targetKey.isEmpty {
        out +=
          "  target_key: [\(r.targetKey.map { column(r.target, $0, s) }.joined(separator: ", "))]\n"
      }
      if let at = r.at { out += "  at: \(x(at))\n" }
      if let cond = r.condition { out += "  assert: \(x(cond))\n" }
    case .aggregate(let a):
      out += "  table: \(a.table)\n"
      if let f = a.filter { out += "  where: \(x(f))\n" }
      if !a.groupBy.isEmpty {
        out += "  group_by:\n"
        for g in a.groupBy { out += "    \(g.name): \(x(g.expr))\n" }
      }
      if let p = a.periods, let g = a.periodGroup, let d = a.periodDate {
        out += "  per_period:\n    periods: \(p.table)\n    group: \(x(g))\n    date: \(x(d))\n"
      }
      out += "  compute:\n"
      for c in a.compute {
        out += "    \(c.name): \(quote("\(c.function.rawValue)(\(c.argument?.text ?? ""))"))\n"
      }
      if !a.also.isEmpty { out += "  also:\n" }
      for source in a.also {
        out += "    - table: \(source.table)\n"
        if let f = source.filter { out += "      where: \(x(f))\n" }
        out += "      compute:\n"
        for c in source.compute {
          out +=
            "        \(c.name): \(quote("\(c.function.rawValue)(\(c.argument?.text ?? ""))"))\n"
        }
      }
      out += "  assert: \(x(a.assertion))\n"
    case .periodCoverage(let p):
      out += "  periods:\n" + periods(p.periods, s, indent: "    ")
      if let m = p.maxMonths { out += "  max_months: \(m)\n" }
      out += "  contiguous: \(p.contiguous)\n  entries:\n"
      for e in p.entries {
        out += "    - table: \(e.table)\n      group: \(x(e.group))\n      date: \(x(e.date))\n"
        if let f = e.filter { out += "      where: \(x(f))\n" }
      }
    case .massBalance(let m):
      out += "  book: \(m.book.id)\n  mode: \(m.mode.rawValue)\n  tolerance: \(m.tolerance)\n"
      if let p = m.periods { out += "  periods:\n" + periods(p, s, indent: "    ") }
    }
    return out
  }

  static func source(_ src: CompiledBook.Source, label: Bool = true) -> String {
    var out = "  - table: \(src.table)\n"
    if label { out += "    label: \(quote(src.label))\n" }
    if let f = src.filter { out += "    where: \(x(f))\n" }
    if !src.excludeFailing.isEmpty {
      out += "    exclude_failing: [\(src.excludeFailing.joined(separator: ", "))]\n"
    }
    out += "    date: \(x(src.date))\n    account:\n"
    for a in src.account { out += item(a, indent: "      ") }
    out += "    amount: \(x(src.amount))\n"
    return out
  }

  static func book(_ b: CompiledBook, schema: LedgerSchema) -> String {
    var out =
      "book: \(b.id)\ntitle: \(quote(b.title))\naccount: [\(b.accountKey.joined(separator: ", "))]\n"
    out += "same_day: \(b.sameDay.rawValue)\n"
    if let l = b.lifetimeMonths { out += "lifetime_months: \(l)\n" }
    func list(_ key: String, _ sources: [CompiledBook.Source]) {
      guard !sources.isEmpty else { return }
      out += "\(key):\n" + sources.map { source($0) }.joined()
    }
    list("credits", b.credits)
    list("debits", b.debits)
    if !b.transfers.isEmpty {
      out += "transfers:\n"
      for t in b.transfers {
        out += "  - table: \(t.table)\n"
        if let f = t.filter { out += "    where: \(x(f))\n" }
        out +=
          "    date: \(x(t.date))\n    from:\n" + t.from.map { item($0, indent: "      ") }.joined()
        out +=
          "    to:\n" + t.to.map { item($0, indent: "      ") }.joined()
          + "    amount: \(x(t.amount))\n"
      }
    }
    if let o = b.opening {
      out +=
        "opening:\n"
        + source(o, label: false).replacingOccurrences(of: "  - table", with: "  table")
        .replacingOccurrences(of: "\n    ", with: "\n  ")
    }
    list("input_totals", b.inputTotals)
    list("output_totals", b.outputTotals)
    return out
  }

  static func collectParameters(_ c: CheckSpec, into params: inout [String: Value]) {
    func walk(_ n: ExprNode?) {
      guard let n else { return }
      if case .parameter(let name, let value) = n.kind { params[name] = value }
      for child in FindingExplainer.children(n) { walk(child) }
    }
    switch c {
    case .row(let r): walk(r.filter); walk(r.assertion)
    case .unique(let u): for s in u.sources { walk(s.filter); s.key.forEach(walk) }
    case .reference(let r): walk(r.filter); r.key.forEach(walk); walk(r.at); walk(r.condition)
    case .aggregate(let a):
      walk(a.filter); a.groupBy.forEach { walk($0.expr) }; walk(a.periodGroup); walk(a.periodDate)
      a.compute.forEach { walk($0.argument) }; walk(a.assertion)
      for source in a.also {
        walk(source.filter); source.groupBy.forEach { walk($0) }
        source.compute.forEach { walk($0.argument) }
      }
    case .periodCoverage(let p): for e in p.entries { walk(e.filter); walk(e.group); walk(e.date) }
    case .massBalance(let m):
      for s in m.book.credits + m.book.debits + m.book.inputTotals + m.book.outputTotals {
        walk(s.filter); walk(s.amount); s.account.forEach(walk)
      }
    }
  }
}
