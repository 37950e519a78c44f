import CustodyDiagnostics
import CustodyLanguage
import CustodyValues
import CustodyYAML

/// The Cu-again rules (rules/**/*.yaml) compiled from their expression text in Swift, so the
/// engine can be measured before the whole-standard compiler lands. Mirrors the YAML rules
/// one for one (same tables, filters, assertions, keys, books and modes).
struct BenchStandard {
  let schema = BenchSchema.v1
  let params: [String: ExpressionEnvironment.Parameter] = {
    func list(_ items: [String]) -> ExpressionEnvironment.Parameter {
      .init(type: .list(.string), value: .list(items.map(Value.string)))
    }
    func str(_ s: String) -> ExpressionEnvironment.Parameter {
      .init(type: .string, value: .string(s))
    }
    func dec(_ s: String, _ unit: String?) -> ExpressionEnvironment.Parameter {
      .init(type: .decimal(unit: unit), value: .decimal(ExactDecimal(s) ?? .zero))
    }
    return [
      "credit_pools": list(["PCL", "MR"]),
      "eligible_origins": list(["post_consumer", "pre_consumer"]),
      "allowed_claims": list(["PCL100/mb", "MR100/mb"]), "claims": list(["PCL100/mb", "MR100/mb"]),
      "max_factor": dec("1", nil), "tolerance_t": dec("0.001", "t"),
      "tolerance_pct": dec("0.5", nil),
      "pcl_pool": str("PCL"), "pcl_claim": str("PCL100/mb"), "mr_claim": str("MR100/mb"),
      "model": str("mass_balance"), "recycled_route": str("recycled"),
      "average_route": str("average"),
      "max_months": .init(type: .integer, value: .integer(12)),
    ]
  }()

  func expr(_ text: String, _ table: String?, ref: String? = nil) -> ExprNode {
    let start = SourceLocation(file: "<bench>", line: 1, column: 1)
    let scalar = YAMLScalar(
      value: text, style: .plain,
      span: SourceSpan(start: start, end: start.advanced(by: text.unicodeScalars.count)),
      raw: text)
    var env = ExpressionEnvironment(
      schema: schema, table: table.flatMap(schema.table), ref: ref.flatMap(schema.table))
    env.parameters = params
    var bag = DiagnosticBag()
    guard let node = ExpressionCompiler.compile(scalar, in: env, bag: &bag) else {
      fatalError(
        "bench expression does not compile: \(text)\n\(bag.sorted.map(\.description).joined(separator: "\n"))"
      )
    }
    return node
  }

