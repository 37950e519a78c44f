import CustodyLanguage
import CustodyLedger
import CustodyValues

/// `kind: row`: a predicate over each row of a table that passes a filter.
///
/// Every row of `table` for which `where:` is true (all rows without one) must make `assert:`
/// true. A false assertion is a `fail` finding citing the row; a run-time error in the
/// expression (a null in arithmetic, a missing lookup row) is an `error` finding at the
/// expression's location. Rows whose cells the rule reads could not be read are skipped and
/// counted.
///
/// ```yaml
/// check:
///   kind: row
///   table: receipts
///   where: pool in ["PCL", "MR"]
///   assert: origin in ["post_consumer", "pre_consumer"]
/// ```
final class RowCheck: CheckRunner {
  let spec: RowCheckSpec
  let instance: RuleInstance
  let run: RunContext
  let gate: RowGate
  let assertion: Program
  /// The assertion is a boolean node, evaluated through `Program.test`.
  let booleanAssertion: Bool
  var tables: [String] { [spec.table] }

  init(_ spec: RowCheckSpec, instance: RuleInstance, run: RunContext) {
    self.spec = spec
    self.instance = instance
    self.run = run
    let table = run.schema.table(spec.table) ?? TableSchema(name: spec.table, file: "", columns: [])
    self.gate = RowGate(
      table: table, instance: instance, expressions: [spec.assertion], filter: spec.filter, run: run
    )
    self.assertion = run.compiler.compile(spec.assertion)
    self.booleanAssertion = assertion.isBoolean
  }

  func consume(table: String, row: RowRef, frame: inout Frame, out: RuleOutput) {
    guard gate.admitCounting(row, &frame, table: table, out: out) else { return }
    out.counts.evaluated += 1
    do {
      switch booleanAssertion ? .bool(try assertion.test(&frame)) : try assertion(&frame) {
      case .bool(true): return
      case .bool(false):
        out.markFailing(table, row.line)
        guard out.keepsFindings else { return out.count(.fail, message: "") }
        let message = Messages.message(instance, frame, run: run) {
          Messages.explainFalse(spec.assertion, frame, run: run)
        }
        out.add(
          Finding(
            ruleID: instance.id, clauseIDs: [], severity: nil, status: .fail, message: message,
            location: spec.assertion.span,
            evidence: [EvidenceRow(table: table, file: "", line: row.line, entryID: row.entryID)],
            date: gate.date(of: row)))
      case let v:
        out.error(
          EvaluationError(
            code: v.isNull ? .nullOperand : .unexpectedType,
            message: "the assertion is \(v.literal), not true or false", span: spec.assertion.span,
            expression: spec.assertion.text), table: table, row: row, date: gate.date(of: row))
      }
    } catch {
      out.error(error, table: table, row: row, date: gate.date(of: row))
    }
  }

  func finish(_ run: any FinishContext, out: RuleOutput) {}
}

extension RowCheck {
  /// Copper content matches gross weight and grade, within a tolerance.
  static let examples: [CheckExample] = {
    let b = ExprBuilder(schema: ExampleLedger.schema, table: "receipts")
    let computed = b.bin(.divide, b.bin(.multiply, b.col("gross_t"), b.col("cu_pct")), b.num("100"))
    let assertion = b.bin(
      .lessOrEqual, b.call(.abs, b.bin(.subtract, computed, b.col("cu_t"))),
      b.param("tolerance_t", .decimal(ExactDecimal("0.001") ?? .zero)))
    let spec = CheckSpec.row(RowCheckSpec(table: "receipts", filter: nil, assertion: assertion))
    let eligible = CheckSpec.row(
      RowCheckSpec(
        table: "receipts", filter: b.bin(.in, b.col("pool"), b.strings(["PCL", "MR"])),
        assertion: b.bin(.in, b.col("origin"), b.strings(["post_consumer", "pre_consumer"]))))
    return [
      CheckExample(
        "copper content within tolerance", check: spec,
        rows: ["receipts": [["entry_id": "R1", "gross_t": "10", "cu_pct": "25", "cu_t": "2.5"]]],
        expect: .pass),
      CheckExample(
        "copper content off by 0.1 t", check: spec,
        rows: [
          "receipts": [
            ["entry_id": "R1", "gross_t": "10", "cu_pct": "25", "cu_t": "2.5"],
            ["entry_id": "R2", "gross_t": "10", "cu_pct": "25", "cu_t": "2.6"],
          ]
        ], expect: .fail, rows: ["R2"]),
      CheckExample(
        "a missing grade is an error, never silently false", check: spec,
        rows: ["receipts": [["entry_id": "R3", "gross_t": "10", "cu_t": "2.5"]]],
        expect: .error, rows: ["R3"]),
      CheckExample(
        "only credit pools must be recycled", check: eligible,
        rows: [
          "receipts": [
            ["entry_id": "R1", "pool": "PCL", "origin": "post_consumer"],
            ["entry_id": "R2", "pool": "none", "origin": "primary"],
            ["entry_id": "R3", "pool": "MR", "origin": "primary"],
          ]
        ], expect: .fail, rows: ["R3"]),
    ]
  }()
}
