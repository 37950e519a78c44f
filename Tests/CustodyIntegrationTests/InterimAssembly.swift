import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodyValues
import CustodyYAML
import Foundation
import Testing

/// INTERIM: a minimal YAML -> CompiledStandard assembly of the shipped standards, rules and
/// books, so the real engine can judge the fixtures before the language's `Compiler` lands.
/// It reads only the keys the reference standards use and reports nothing; replace it with
/// `Compiler(options:).compileStandard(path:)` once that exists.
struct MiniCompiler {
  let schema: LedgerSchema
  var rules: [String: (YAMLMapping, String)] = [:]
  var books: [String: YAMLMapping] = [:]
  var bag = DiagnosticBag()
  let root: String

  init(root: String) throws {
    self.root = root
    schema = try FixtureReadingTests.canonicalSchema()
    let loader = YAMLLoader()
    for f in FileManager.default.enumerator(atPath: root + "/rules")?.compactMap({ $0 as? String }).filter({ $0.hasSuffix(".yaml") }) ?? [] {
      guard let m = loader.load(path: root + "/rules/" + f, into: &bag)?.mapping else { continue }
      if let id = m["rule"]?.scalar?.value { rules[id] = (m, f) }
      if let id = m["book"]?.scalar?.value { books[id] = m }
    }
  }

  static func paramValue(_ spec: YAMLMapping, _ node: YAMLNode?) -> (ValueType, Value) {
    let d = node ?? spec["default"]
    switch spec["type"]?.scalar?.value ?? "" {
    case "decimal": return (.decimal(unit: spec["unit"]?.scalar?.value), d?.scalar.flatMap { ExactDecimal($0.value) }.map(Value.decimal) ?? .null)
    case "integer": return (.integer, d?.scalar.flatMap { Int64($0.value) }.map(Value.integer) ?? .null)
    case "list": return (.list(.string), .list(d?.sequence?.items.compactMap { $0.scalar.map { Value.string($0.value) } } ?? []))
    default: return (.string, d?.scalar.map { Value.string($0.value) } ?? .null)
    }
  }

  /// Resolves `$x` against `outer`, else parses the literal with the param's spec.
  static func bind(_ specs: YAMLMapping?, with: YAMLMapping?, outer: [String: ExpressionEnvironment.Parameter]) -> [String: ExpressionEnvironment.Parameter] {
    var out: [String: ExpressionEnvironment.Parameter] = [:]
    for (k, v) in specs?.pairs ?? [] {
      guard let spec = v.mapping else { continue }
      var (t, value) = paramValue(spec, nil)
      if let w = with?[k.value] {
        if let s = w.scalar, s.value.hasPrefix("$"), let o = outer[String(s.value.dropFirst())] { value = o.value } else { value = paramValue(spec, w).1 }
      }
      out[k.value] = .init(type: t, value: value)
      t = .null
    }
    return out
  }

  mutating func expr(_ node: YAMLNode?, _ table: String?, _ ref: String? = nil, _ p: [String: ExpressionEnvironment.Parameter], cond: Bool = false) -> ExprNode? {
    guard let s = node?.scalar else { return nil }
    if s.isNull { return ExprNode(id: 0, kind: .literal(.null), type: .null, span: s.span, text: "null") }
    let env = ExpressionEnvironment(schema: schema, table: table.flatMap { schema.table($0) }, ref: ref.flatMap { schema.table($0) }, parameters: p)
    return cond ? ExpressionCompiler.compileCondition(s, in: env, bag: &bag) : ExpressionCompiler.compile(s, in: env, bag: &bag)
  }
  func col(_ table: String, _ name: String?) -> Int? { name.flatMap { schema.table(table)?.columnIndex($0) } }
  func periodSource(_ m: YAMLMapping?) -> PeriodSource? {
    guard let m, let t = m["table"]?.scalar?.value else { return nil }
    return PeriodSource(table: t, group: col(t, m["group"]?.scalar?.value) ?? 0, id: col(t, m["id"]?.scalar?.value), start: col(t, m["start"]?.scalar?.value) ?? 0, end: col(t, m["end"]?.scalar?.value) ?? 0)
  }

  mutating func source(_ m: YAMLMapping, _ p: [String: ExpressionEnvironment.Parameter]) -> CompiledBook.Source? {
    let t = m["table"]?.scalar?.value ?? ""
    guard let date = expr(m["date"], t, nil, p), let amount = expr(m["amount"], t, nil, p) else { return nil }
    let account = (m["account"]?.sequence?.items ?? []).compactMap { expr($0, t, nil, p) }
    return .init(table: t, filter: expr(m["where"], t, nil, p, cond: true), date: date, account: account, amount: amount,
      excludeFailing: m["exclude_failing"]?.sequence?.items.compactMap { $0.scalar?.value } ?? [], label: m["label"]?.scalar?.value ?? t)
  }

