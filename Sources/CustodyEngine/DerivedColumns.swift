import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyValues

/// Compiles a mapping profile's derived columns (`columns: {cu_t: {expr: "gross_t * cu_pct /
/// 100"}}`) with the rule language: the same parser, type checker (units included) and exact
/// evaluator as the rules, so `gross_t * cu_pct / 100` means in a profile what it means in a
/// rule. Lives here because the engine is the first module that sees both the language and the
/// ledger (see `DerivedColumn` in CustodyLedger for the hook).
public struct RuleLanguageDerivedColumns: DerivedColumnCompiler {
  public init() {}

  public func compile(
    _ derived: DerivedColumn, table: TableSchema, schema: LedgerSchema,
    derivedColumns: Set<String>, into bag: inout DiagnosticBag
  ) -> DerivedColumnProgram? {
    // The row's columns only: no parameters, no lookups into other tables (a profile adapts
    // one export, it does not join).
    let env = ExpressionEnvironment(schema: schema, table: table)
    guard let node = ExpressionCompiler.compile(derived.expression, in: env, bag: &bag) else {
      return nil
    }
    var inputs: [Int] = []
    var ok = true
    func walk(_ n: ExprNode) {
      switch n.kind {
      case .literal: break
      case .field(.row, let column, let name):
        if name == derived.column || derivedColumns.contains(name) {
          bag.report(
            .derivedColumnInvalid,
            name == derived.column
              ? "derived column '\(name)' cannot read itself"
              : "derived column '\(derived.column)' reads '\(name)', which is derived too; write its expression out",
            at: n.span)
          ok = false
        } else if !inputs.contains(column) {
          inputs.append(column)
        }
      case .unary(_, let x): walk(x)
      case .binary(_, let a, let b):
        walk(a)
        walk(b)
      case .call(_, let args), .list(let args): args.forEach(walk)
      case .conditional(let a, let b, let c):
        walk(a)
        walk(b)
        walk(c)
      case .parameter, .field, .lookup, .lookupWhere, .member, .aggregate:
        bag.report(
          .derivedColumnInvalid,
          "'\(n.text)': a derived column reads only its own row's columns (no parameters or lookups)",
          at: n.span)
        ok = false
      }
    }
    walk(node)
    guard ok, let column = table.column(derived.column) else { return nil }
    switch (column.type, node.type) {
    case (.decimal(let unit, _), .decimal(let got)):
      if let unit, let got, unit != got {
        bag.report(
          .unitMismatch,
          "derived column '\(column.name)' is in \(unit), but '\(node.text)' is in \(got)",
          at: node.span)
        return nil
      }
    case (.decimal, .integer), (.integer, .integer): break
    default:
      let wanted: String
      if case .integer = column.type { wanted = "an integer" } else { wanted = "a number" }
      bag.report(
        .typeMismatch,
        "derived column '\(column.name)' is \(wanted), but '\(node.text)' is \(Self.describe(node.type))",
        at: node.span)
      return nil
    }
    let program = ProgramCompiler(lookups: Lookups()).compile(node)
    return DerivedColumnProgram(inputs: inputs, text: node.text) { values in
      var frame = Frame(row: values)
      do throws(EvaluationError) {
        return .value(try program(&frame))
      } catch {
        return .error(error.message)
      }
    }
  }

  static func describe(_ t: ValueType) -> String {
    switch t {
    case .null: "null"
    case .bool: "boolean"
    case .integer: "an integer"
    case .decimal(let u): u.map { "a decimal in \($0)" } ?? "a decimal"
    case .string, .enumeration: "text"
    case .date: "a date"
    case .duration: "a duration"
    case .list: "a list"
    case .any: "any value"
    }
  }
}
