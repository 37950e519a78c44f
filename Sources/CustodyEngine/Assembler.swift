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
        f.clauseIDs = f.suppressedBy == nil ? clausesFor(instance.clauseIDs, f.date) : []
        f.severity = grade(f.clauseIDs)
        // The cap limits rows listed, never rows counted (`evidenceTotal` keeps the count).
        if f.evidence.count > options.evidenceLimit {
          f.evidence.removeLast(f.evidence.count - options.evidenceLimit)
        }
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
    // With a records clause, every unreadable cell is a finding under it and nowhere else: a
    // rule that needed the cell on a row it selected is `not_evaluated`, not non-conformant.
    let records = standard.recordsClause.flatMap { clauses[$0] == nil ? nil : [$0] }
    var rootOf: [String: String] = [:]  // "table.column" -> data-integrity finding id
    var groups: [String: [CellError]] = [:]
    for e in cellErrors {
      groups[
        [e.code.id, e.table, e.provenance.columnName ?? ""].joined(separator: "\u{1F}"), default: []
      ].append(e)
    }
    // In the order of each group's first cell (then its key), not the dictionary's (which
    // varies between runs): the root of a column's skipped rows is its first unreadable cell.
    let ordered = groups.sorted { a, b in
      let (x, y) = (a.value[0].provenance, b.value[0].provenance)
      return (x.file, x.line, a.key) < (y.file, y.line, b.key)
    }
    for (_, errors) in ordered {
      guard let first = errors.first else { continue }
      let column = first.provenance.columnName ?? "?"
      let ids = records ?? (readers[first.table + "." + column] ?? []).sorted()
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
      if rootOf[first.table + "." + column] == nil { rootOf[first.table + "." + column] = f.id }
      findings.append(f)
    }
    // A rule's "rows not judged" finding is the consequence of the unreadable cells.
    for i in findings.indices
    where findings[i].status == .skipped
      && findings[i].code == DiagnosticCode.unreadableCellSkipped.id
    {
      let first = findings[i].evidence.first
      if let first, let root = rootOf[first.table + "." + (first.column ?? "")] {
        findings[i].suppressedBy = root
        findings[i].clauseIDs = []
        findings[i].severity = nil
      }
    }
    findings.sort(by: Finding.ordered)
    let outputOf = Dictionary(
      instances.compactMap { i in outputs[i.id].map { (i.id, $0) } },
      uniquingKeysWith: { a, _ in a })
    let rowsOf = Dictionary(
      ledger.files.map { ($0.table, $0.rows) }, uniquingKeysWith: { $0 + $1 })

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
      let failing = findings.filter {
        $0.status == .fail && $0.suppressedBy == nil && $0.clauseIDs.contains(clause.id)
      }
      let statuses = ruleIDs.compactMap { statusByRule[$0] }
      let status: ClauseResult.Status
      var reason: String?
      if !failing.isEmpty {
        status = .nonConformant
        let byRule = Dictionary(grouping: failing, by: \.ruleID)
        var parts: [String] = []
        for rule in byRule.keys.sorted() {
          let list = byRule[rule] ?? []
          let total = trueTotal(list, rule: rule, clause: clause, outputOf)
          parts.append("\(rule): \(total) finding\(total == 1 ? "" : "s")")
          // Each row once, in the order the findings list them (two findings may cite one row).
          var seen = Set<String>()
          var evidence: [EvidenceRow] = []
          for e in list.lazy.flatMap(\.evidence) where evidence.count < options.evidenceLimit {
            if seen.insert("\(e.file)\u{1F}\(e.line)\u{1F}\(e.column ?? "")").inserted {
              evidence.append(e)
            }
          }
          nonConformities.append(
            NonConformity(
              id: "\(clause.id)/\(rule)", clause: clause.id, rule: rule, severity: clause.severity,
              summary:
                "\(clause.title): \(total) finding\(total == 1 ? "" : "s") from \(rule)"
                + (total > list.count ? " (\(list.count) listed)" : ""),
              findings: list.map(\.id), findingsTotal: total, evidence: evidence,
              evidenceTotal: list.reduce(0) { $0 + $1.evidenceTotal }
                + (total - list.count)))
        }
        reason = parts.joined(separator: "; ")
      } else if let blocked = statuses.first(where: { $0.status == .error || $0.status == .skipped }
      ) {
        status = .notEvaluated
        reason =
          "\(blocked.id) is \(blocked.status.rawValue)" + (blocked.reason.map { ": \($0)" } ?? "")
      } else if let partial = statuses.first(where: { $0.counts.unreadableRows > 0 }) {
        // Rows the rule selected but could not read are not shown to conform.
        status = .notEvaluated
        let n = partial.counts.unreadableRows
        reason =
          "\(partial.id) could not judge \(n) row\(n == 1 ? "" : "s"): unreadable cells"
          + (standard.recordsClause.map { " (reported under \($0))" } ?? "")
      } else if statuses.isEmpty || statuses.allSatisfy({ $0.status == .notApplicable }) {
        // Nothing in scope is a pass only if there was something to look at: a required
        // table with no rows leaves the clause unshown, never conformant.
        let empty = Set(
          instances.filter { ruleIDs.contains($0.id) }.flatMap(\.check.tables)
        ).sorted().filter { t in
          guard let schema = ledger.schema.table(t), !schema.optional else { return false }
          return (rowsOf[t] ?? 0) == 0
        }
        if empty.isEmpty {
          status = .notApplicable
          reason = "nothing in scope"
        } else {
          status = .notEvaluated
          reason =
            "no rows to judge: \(empty.map { path($0) }.joined(separator: ", ")) "
            + (empty.count == 1 ? "holds" : "hold") + " no rows"
        }
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
    let open = clauseResults.filter { $0.status == .nonConformant }.map(\.severity)
    let summary = Judgement.summary(openNonConformities: open)
    // Without a fail-on level, every non-conformity counts (reports apply theirs and waivers).
    let verdict = Judgement.verdict(
      openNonConformities: open, clauses: clauseResults.map(\.status), failOn: .observation)

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
      cellErrors: cellErrors,
      statements: instances.compactMap { outputs[$0.id]?.statement }.sorted { $0.book < $1.book })
  }

  /// The number of failing findings of `rule` under `clause`, the ones the finding cap left
  /// out included: the rule's own count when every finding it made counts against the clause
  /// (no effective dates), else the findings listed.
  private func trueTotal(
    _ listed: [Finding], rule: String, clause: Clause,
    _ outputOf: [String: RuleOutput]
  ) -> Int {
    guard let out = outputOf[rule], clause.effectiveFrom == nil, clause.effectiveUntil == nil
    else { return listed.count }
    return max(listed.count, out.counts.failed)
  }
}
