import CustodyLanguage
import CustodyLedger
import CustodyValues

/// `kind: reference`: a value of this row exists as a key of another table, optionally in a
/// row whose validity window covers a date of this row, and optionally meets a condition.
///
/// For each row of `table` passing `where:`, the `key:` values are looked up in `target`
/// (on `target_key:` columns, default the target's key). The row fails when no target row has
/// that key, when none of them has a validity window covering `at:` (both ends included), or
/// when no matching row makes `assert:` true (`ref.col` reads the matched row). A null key
/// fails too: a reference that cannot be followed is not evidence.
///
/// ```yaml
/// check:
///   kind: reference
///   table: receipts
///   where: pool in ["PCL", "MR"]
///   key: [supplier_id]
///   target: due_diligence
///   at: date
///   assert: ref.status == "passed"
/// ```
final class ReferenceCheck: CheckRunner {
  let spec: ReferenceCheckSpec
  let instance: RuleInstance
  let run: RunContext
  let gate: RowGate
  let key: [Program]
  /// `key[0]`, the condition (`true` when none) and `at:` held apart and non-optional where
  /// possible: loading a program from an array or binding an optional one retained it per row.
  let key0: Program
  let at: Program?
  let condition: Program
  /// The condition is a boolean node, evaluated through `Program.test`.
  let booleanCondition: Bool
  let hasCondition: Bool
  let index: LookupIndex?
  var tables: [String] { [spec.table] }

  init(_ spec: ReferenceCheckSpec, instance: RuleInstance, run: RunContext, index: LookupIndex?) {
    self.spec = spec
    self.instance = instance
    self.run = run
    let table = run.schema.table(spec.table) ?? TableSchema(name: spec.table, file: "", columns: [])
    self.gate = RowGate(
      table: table, instance: instance, expressions: spec.key + [spec.at, spec.condition],
      filter: spec.filter, run: run)
    self.key = spec.key.map(run.compiler.compile)
    self.key0 = key.first ?? ConstantProgram(.null)
    self.at = spec.at.map(run.compiler.compile)
    self.condition = spec.condition.map(run.compiler.compile) ?? ConstantProgram(.bool(true))
    self.hasCondition = spec.condition != nil
    self.booleanCondition = condition.isBoolean
    self.index = index
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    // The frame goes on to the next check: the target row bound as `ref` is not left in it.
    defer { if hasCondition { frame.ref = [] } }
    guard gate.admitCounting(row, &frame, table: table, out: out) else { return }
    out.counts.evaluated += 1
    do throws(EvaluationError) {
      // One key (the common case): no key array unless the reference fails.
      // Exactly one covering target row must meet the condition: two covering rows are an
      // ambiguity reported as such, never "some row passes".
      if key.count == 1 {
        let value = try key0(&frame)
        let when = try date(&frame)
        let hit = value.isNull ? .none : (index?.find(one: value, at: when) ?? .none)
        if case .one(let i) = hit, try accepts(i, &frame) { return }
        try report([value], when, hit, &frame, table: table, row: row, out: out)
        return
      }
      var values: [Value] = []
      values.reserveCapacity(key.count)
      for k in key { values.append(try k(&frame)) }
      let when = try date(&frame)
      let hit =
        values.contains(where: \.isNull) ? .none : (index?.find(values, at: when) ?? .none)
      if case .one(let i) = hit, try accepts(i, &frame) { return }
      try report(values, when, hit, &frame, table: table, row: row, out: out)
    } catch {
      out.error(error, table: table, row: row, date: gate.date(of: row))
    }
  }

  /// The `at:` date of this row, if the check has one.
  private func date(_ frame: inout Frame) throws(EvaluationError) -> CivilDate? {
    // Optional chaining, not `guard let`: binding the program retained it per row.
    guard let v = try at?(&frame) else { return nil }
    guard let d = v.asDate else {
      throw EvaluationError(
        code: v.isNull ? .nullOperand : .unexpectedType,
        message: "`at:` is \(v.literal), not a date", span: spec.at?.span,
        expression: spec.at?.text ?? "")
    }
    return d
  }

  /// Whether target row `i` meets the condition (always, without one).
  @inline(__always)
  private func accepts(_ i: Int, _ frame: inout Frame) throws(EvaluationError) -> Bool {
    guard hasCondition, let rows = index?.rows else { return true }
    frame.ref = rows[i].values
    switch booleanCondition ? .bool(try condition.test(&frame)) : try condition(&frame) {
    case .bool(let b): return b
    case let v:
      throw EvaluationError(
        code: v.isNull ? .nullOperand : .unexpectedType,
        message: "the condition is \(v.literal), not true or false", span: spec.condition?.span,
        expression: spec.condition?.text ?? "")
    }
  }