  func message(_ text: String, _ table: String?, ref: String? = nil) -> MessageTemplate {
    var parts: [MessageTemplate.Part] = []
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
      if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
      parts.append(
        .expression(expr(String(rest[rest.index(after: open)..<close]), table, ref: ref)))
      rest = rest[rest.index(after: close)...]
    }
    if !rest.isEmpty { parts.append(.text(String(rest))) }
    return MessageTemplate(parts: parts, span: nil)
  }

  func col(_ table: String, _ name: String) -> Int { schema.table(table)?.columnIndex(name) ?? -1 }

  var periods: PeriodSource {
    PeriodSource(
      table: "periods", group: col("periods", "site"), id: col("periods", "period"),
      start: col("periods", "start"), end: col("periods", "end"))
  }

  func row(_ table: String, where filter: String? = nil, _ assertion: String) -> CheckSpec {
    .row(
      RowCheckSpec(
        table: table, filter: filter.map { expr($0, table) }, assertion: expr(assertion, table)))
  }
  func unique(_ table: String, _ key: String) -> CheckSpec {
    .unique(UniqueCheckSpec(sources: [.init(table: table, filter: nil, key: [expr(key, table)])]))
  }
  func reference(
    _ table: String, where filter: String? = nil, key: String, target: String, at: String? = nil,
    assert condition: String? = nil
  ) -> CheckSpec {
    .reference(
      ReferenceCheckSpec(
        table: table, filter: filter.map { expr($0, table) }, key: [expr(key, table)],
        target: target,
        targetKey: [], at: at.map { expr($0, table) },
        condition: condition.map { expr($0, table, ref: target) }))
  }

  func creditsBook() -> CompiledBook {
    let credit = CompiledBook.Source(
      table: "receipts", filter: expr("pool in $credit_pools", "receipts"),
      date: expr("date", "receipts"),
      account: [
        expr("site", "receipts"), expr("pool", "receipts"),
        expr("if(pool == \"PCL\", partner, null)", "receipts"),
      ],
      amount: expr("cu_t * conversion_factors[site @ date].factor", "receipts"),
      excludeFailing: [
        "receipt-site-in-scope", "receipt-origin-eligible", "supplier-due-diligence-passed",
        "pcl-receipt-partner-valid", "conversion-factor-valid",
      ], label: "recycled receipt")
    let mr = CompiledBook.Source(
      table: "shipments", filter: expr("claim == $mr_claim", "shipments"),
      date: expr("date", "shipments"),
      account: [expr("site", "shipments"), expr("\"MR\"", "shipments"), expr("null", "shipments")],
      amount: expr("cu_t", "shipments"), label: "MR100/mb shipment")
    let pcl = CompiledBook.Source(
      table: "shipments", filter: expr("claim == $pcl_claim", "shipments"),
      date: expr("date", "shipments"),
      account: [
        expr("site", "shipments"), expr("\"PCL\"", "shipments"),
        expr(partnerOfCustomer, "shipments"),
      ], amount: expr("cu_t", "shipments"), label: "PCL100/mb shipment")
    let transfer = CompiledBook.Transfer(
      table: "transfers", filter: nil, date: expr("date", "transfers"),
      from: ["from_site", "pool", "partner"].map { expr($0, "transfers") },
      to: ["to_site", "pool", "partner"].map { expr($0, "transfers") },
      amount: expr("cu_t", "transfers"))
    return CompiledBook(
      id: "cu-again-credits", title: "Cu-again recycled-copper credits",
      accountKey: ["site", "pool", "partner"],
      credits: [credit], debits: [mr, pcl], transfers: [transfer], opening: nil,
      sameDay: .creditsFirst,
      lifetimeMonths: 24, span: nil)
  }

  /// `partners[affiliates: customer]` (lookup by a list column) when the language has it.
  var partnerOfCustomer = "partners[customer]?.partner"

  func build() -> CompiledStandard {
    var rules: [RuleInstance] = []
    var clauses: [Clause] = []
    func add(_ clause: String, _ id: String, _ check: CheckSpec, _ message: MessageTemplate?) {
      rules.append(
        RuleInstance(
          id: id, ruleID: id, title: id, description: "", clauseIDs: [clause], parameters: [],
          check: check,
          message: message, requires: [], file: "rules/\(id).yaml", span: nil, digest: ""))
      if let i = clauses.firstIndex(where: { $0.id == clause }) {
        if case .ledger(let ids) = clauses[i].evidence {
          clauses[i].evidence = .ledger(ruleInstances: ids + [id])
        }
      } else {
        clauses.append(
          Clause(
            id: clause, section: String(clause.prefix(5)), title: clause, requirement: "",
            severity: .major,
            evidence: .ledger(ruleInstances: [id])))
      }
    }
    let r = "receipts", s = "shipments", t = "transfers"
    add(
      "CUA-1.1", "receipt-site-in-scope",
      reference(r, key: "site", target: "sites", assert: "ref.in_scope == true"),
      message("receipt {entry_id} is at site {site}, which is not in the certification scope", r))
    add(
      "CUA-1.1", "shipment-site-in-scope",
      reference(s, key: "site", target: "sites", assert: "ref.in_scope == true"),
      message("shipment {entry_id} is from site {site}, which is not in the certification scope", s)
    )
    add(
      "CUA-1.1", "transfer-sites-in-scope",
      row(t, "sites[from_site]?.in_scope == true and sites[to_site]?.in_scope == true"),
      message(
        "transfer {transfer_id} from {from_site} to {to_site} involves a site outside the certification scope",
        t))
    add(
      "CUA-1.3", "receipt-id-unique", unique(r, "entry_id"),
      message("entry_id {entry_id} appears on more than one row of receipts.csv", r))
    add(
      "CUA-1.3", "shipment-id-unique", unique(s, "entry_id"),
      message("entry_id {entry_id} appears on more than one row of shipments.csv", s))
    add("CUA-1.3", "document-id-unique", unique("documents", "document_id"), nil)
    add("CUA-1.3", "transfer-id-unique", unique(t, "transfer_id"), nil)
    add(
      "CUA-3.1", "receipt-origin-eligible",
      row(r, where: "pool in $credit_pools", "origin in $eligible_origins"),
      message(
        "receipt {entry_id} in pool {pool} has origin {origin}; only {$eligible_origins} may create credits",
        r))
    add(
      "CUA-3.2", "supplier-due-diligence-passed",
      reference(
        r, where: "pool in $credit_pools", key: "supplier", target: "suppliers", at: "date",
        assert: "ref.due_diligence == \"passed\""),
      message(
        "receipt {entry_id} on {date}: supplier {supplier} has no passed due diligence valid on that date",
        r))
    add("CUA-3.3", "supplier-document-unique", unique(r, "document_id"), nil)
    add(
      "CUA-3.4", "copper-content-consistent",
      row(r, "abs(gross_t * cu_pct / 100 - cu_t) <= $tolerance_t"),
      message(
        "receipt {entry_id}: cu_t {cu_t} differs from gross_t x cu_pct / 100 = {gross_t * cu_pct / 100} by more than {$tolerance_t}",
        r))
    add(
      "CUA-3.5", "pcl-receipt-partner-valid",
      reference(
        r, where: "pool == $pcl_pool", key: "partner", target: "partners", at: "date",
        assert:
          "supplier == ref.partner or (ref.affiliates != null and contains(ref.affiliates, supplier))"
      ),
      message("PCL receipt {entry_id} on {date}: partner {partner} has no valid agreement", r))
    add(
      "CUA-4.1", "periods-cover-activity",
      .periodCoverage(
        PeriodCoverageSpec(
          periods: periods, maxMonths: 12, contiguous: true,
          entries: [
            .init(table: r, filter: nil, group: expr("site", r), date: expr("date", r)),
            .init(table: s, filter: nil, group: expr("site", s), date: expr("date", s)),
            .init(table: t, filter: nil, group: expr("from_site", t), date: expr("date", t)),
            .init(table: t, filter: nil, group: expr("to_site", t), date: expr("date", t)),
          ])), nil)
    add(
      "CUA-4.2", "conversion-factor-valid",
      reference(
        r, where: "pool in $credit_pools", key: "site", target: "conversion_factors", at: "date",
        assert: "ref.factor > 0 and ref.factor <= $max_factor"),
      message(
        "receipt {entry_id} on {date} at {site} has no conversion factor in (0, {$max_factor}] valid on that date",
        r))
    let book = creditsBook()
    add(
      "CUA-4.3", "credits-never-negative",
      .massBalance(MassBalanceSpec(book: book, mode: .continuous, periods: nil, tolerance: .zero)),
      nil)
    add(
      "CUA-4.4", "credits-period-end",
      .massBalance(
        MassBalanceSpec(book: book, mode: .periodEnd, periods: periods, tolerance: .zero)), nil)
    add(
      "CUA-4.5", "credits-not-expired",
      .massBalance(MassBalanceSpec(book: book, mode: .expiry, periods: nil, tolerance: .zero)), nil)
    add(
      "CUA-4.6", "stock-count-within-tolerance",
      row("stock_counts", "abs(physical_cu_t - book_cu_t) <= book_cu_t * $tolerance_pct / 100"),
      message(
        "stock count at {site} on {date}: physical {physical_cu_t} differs from book {book_cu_t}",
        "stock_counts"))
    add(
      "CUA-5.1", "pcl-claim-to-partner",
      row(s, where: "claim == $pcl_claim", partnerOfCustomer + " != null"),
      message(
        "shipment {entry_id} claims {claim} for customer {customer}, who is neither a partner nor a partner's affiliate",
        s))
    add(
      "CUA-7.1", "claim-document-complete",
      reference(
        s, where: "claim != null", key: "document_id", target: "documents",
        assert:
          "ref.issue_date != null and ref.recipient != null and ref.cu_t != null and ref.claim != null and ref.certificate != null and ref.model == $model"
      ),
      message(
        "claimed shipment {entry_id} has no complete CoC document {document_id} with model {$model}",
        s))
    add(
      "CUA-7.2", "claim-document-matches",
      row(
        s, where: "claim != null and documents[document_id]?.document_id != null",
        "documents[document_id].recipient == customer and documents[document_id].cu_t == cu_t and documents[document_id].claim == claim"
      ),
      message(
        "shipment {entry_id} ({customer}, {cu_t} t, {claim}) differs from its document {document_id}",
        s))
    add(
      "CUA-7.3", "claim-known", row(s, where: "claim != null", "claim in $allowed_claims"),
      message("shipment {entry_id} makes claim {claim}; allowed: {$allowed_claims}", s))
    add(
      "CUA-8.1", "transfer-same-entity",
      row(
        t,
        "sites[from_site]?.entity != null and sites[from_site]?.entity == sites[to_site]?.entity and sites[from_site]?.in_scope == true and sites[to_site]?.in_scope == true"
      ),
      nil)
    add(
      "CUA-8.2", "transfer-keeps-account",
      row(t, "(pool == $pcl_pool and partner != null) or (pool != $pcl_pool and partner == null)"),
      message("transfer {transfer_id} of pool {pool} has partner {partner}", t))
    add(
      "CUA-9.1", "cfp-factor-matches-route",
      row(
        s,
        "cfp_kg_per_t == cfp_factors[if(claim != null, $recycled_route, $average_route) @ date]?.kg_co2e_per_t"
      ),
      message(
        "shipment {entry_id} on {date} carries CFP factor {cfp_kg_per_t}; expected {cfp_factors[if(claim != null, $recycled_route, $average_route) @ date]?.kg_co2e_per_t}",
        s))
    return CompiledStandard(
      id: "cu-again-coc-bench", title: "Cu-again (benchmark build)", version: "1",
      effectiveFrom: nil,
      effectiveUntil: nil, references: [], file: "<bench>", sha256: "", inputs: [], schema: schema,
      parameters: [],
      sections: [], clauses: clauses, rules: rules,
      graph: RuleGraph(order: rules.map(\.id), requires: [:], tables: [:]), graphDigest: "",
      tests: [], span: nil)
  }
}