  mutating func book(_ id: String, with: YAMLMapping?, outer: [String: ExpressionEnvironment.Parameter]) -> CompiledBook? {
    guard let b = books[id] else { return nil }
    let p = Self.bind(b["params"]?.mapping, with: with, outer: outer)
    var lifetime: Int? = nil
    if let l = b["lifetime_months"]?.scalar, !l.isNull {
      if l.value.hasPrefix("$"), case .integer(let v)? = p[String(l.value.dropFirst())]?.value { lifetime = Int(v) } else { lifetime = Int(l.value) }
    }
    let credits = (b["credits"]?.sequence?.items ?? []).compactMap { $0.mapping.flatMap { source($0, p) } }
    let debits = (b["debits"]?.sequence?.items ?? []).compactMap { $0.mapping.flatMap { source($0, p) } }
    let ins = (b["input_totals"]?.sequence?.items ?? []).compactMap { $0.mapping.flatMap { source($0, p) } }
    let outs = (b["output_totals"]?.sequence?.items ?? []).compactMap { $0.mapping.flatMap { source($0, p) } }
    var transfers: [CompiledBook.Transfer] = []
    for tm in (b["transfers"]?.sequence?.items ?? []).compactMap(\.mapping) {
      let t = tm["table"]?.scalar?.value ?? ""
      guard let d = expr(tm["date"], t, nil, p), let a = expr(tm["amount"], t, nil, p) else { continue }
      transfers.append(.init(table: t, filter: nil, date: d, from: (tm["from"]?.sequence?.items ?? []).compactMap { expr($0, t, nil, p) }, to: (tm["to"]?.sequence?.items ?? []).compactMap { expr($0, t, nil, p) }, amount: a))
    }
    return CompiledBook(id: id, title: id, accountKey: b["account"]?.sequence?.items.compactMap { $0.scalar?.value } ?? [], credits: credits, debits: debits, transfers: transfers, opening: nil, sameDay: .creditsFirst, lifetimeMonths: lifetime, inputTotals: ins, outputTotals: outs, span: nil)
  }

  mutating func check(_ c: YAMLMapping, _ p: [String: ExpressionEnvironment.Parameter]) -> CheckSpec? {
    let t = c["table"]?.scalar?.value ?? ""
    func pv(_ n: YAMLNode?) -> Value? { n?.scalar.flatMap { $0.value.hasPrefix("$") ? p[String($0.value.dropFirst())]?.value : Value.string($0.value) } }
    switch c["kind"]?.scalar?.value ?? "" {
    case "row": return expr(c["assert"], t, nil, p, cond: true).map { .row(.init(table: t, filter: expr(c["where"], t, nil, p, cond: true), assertion: $0)) }
    case "unique": return .unique(.init(sources: [.init(table: t, filter: expr(c["where"], t, nil, p, cond: true), key: (c["key"]?.sequence?.items ?? []).compactMap { expr($0, t, nil, p) })]))
    case "reference":
      let target = c["target"]?.scalar?.value ?? ""
      let ts = schema.table(target)
      let keyCols = (ts?.key ?? []).compactMap { ts?.columnIndex($0) }
      return .reference(.init(table: t, filter: expr(c["where"], t, nil, p, cond: true), key: (c["key"]?.sequence?.items ?? []).compactMap { expr($0, t, nil, p) }, target: target, targetKey: keyCols, at: expr(c["at"], t, nil, p), condition: expr(c["assert"], t, target, p, cond: true)))
    case "period_coverage":
      guard let ps = periodSource(c["periods"]?.mapping) else { return nil }
      var maxMonths: Int? = nil
      if case .integer(let v)? = pv(c["max_months"]) { maxMonths = Int(v) }
      let entries = (c["entries"]?.sequence?.items ?? []).compactMap(\.mapping).compactMap { e -> PeriodCoverageSpec.Entries? in
        let et = e["table"]?.scalar?.value ?? ""
        guard let g = expr(e["group"], et, nil, p), let d = expr(e["date"], et, nil, p) else { return nil }
        return .init(table: et, filter: nil, group: g, date: d)
      }
      return .periodCoverage(.init(periods: ps, maxMonths: maxMonths, contiguous: true, entries: entries))
    case "mass_balance":
      guard let b = book(c["book"]?.scalar?.value ?? "", with: c["book_params"]?.mapping, outer: p) else { return nil }
      var tol = ExactDecimal.zero
      if case .decimal(let d)? = pv(c["tolerance"]) { tol = d }
      return .massBalance(.init(book: b, mode: MassBalanceMode(rawValue: c["mode"]?.scalar?.value ?? "") ?? .continuous, periods: periodSource(c["periods"]?.mapping), tolerance: tol))
    default: return nil
    }
  }