  /// A reference that failed (no covering target row met the condition): the finding.
  private func report(
    _ values: [Value], _ when: CivilDate?, _ hit: LookupIndex.Hit, _ frame: inout Frame,
    table: String, row: RowRef, out: RuleOutput
  ) throws(EvaluationError) {
    if case .undecidable(let r) = hit, let index {
      // Not a failure of the row: which target row covers it cannot be told.
      throw EvaluationError(
        code: .undecidableLookup,
        message:
          "\(spec.target) \(values.map(Messages.show).joined(separator: ", ")) cannot be decided: \(index.undecidable(r))",
        span: instance.span, expression: spec.key.map(\.text).joined(separator: ", "))
    }
    guard out.keepsFindings else {
      out.markFailing(table, row.line)
      return out.count(.fail, message: "")
    }
    var ambiguity: String?
    if case .ambiguous(let a, let b) = hit, let index {
      let shown = values.map(Messages.show).joined(separator: ", ")
      ambiguity = "\(spec.target) \(shown) is ambiguous: \(index.ambiguity(a, b, at: when))"
    }
    let problem: String
    if let ambiguity { problem = ambiguity } else { problem = try why(values, when, &frame) }
    out.markFailing(table, row.line)
    // An ambiguity is named even under the rule's own message: which rows, which date.
    var message = Messages.message(instance, frame, run: run) { problem }
    if let ambiguity, instance.message != nil { message += " (\(ambiguity))" }
    out.add(
      Finding(
        ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail, message: message,
        location: instance.span,
        evidence: [
          EvidenceRow(
            table: table, file: "", line: row.line, entryID: row.entryID,
            column: spec.key.map(\.text).joined(separator: ", "),
            value: values.map(Messages.show).joined(separator: ", "))
        ], date: gate.date(of: row)))
  }

  /// Why the reference fails, for a row no covering target row accepted.
  private func why(_ values: [Value], _ when: CivilDate?, _ frame: inout Frame)
    throws(EvaluationError) -> String
  {
    var shown: String { values.map(Messages.show).joined(separator: ", ") }
    if values.contains(where: \.isNull) {
      return
        "\(spec.key.map(\.text).joined(separator: ", ")) is null: no \(spec.target) row can be found"
    }
    guard let index else { return "table \(spec.target) is not loaded" }
    let candidates = index.candidateIndices(values)
    if candidates.isEmpty { return "no \(spec.target) row with key \(shown)" }
    let covering = when.map { d in candidates.filter { index.covers(row: $0, d) } } ?? candidates
    if covering.isEmpty, let when {
      let windows = candidates.prefix(3).map { i in
        guard let w = index.window else { return "" }
        let r = index.rows[i]
        return "\(w.from.map { r[$0].description } ?? "")..\(w.to.map { r[$0].description } ?? "")"
      }
      return
        "no \(spec.target) row for \(shown) is valid on \(when) (valid: \(windows.joined(separator: ", ")))"
    }
    // Covering rows exist, so there is a condition and none met it: the last one says why.
    guard let c = spec.condition else { return "no \(spec.target) row for \(shown)" }
    var last = ""
    for i in covering {
      frame.ref = index.rows[i].values
      switch try condition(&frame) {
      case .bool:
        last = Messages.explainFalse(c, frame, run: run)
      case let v:
        throw EvaluationError(
          code: v.isNull ? .nullOperand : .unexpectedType,
          message: "the condition is \(v.literal), not true or false", span: c.span,
          expression: c.text)
      }
    }
    return "\(spec.target) \(shown)\(when.map { " on \($0)" } ?? ""): \(last)"
  }

  func finish(_ run: any FinishContext, out: RuleOutput) {}
}

extension ReferenceCheck {
  /// Supplier due diligence `passed` and valid on the receipt date.
  static let examples: [CheckExample] = {
    let b = ExprBuilder(schema: ExampleLedger.schema, table: "receipts")
    let spec = CheckSpec.reference(
      ReferenceCheckSpec(
        table: "receipts", filter: nil, key: [b.col("supplier_id")], target: "due_diligence",
        targetKey: [], at: b.col("date"),
        condition: b.bin(.equal, b.ref("status", in: "due_diligence"), b.str("passed"))))
    let dd: [[String: String]] = [
      [
        "supplier_id": "SUP1", "status": "passed", "valid_from": "2024-01-01",
        "valid_to": "2024-12-31",
      ],
      [
        "supplier_id": "SUP1", "status": "passed", "valid_from": "2025-01-01",
        "valid_to": "2025-06-30",
      ],
      [
        "supplier_id": "SUP2", "status": "failed", "valid_from": "2024-01-01",
        "valid_to": "2025-12-31",
      ],
    ]
    return [
      CheckExample(
        "due diligence valid on the receipt date, both ends included", check: spec,
        rows: [
          "due_diligence": dd,
          "receipts": [
            ["entry_id": "R1", "date": "2024-01-01", "supplier_id": "SUP1"],
            ["entry_id": "R2", "date": "2025-06-30", "supplier_id": "SUP1"],
          ],
        ], expect: .pass),
      CheckExample(
        "no due diligence, expired, failed, or no supplier", check: spec,
        rows: [
          "due_diligence": dd,
          "receipts": [
            ["entry_id": "R1", "date": "2025-07-01", "supplier_id": "SUP1"],
            ["entry_id": "R2", "date": "2024-05-01", "supplier_id": "SUP2"],
            ["entry_id": "R3", "date": "2024-05-01", "supplier_id": "SUP9"],
            ["entry_id": "R4", "date": "2024-05-01"],
            ["entry_id": "R5", "date": "2024-05-01", "supplier_id": "SUP1"],
          ],
        ], expect: .fail, rows: ["R1", "R2", "R3", "R4"]),
    ]
  }()
}
