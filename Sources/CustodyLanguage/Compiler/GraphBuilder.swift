import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// The rule-instance graph: `requires` edges (skip on failure) and `exclude_failing` edges
/// (order only), cycle detection with the full path, and a deterministic topological plan.
struct GraphBuilder {
  let instances: [RuleInstance]
  let library: CompileSession.Library
  let excludeFailing: [String: [YAMLScalar]]
  let prerequisites: [String: [YAMLScalar]]
  /// Rules some clause binds: one with no instance failed to compile (already reported), so a
  /// reference to it is not reported again.
  var boundRules: Set<String> = []
  var requires: [String: [String]] = [:]
  var tables: [String: [String]] = [:]
  /// Every edge a -> b meaning b runs before a, with the scalar that wrote it.
  var edges: [String: [(to: String, at: SourceSpan)]] = [:]

  init(
    instances: [RuleInstance], library: CompileSession.Library,
    excludeFailing: [String: [YAMLScalar]], prerequisites: [String: [YAMLScalar]] = [:]
  ) {
    self.prerequisites = prerequisites
    self.instances = instances
    self.library = library
    self.excludeFailing = excludeFailing
  }

  func instanceIDs(ofRule rule: String) -> [String] {
    instances.filter { $0.ruleID == rule }.map(\.id)
  }

  mutating func build(bag: inout DiagnosticBag) {
    for instance in instances {
      var seen = Set<String>()
      tables[instance.id] = instance.check.tables.filter { seen.insert($0).inserted }
      var req: [String] = []
      let rule = library.rules[instance.ruleID]
      for s in rule?.requires ?? [] {
        let targets = resolve(s, from: instance.ruleID, what: "requires", bag: &bag)
        req += targets
        edges[instance.id, default: []] += targets.map { ($0, s.span) }
      }
      requires[instance.id] = req
      checkPrerequisites(instance, rule?.unlessFailing ?? [], bag: &bag)
      checkBookSources(instance, bag: &bag)
      for s in excludeFailing[instance.id] ?? [] {
        let targets = resolve(s, from: instance.ruleID, what: "exclude_failing", bag: &bag)
        if targets.contains(instance.id) {
          bag.report(
            .bookCycle, "rule '\(instance.ruleID)' excludes its own failing rows through its book",
            at: s.span)
          continue
        }
        edges[instance.id, default: []] += targets.map { ($0, s.span) }
      }
      // A prerequisite the standard does not bind removes nothing (the rows are judged as
      // without it), so it is no error; a bound one runs first.
      for s in prerequisites[instance.id] ?? [] {
        let targets = instanceIDs(ofRule: s.value).filter { $0 != instance.id }
        if targets.isEmpty, library.rules[s.value] == nil, !boundRules.contains(s.value) {
          bag.report(
            .unknownRequiredRule,
            "`unless_failing` of '\(instance.ruleID)' names unknown rule '\(s.value)'", at: s.span,
            suggestions: Suggestions.closest(to: s.value, in: library.rules.keys.sorted()))
        }
        edges[instance.id, default: []] += targets.map { ($0, s.span) }
      }
    }
  }

  /// A book source's `exclude_failing:` and `unless_failing:` rules are asked, row by row,
  /// about the source's own table: a rule that judges another table (or no rows one by one)
  /// would remove nothing, silently, so it is an error.
  func checkBookSources(_ instance: RuleInstance, bag: inout DiagnosticBag) {
    guard case .massBalance(let spec) = instance.check else { return }
    let named = (excludeFailing[instance.id] ?? []) + (prerequisites[instance.id] ?? [])
    var roles: [(table: String, label: String, rules: [String])] = []
    for s in spec.book.credits + spec.book.debits {
      roles.append((s.table, s.label, s.excludeFailing + s.unlessFailing))
    }
    for t in spec.book.transfers { roles.append((t.table, "transfer", t.unlessFailing)) }
    var reported = Set<String>()
    for role in roles {
      for id in role.rules {
        guard let p = instances.first(where: { $0.id == id }) else { continue }
        if Self.judgesRows(of: role.table, p.check) { continue }
        guard reported.insert(role.label + "/" + id).inserted else { continue }
        let judged = p.check.rowTable ?? "no single table (\(p.check.kind))"
        bag.report(
          .badPrerequisite,
          "the \(role.label) source of book '\(spec.book.id)' reads \(role.table) but names '\(p.ruleID)', which judges \(judged): it would remove no row",
          at: named.first(where: { $0.value == p.ruleID })?.span)
      }
    }
  }