  mutating func standard(_ path: String) -> CompiledStandard? {
    guard let s = YAMLLoader().load(path: path, into: &bag)?.mapping else { return nil }
    let stdParams = Self.bind(s["parameters"]?.mapping, with: nil, outer: [:])
    var clauses: [Clause] = []
    var instances: [RuleInstance] = []
    var sections: [Section] = []
    for sec in (s["sections"]?.sequence?.items ?? []).compactMap(\.mapping) {
      var ids: [String] = []
      for c in (sec["clauses"]?.sequence?.items ?? []).compactMap(\.mapping) {
        let cid = c["id"]?.scalar?.value ?? ""
        ids.append(cid)
        var inst: [String] = []
        for r in c["rules"]?.sequence?.items ?? [] {
          let rid = r.scalar?.value ?? r.mapping?["rule"]?.scalar?.value ?? ""
          guard let (rm, file) = rules[rid] else { Issue.record("unknown rule \(rid)"); continue }
          let p = Self.bind(rm["params"]?.mapping, with: r.mapping?["with"]?.mapping, outer: stdParams)
          guard let chk = rm["check"]?.mapping, let spec = check(chk, p) else { Issue.record("rule \(rid) did not assemble"); continue }
          var id = rid
          var n = 2
          while instances.contains(where: { $0.id == id }) { id = "\(rid)#\(n)"; n += 1 }
          inst.append(id)
          instances.append(RuleInstance(id: id, ruleID: rid, title: rid, description: "", clauseIDs: [cid], parameters: p.map { BoundParameter(name: $0.key, type: $0.value.type, value: $0.value.value, origin: .defaultValue, span: nil) }, check: spec, message: nil, requires: [], file: file, span: nil, digest: ""))
        }
        let sev = ClauseSeverity(rawValue: c["severity"]?.scalar?.value ?? "") ?? .major
        clauses.append(Clause(id: cid, section: sec["id"]?.scalar?.value ?? "", title: c["title"]?.scalar?.value ?? "", requirement: "", severity: sev, evidence: c["evidence"]?.scalar?.value == "documentary" ? .documentary : .ledger(ruleInstances: inst)))
      }
      sections.append(Section(id: sec["id"]?.scalar?.value ?? "", title: "", clauseIDs: ids))
    }
    instances.sort { $0.id < $1.id }
    return CompiledStandard(id: s["standard"]?.scalar?.value ?? "", title: "", version: "", effectiveFrom: nil, effectiveUntil: nil, references: [], file: path, sha256: "", inputs: [], schema: schema, parameters: [], sections: sections, clauses: clauses, rules: instances, graph: RuleGraph(order: instances.map(\.id), requires: [:], tables: [:]), graphDigest: "", tests: [], span: nil)
  }

  /// One rule alone (clause `T`), bound with `with` (a test's `params:`), plus the rules its
  /// book excludes failing rows of (clause `X`, defaults), as `custody test` runs a rule test.
  mutating func ruleAlone(_ ruleID: String, with: YAMLMapping?) -> CompiledStandard? {
    var instances: [RuleInstance] = []
    func add(_ rid: String, _ clause: String, _ with: YAMLMapping?) -> Bool {
      guard let (rm, file) = rules[rid], let chk = rm["check"]?.mapping else { return false }
      let p = Self.bind(rm["params"]?.mapping, with: with, outer: [:])
      guard let spec = check(chk, p) else { return false }
      instances.append(RuleInstance(id: rid, ruleID: rid, title: rid, description: "", clauseIDs: [clause], parameters: [], check: spec, message: nil, requires: [], file: file, span: nil, digest: ""))
      return true
    }
    guard add(ruleID, "T", with) else { return nil }
    var excluded: [String] = []
    if case .massBalance(let mb) = instances[0].check {
      for src in mb.book.credits { excluded += src.excludeFailing.filter { $0 != ruleID && !excluded.contains($0) } }
    }
    for rid in excluded { _ = add(rid, "X", nil) }
    instances.sort { $0.id < $1.id }
    let clauses = [Clause(id: "T", section: "S", title: "", requirement: "", severity: .major, evidence: .ledger(ruleInstances: [ruleID]))]
      + (excluded.isEmpty ? [] : [Clause(id: "X", section: "S", title: "", requirement: "", severity: .minor, evidence: .ledger(ruleInstances: excluded))])
    return CompiledStandard(id: "rule-test", title: "", version: "", effectiveFrom: nil, effectiveUntil: nil, references: [], file: "", sha256: "", inputs: [], schema: schema, parameters: [], sections: [Section(id: "S", title: "", clauseIDs: clauses.map(\.id))], clauses: clauses, rules: instances, graph: RuleGraph(order: instances.map(\.id), requires: [:], tables: [:]), graphDigest: "", tests: [], span: nil)
  }
}
