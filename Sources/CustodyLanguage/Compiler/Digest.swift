import CustodyDiagnostics
import CustodyValues

/// Canonical text of compiled meaning (no spans, source text or node numbering) and its sha256:
/// a reformatted YAML file keeps its digests; a changed threshold changes them.
enum Digest {
  static func instance(_ i: RuleInstance) -> String {
    var out = "rule \(i.ruleID)\n"
    out +=
      "params " + i.parameters.map { "\($0.name)=\($0.value.literal)" }.joined(separator: ",")
      + "\n"
    out += "requires " + i.requires.joined(separator: ",") + "\n"
    if !i.unlessFailing.isEmpty {
      out += "unless_failing " + i.unlessFailing.joined(separator: ",") + "\n"
    }
    out +=
      "effective \(i.effectiveFrom?.description ?? "-") \(i.effectiveUntil?.description ?? "-")\n"
    canonical(i.check, into: &out)
    out += "\n"
    if let m = i.message { canonical(m.parts, into: &out) }
    return CompileSession.sha256(out)
  }

  static func graph(
    rules: [RuleInstance], clauses: [Clause], parameters: [BoundParameter],
    recordsClause: String? = nil
  ) -> String {
    var out = recordsClause.map { "records \($0)\n" } ?? ""
    for p in parameters { out += "param \(p.name)=\(p.value.literal)\n" }
    for c in clauses {
      out +=
        "clause \(c.id) \(c.severity.rawValue) \(c.effectiveFrom?.description ?? "-") \(c.effectiveUntil?.description ?? "-") "
      switch c.evidence {
      case .documentary: out += "documentary\n"
      case .ledger(let ids): out += ids.joined(separator: ",") + "\n"
      }
    }
    for r in rules { out += "instance \(r.id) \(r.digest) \(r.requires.joined(separator: ","))\n" }
    return CompileSession.sha256(out)
  }

  // Hand-written canonical printers (reflection was the slowest part of compiling).

  static func canonical(_ spec: CheckSpec, into out: inout String) {
    out += spec.kind + "{"
    switch spec {
    case .row(let s):
      out += s.table + ";"
      opt(s.filter, &out)
      expr(s.assertion, &out)
    case .unique(let s):
      out += "\(s.ignoreNulls);" + (s.keep == .none ? "" : "keep=\(s.keep.rawValue);")
      for src in s.sources {
        out += src.table + ";"
        opt(src.filter, &out)
        list(src.key, &out)
      }
    case .reference(let s):
      out += "\(s.table);\(s.target);\(s.targetKey);"
      opt(s.filter, &out)
      list(s.key, &out)
      opt(s.at, &out)
      opt(s.condition, &out)
    case .aggregate(let s):
      out += s.table + ";"
      opt(s.filter, &out)
      for g in s.groupBy {
        out += g.name + "="
        expr(g.expr, &out)
      }
      period(s.periods, &out)
      opt(s.periodGroup, &out)
      opt(s.periodDate, &out)
      for c in s.compute {
        out += "\(c.name)=\(c.function.rawValue)"
        opt(c.argument, &out)
      }
      for a in s.also {
        out += "also:" + a.table + ";"
        opt(a.filter, &out)
        for g in a.groupBy { expr(g, &out) }
        opt(a.periodGroup, &out)
        opt(a.periodDate, &out)
        for c in a.compute {
          out += "\(c.name)=\(c.function.rawValue)"
          opt(c.argument, &out)
        }
      }
      expr(s.assertion, &out)
    case .periodCoverage(let s):
      period(s.periods, &out)
      out += "\(s.maxMonths.map(String.init) ?? "-");\(s.contiguous);"
      for e in s.entries {
        out += e.table + ";"
        opt(e.filter, &out)
        expr(e.group, &out)
        expr(e.date, &out)
      }
    case .massBalance(let s):
      out += "\(s.mode.rawValue);\(s.tolerance.canonicalDescription);"
      period(s.periods, &out)
      let b = s.book
      out +=
        "book \(b.id);\(b.accountKey);\(b.sameDay.rawValue);\(b.lifetimeMonths.map(String.init) ?? "-");"
      for (label, sources) in [
        ("credits", b.credits), ("debits", b.debits), ("opening", b.opening.map { [$0] } ?? []),
        ("in", b.inputTotals), ("out", b.outputTotals),
      ] {
        out += label + "["
        for src in sources { source(src, &out) }
        out += "]"
      }
      for t in b.transfers {
        out += "transfer " + t.table + ";"
        opt(t.filter, &out)
        expr(t.date, &out)
        list(t.from, &out)
        list(t.to, &out)
        expr(t.amount, &out)
        if !t.unlessFailing.isEmpty { out += "unless\(t.unlessFailing);" }
      }
    }
    out += "}"
  }

  static func canonical(_ parts: [MessageTemplate.Part], into out: inout String) {
    for part in parts {
      switch part {
      case .text(let t): out += "text(\(t.count):\(t))"
      case .expression(let e): expr(e, &out)
      }
    }
  }

  static func source(_ s: CompiledBook.Source, _ out: inout String) {
    out += "\(s.table);\(s.label);\(s.excludeFailing);"
    if !s.unlessFailing.isEmpty { out += "unless\(s.unlessFailing);" }
    opt(s.filter, &out)
    expr(s.date, &out)
    list(s.account, &out)
    expr(s.amount, &out)
    // Only when given, so books without them keep their digest.
    if let c = s.copper {
      out += "copper"
      expr(c, &out)
    }
    if let f = s.factor {
      out += "factor"
      expr(f, &out)
    }
  }

  static func period(_ p: PeriodSource?, _ out: inout String) {
    guard let p else {
      out += "-;"
      return
    }
    out += "periods(\(p.table),\(p.group),\(p.id.map(String.init) ?? "-"),\(p.start),\(p.end));"
  }

  static func opt(_ e: ExprNode?, _ out: inout String) {
    if let e { expr(e, &out) } else { out += "-;" }
  }

  static func list(_ es: [ExprNode], _ out: inout String) {
    out += "["
    for e in es { expr(e, &out) }
    out += "]"
  }

  /// Prefix notation of an expression with its types; recursion is bounded by the depth limit.
  static func expr(_ e: ExprNode, _ out: inout String) {
    out += "("
    switch e.kind {
    case .literal(let v): out += "lit " + v.literal
    case .parameter(let name, let v): out += "param \(name)=\(v.literal)"
    case .field(let scope, let column, let name): out += "field \(scope.rawValue).\(column).\(name)"
    case .unary(let op, let a):
      out += "un " + op.rawValue
      expr(a, &out)
    case .binary(let op, let a, let b):
      out += "bin " + op.rawValue
      expr(a, &out)
      expr(b, &out)
    case .list(let items):
      out += "list"
      list(items, &out)
    case .call(let f, let args):
      out += "call " + f.rawValue
      list(args, &out)
    case .lookup(let table, let key, let at):
      out += "lookup " + table
      list(key, &out)
      opt(at, &out)
    case .lookupWhere(let table, let column, let name, let value, let at):
      out += "lookupwhere \(table).\(column).\(name)"
      expr(value, &out)
      opt(at, &out)
    case .member(let base, let column, let name, let nullSafe):
      out += "member \(column).\(name).\(nullSafe)"
      expr(base, &out)
    case .conditional(let c, let a, let b):
      out += "if"
      expr(c, &out)
      expr(a, &out)
      expr(b, &out)
    case .aggregate(let f, let arg):
      out += "agg " + f.rawValue
      opt(arg, &out)
    }
    out += ":" + e.type.description + ")"
  }
}