  /// Whether `check` fails rows of `table` one by one (what a book source can exclude).
  static func judgesRows(of table: String, _ check: CheckSpec) -> Bool {
    switch check {
    case .row(let s): s.table == table
    case .reference(let s): s.table == table
    case .unique(let s): s.sources.contains { $0.table == table }
    default: false
    }
  }

  /// A rule's `unless_failing:` rules judge its rows one by one: row or reference rules on the
  /// rule's own table, the rule itself a row or reference rule (the engine asks them per row).
  func checkPrerequisites(
    _ instance: RuleInstance, _ names: [YAMLScalar], bag: inout DiagnosticBag
  ) {
    guard !names.isEmpty else { return }
    let table = instance.check.rowTable
    for s in names {
      for p in instances where p.ruleID == s.value {
        guard let own = table, let theirs = p.check.rowTable, own == theirs, p.id != instance.id
        else {
          bag.report(
            .badPrerequisite,
            "`unless_failing` of '\(instance.ruleID)' (\(instance.check.kind) on \(table ?? "several tables")) names '\(p.ruleID)' (\(p.check.kind) on \(p.check.rowTable ?? "several tables"))",
            at: s.span)
          continue
        }
      }
    }
  }

  func resolve(_ s: YAMLScalar, from: String, what: String, bag: inout DiagnosticBag) -> [String] {
    let ids = instanceIDs(ofRule: s.value)
    if !ids.isEmpty || boundRules.contains(s.value) { return ids }
    if library.rules[s.value] != nil {
      bag.report(
        .unknownRequiredRule,
        "`\(what)` of '\(from)' names rule '\(s.value)', which no clause of the standard binds",
        at: s.span, help: "bind '\(s.value)' in a clause, or remove it from `\(what)`")
    } else {
      bag.report(
        .unknownRequiredRule, "`\(what)` of '\(from)' names unknown rule '\(s.value)'", at: s.span,
        suggestions: Suggestions.closest(to: s.value, in: library.rules.keys.sorted()))
    }
    return []
  }

  /// Reports each cycle once, as its full path `a -> b -> a`, at the edge that closes it from
  /// the smallest id. Iterative DFS: a long chain cannot overflow the stack.
  func checkCycles(bag: inout DiagnosticBag) {
    var state: [String: Int] = [:]  // 1 on stack, 2 done
    var reported = Set<String>()
    for root in instances.map(\.id).sorted() where state[root] == nil {
      var stack: [(node: String, next: Int)] = [(root, 0)]
      var path: [String] = [root]
      state[root] = 1
      while let top = stack.last {
        let out = (edges[top.node] ?? []).sorted { $0.to < $1.to }
        if top.next < out.count {
          stack[stack.count - 1].next += 1
          let edge = out[top.next]
          switch state[edge.to] {
          case 1?:
            guard let start = path.firstIndex(of: edge.to) else { continue }
            let cycle = Array(path[start...])
            let key = cycle.sorted().joined(separator: ",")
            if reported.insert(key).inserted {
              let first = cycle.min() ?? edge.to
              let rotated = Array(
                cycle[(cycle.firstIndex(of: first) ?? 0)...]
                  + cycle[..<(cycle.firstIndex(of: first) ?? 0)])
              let shown = (rotated + [first]).joined(separator: " -> ")
              let next = rotated.count > 1 ? rotated[1] : first
              let at = (edges[first] ?? []).first { $0.to == next }?.at ?? edge.at
              bag.report(.requiresCycle, "rules require each other in a cycle: \(shown)", at: at)
            }
          case nil:
            state[edge.to] = 1
            stack.append((edge.to, 0))
            path.append(edge.to)
          default: break
          }
        } else {
          state[top.node] = 2
          stack.removeLast()
          path.removeLast()
        }
      }
    }
  }

  /// Topological order: prerequisites first, ties by id (Kahn).
  func plan() -> [String] {
    var indegree: [String: Int] = [:]
    var dependents: [String: [String]] = [:]
    for i in instances {
      let deps = Set((edges[i.id] ?? []).map(\.to))
      indegree[i.id] = deps.count
      for d in deps { dependents[d, default: []].append(i.id) }
    }
    var ready = indegree.filter { $0.value == 0 }.map(\.key).sorted(by: >)
    var order: [String] = []
    while let next = ready.popLast() {
      order.append(next)
      for d in dependents[next] ?? [] {
        indegree[d, default: 0] -= 1
        if indegree[d] == 0 {
          ready.append(d)
          ready.sort(by: >)
        }
      }
    }
    return order
  }
}
