import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// `rule:` and `book:` files -> declarations (structure only; expressions compile per instance).
enum RuleLowering {
  static let ruleKeys = [
    "rule", "title", "description", "params", "requires", "unless_failing", "effective_from",
    "effective_until", "check", "message", "tests",
  ]
  static let checkKinds = [
    "row", "unique", "reference", "aggregate", "period_coverage", "mass_balance",
  ]
  static let bookKeys = [
    "book", "title", "description", "params", "account", "same_day", "lifetime_months", "credits",
    "debits", "transfers", "opening", "input_totals", "output_totals",
  ]

  static func rule(_ root: YAMLNode, file: String, bag: inout DiagnosticBag) -> RuleDecl? {
    guard
      let r = MappingReader.open(
        root, what: "rule", allowed: ruleKeys, required: ["rule", "title", "check"], bag: &bag),
      let idScalar = r.scalar("rule", bag: &bag)
    else { return nil }
    var kind = ""
    var check = YAMLMapping(pairs: [], span: root.span)
    if let c = r["check"] {
      if let m = c.mapping {
        check = m
        if let k = m["kind"]?.scalar {
          if checkKinds.contains(k.value) {
            kind = k.value
          } else {
            bag.report(
              .invalidValue,
              "unknown check kind '\(k.value)'; use one of: \(checkKinds.joined(separator: ", "))",
              at: k.span, suggestions: Suggestions.closest(to: k.value, in: checkKinds))
          }
        } else {
          bag.report(.missingKey, "check is missing required key 'kind'", at: m.span)
        }
      } else {
        bag.report(
          .wrongValueType, "'check' must be a mapping, not \(c.kindDescription)", at: c.span)
      }
    }
    let tests = r.list("tests", bag: &bag) ?? []
    var decl = RuleDecl(
      id: idScalar.value, title: r.string("title", bag: &bag) ?? "",
      description: r.string("description", bag: &bag) ?? "",
      params: ParameterLowering.declarations(r.map("params", bag: &bag), bag: &bag),
      requires: r.scalars("requires", bag: &bag) ?? [],
      effectiveFrom: r.date("effective_from", bag: &bag),
      effectiveUntil: r.date("effective_until", bag: &bag), kind: kind, check: check,
      message: r.scalar("message", bag: &bag), tests: tests, file: file, span: root.span,
      idSpan: idScalar.span)
    decl.unlessFailing = r.scalars("unless_failing", bag: &bag) ?? []
    return decl
  }

  static func book(_ root: YAMLNode, file: String, bag: inout DiagnosticBag) -> BookDecl? {
    guard
      let r = MappingReader.open(
        root, what: "book", allowed: bookKeys, required: ["book", "account", "credits", "debits"],
        bag: &bag),
      let id = r.string("book", bag: &bag)
    else { return nil }
    let sameDay = r.choice("same_day", ["credits_first", "debits_first"], bag: &bag)
    return BookDecl(
      id: id, title: r.string("title", bag: &bag) ?? id,
      params: ParameterLowering.declarations(r.map("params", bag: &bag), bag: &bag),
      account: r.strings("account", bag: &bag) ?? [],
      sameDay: sameDay.flatMap(CompiledBook.SameDay.init(rawValue:)) ?? .creditsFirst,
      lifetime: r.scalar("lifetime_months", bag: &bag),
      credits: r.list("credits", bag: &bag) ?? [], debits: r.list("debits", bag: &bag) ?? [],
      transfers: r.list("transfers", bag: &bag) ?? [], opening: r["opening"],
      inputTotals: r.list("input_totals", bag: &bag) ?? [],
      outputTotals: r.list("output_totals", bag: &bag) ?? [], file: file, span: root.span)
  }
}
