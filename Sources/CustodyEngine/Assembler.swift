import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues

/// Turns per-rule outputs into the result: findings mapped to clauses (by effective dates),
/// data-integrity findings for unreadable cells, clause statuses, the graded
/// non-conformity list and the verdict. Everything is sorted here.
struct Assembler {
  /// The synthetic rule id of unreadable-cell findings.
  static let dataIntegrityRule = "data-integrity"

  let standard: CompiledStandard
  let options: EngineOptions
  let instances: [RuleInstance]
  let reads: [CheckReads]
  let outputs: [String: RuleOutput]
  let finisher: Finisher
  let ledger: any LedgerSource

  func assemble() -> EvaluationResult {
    let clauses = Dictionary(standard.clauses.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let paths = Dictionary(
      ledger.files.map { ($0.table, $0.path) }, uniquingKeysWith: { a, _ in a })
    func path(_ table: String) -> String {
      paths[table] ?? standard.schema.table(table)?.file ?? ledger.schema.table(table)?.file
        ?? table
    }
    // A table read from several files (a profile's `files:`) numbers its rows on across
    // them; `locate` gives the file and its own line (issue 19).
    func place(_ table: String, _ line: Int) -> (file: String, line: Int) {
      ledger.locate(table: table, line: line) ?? (path(table), line)
    }
    func place(_ f: inout Finding) {
      for i in f.evidence.indices {
        (f.evidence[i].file, f.evidence[i].line) = place(f.evidence[i].table, f.evidence[i].line)
      }
      if f.balance != nil {
        for i in f.balance!.postings.indices {
          let p = f.balance!.postings[i]
          (f.balance!.postings[i].file, f.balance!.postings[i].line) = place(p.table, p.line)
        }
      }
    }
    /// Clauses that judge a finding on its date (effective windows, both ends included).
    func clausesFor(_ ids: [String], _ date: CivilDate?) -> [String] {
      ids.filter { id in
        guard let c = clauses[id] else { return false }
        guard let date else { return true }
        if let from = c.effectiveFrom, date < from { return false }
        if let until = c.effectiveUntil, until < date { return false }
        return true
      }
    }
    func grade(_ ids: [String]) -> ClauseSeverity? {
      ids.compactMap { clauses[$0]?.severity }.min()
    }

    var findings: [Finding] = []
    var rules: [RuleResult] = []
    for instance in instances {
      guard let out = outputs[instance.id] else { continue }
      let status = finisher.status[instance.id] ?? .skipped
      rules.append(
        RuleResult(
          id: instance.id, ruleID: instance.ruleID, kind: instance.check.kind, status: status,
          reason: finisher.reasons[instance.id], counts: out.counts, clauseIDs: instance.clauseIDs))
      guard status != .skipped else { continue }
      for var f in out.findings {
        f.clauseIDs = clausesFor(instance.clauseIDs, f.date)
        f.severity = grade(f.clauseIDs)
        place(&f)
        findings.append(f)
      }
    }

    // Unreadable cells: one finding per (code, table, column), attached to the clauses whose
    // rules read that column (they could not judge those rows).
    var readers: [String: Set<String>] = [:]
    for (instance, r) in zip(instances, reads) {
      for (table, columns) in r.columns {
        guard let t = ledger.schema.table(table) else { continue }
        for c in columns where c < t.columns.count {
          readers[table + "." + t.columns[c].name, default: []].formUnion(instance.clauseIDs)
        }
      }
    }
    let cellErrors = ledger.cellErrors
    var groups: [String: [CellError]] = [:]
    for e in cellErrors {
      groups[
        [e.code.id, e.table, e.provenance.columnName ?? ""].joined(separator: "\u{1F}"), default: []
      ].append(e)
    }
    for (_, errors) in groups {
      guard let first = errors.first else { continue }
      let column = first.provenance.columnName ?? "?"
      let ids = (readers[first.table + "." + column] ?? []).sorted()
      var f = Finding(
        ruleID: Assembler.dataIntegrityRule, clauseIDs: ids, severity: grade(ids), status: .fail,
        code: first.code.id,
        message:
          "\(errors.count) unreadable \(column) cell\(errors.count == 1 ? "" : "s") in \(first.table): \(first.message)",
        evidence: errors.prefix(options.evidenceLimit).map { e in
          EvidenceRow(
            table: e.table, file: e.provenance.file, line: e.provenance.line,
            entryID: e.provenance.entryID, column: e.provenance.columnName, value: e.raw)
        }, evidenceTotal: errors.count, discriminator: first.table + "." + column)
      f.evidence.sort { ($0.file, $0.line) < ($1.file, $1.line) }
      findings.append(f)
    }
    findings.sort(by: Finding.ordered)

    // Clause statuses.
    var clauseResults: [ClauseResult] = []
    var nonConformities: [NonConformity] = []
    let statusByRule = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for clause in standard.clauses {
      guard case .ledger(let ruleIDs) = clause.evidence else {
        clauseResults.append(
          ClauseResult(
            id: clause.id, section: clause.section, title: clause.title, severity: clause.severity,
            status: .documentary, reason: "evidenced outside the ledger", rules: [], findings: []))
        continue
      }
      let failing = findings.filter { $0.status == .fail && $0.clauseIDs.contains(clause.id) }
      let statuses = ruleIDs.compactMap { statusByRule[$0] }
      let status: ClauseResult.Status
      var reason: String?
      if !failing.isEmpty {
        status = .nonConformant
        let byRule = Dictionary(grouping: failing, by: \.ruleID)
        reason = byRule.keys.sorted().map { "\($0): \(byRule[$0]?.count ?? 0) finding(s)" }.joined(
          separator: "; ")
        for rule in byRule.keys.sorted() {
          let list = byRule[rule] ?? []
          let evidence = list.flatMap(\.evidence)
          nonConformities.append(
            NonConformity(
              id: "\(clause.id)/\(rule)", clause: clause.id, rule: rule, severity: clause.severity,
              summary:
                "\(clause.title): \(list.count) finding\(list.count == 1 ? "" : "s") from \(rule)",
              findings: list.map(\.id), evidence: Array(evidence.prefix(options.evidenceLimit)),
              evidenceTotal: list.reduce(0) { $0 + $1.evidenceTotal }))
        }
      } else if let blocked = statuses.first(where: { $0.status == .error || $0.status == .skipped }
      ) {
        status = .notEvaluated
        reason =
          "\(blocked.id) is \(blocked.status.rawValue)" + (blocked.reason.map { ": \($0)" } ?? "")
      } else if statuses.isEmpty || statuses.allSatisfy({ $0.status == .notApplicable }) {
        status = .notApplicable
        reason = "nothing in scope"
      } else {
        status = .conformant
      }
      clauseResults.append(
        ClauseResult(
          id: clause.id, section: clause.section, title: clause.title, severity: clause.severity,
          status: status, reason: reason, rules: ruleIDs, findings: failing.map(\.id)))
    }
    let order = Dictionary(
      standard.clauses.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    nonConformities.sort { a, b in
      if a.severity != b.severity { return a.severity < b.severity }
      let (x, y) = (order[a.clause] ?? 0, order[b.clause] ?? 0)
      if x != y { return x < y }
      return a.rule < b.rule
    }
    var summary: [ClauseSeverity: Int] = [.major: 0, .minor: 0, .observation: 0]
    for c in clauseResults where c.status == .nonConformant { summary[c.severity, default: 0] += 1 }
    let verdict: Verdict =
      clauseResults.contains { $0.status == .nonConformant }
      ? .nonConformant
      : (clauseResults.contains { $0.status == .notEvaluated } ? .incomplete : .conformant)

    var accounts = instances.flatMap { outputs[$0.id]?.accounts ?? [] }
    for i in accounts.indices {
      if accounts[i].trace != nil {
        for j in accounts[i].trace!.indices {
          let t = accounts[i].trace![j]
          (accounts[i].trace![j].file, accounts[i].trace![j].line) = place(t.table, t.line)
        }
      }
    }
    return EvaluationResult(
      standardID: standard.id, standardVersion: standard.version, verdict: verdict,
      summary: summary, clauses: clauseResults, rules: rules, nonConformities: nonConformities,
      findings: findings, accounts: accounts,
      files: ledger.files.sorted { ($0.table, $0.path) < ($1.table, $1.path) },
      cellErrors: cellErrors)
  }
}
