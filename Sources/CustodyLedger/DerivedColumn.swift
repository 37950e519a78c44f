import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// A schema column the export does not hold, computed on every row from the table's other
/// columns with an expression of the rule language (`columns: {cu_t: {expr: "gross_t * cu_pct
/// / 100"}}`). The expression names the table's schema columns, read from the export as the
/// profile maps them (header renames, `units:` and `values:` applied), so it is typed by the
/// schema: `gross_t` is a decimal in t whatever the export calls it and whatever unit it writes.
///
/// Why a hook and not an evaluator here: CustodyLedger sits beside CustodyLanguage (both depend
/// only on diagnostics and values), and the rule language's parser, type checker (with units)
/// and exact evaluator live in CustodyLanguage and CustodyEngine. A second, smaller arithmetic
/// language in the ledger would drift from the rules' semantics (units, division scale, null
/// handling). So the ledger keeps the expression with its place in the profile and asks a
/// `DerivedColumnCompiler` (CustodyEngine's `RuleLanguageDerivedColumns`, passed by the
/// pipeline and the CLI) to type-check and compile it at load; a profile with a derived column
/// loaded without a compiler is an error, never a column silently left empty.
public struct DerivedColumn: Sendable, Hashable {
  /// The schema column computed.
  public var column: String
  /// The expression as written, with its file:line:column in the profile.
  public var expression: YAMLScalar
  /// How a result with more fractional digits than the column's `scale` is rounded to it
  /// (`round: true` is half-even, or a mode: `round: half_up`); nil: such a result is a cell
  /// error (`tooManyDecimals`), never silently another number.
  public var rounding: ExactDecimal.RoundingMode?
  /// Filled by `DerivedColumnCompiler` at load.
  public var program: DerivedColumnProgram?

  public init(
    column: String, expression: YAMLScalar, rounding: ExactDecimal.RoundingMode? = nil
  ) {
    self.column = column
    self.expression = expression
    self.rounding = rounding
  }
}

/// A compiled derived column: which columns it reads and how to compute it from a row.
public struct DerivedColumnProgram: Sendable, Hashable {
  /// What one evaluation gives.
  public enum Outcome: Sendable, Hashable {
    case value(Value)
    /// A run-time failure (division by zero, overflow), with its message.
    case error(String)
  }

  /// Schema column indexes of the table the expression reads.
  public var inputs: [Int]
  /// The row's values in schema column order -> the derived value (`.null` when an input is
  /// empty and the expression does not supply a default).
  public var evaluate: @Sendable ([Value]) -> Outcome
  /// The expression's text, for equality and messages.
  public var text: String

  public init(
    inputs: [Int], text: String, evaluate: @escaping @Sendable ([Value]) -> Outcome
  ) {
    self.inputs = inputs
    self.text = text
    self.evaluate = evaluate
  }

  public static func == (a: Self, b: Self) -> Bool { a.inputs == b.inputs && a.text == b.text }
  public func hash(into h: inout Hasher) {
    h.combine(inputs)
    h.combine(text)
  }
}

/// Type-checks and compiles a derived column's expression against its table. Diagnostics go
/// to `bag` located in the profile (unknown column with did-you-mean, type or unit mismatch);
/// nil when the expression does not compile.
public protocol DerivedColumnCompiler: Sendable {
  func compile(
    _ derived: DerivedColumn, table: TableSchema, schema: LedgerSchema,
    derivedColumns: Set<String>, into bag: inout DiagnosticBag
  ) -> DerivedColumnProgram?
}

extension MappingProfile {
  /// Every derived column of the profile, by table and column name.
  public var derivedColumns: [(table: String, column: DerivedColumn)] {
    tables.sorted { $0.key < $1.key }.flatMap { name, mapping in
      mapping.derived.sorted { $0.key < $1.key }.map { (name, $0.value) }
    }
  }

  /// Compiles every derived column with `compiler` (the load does this when given one).
  /// Without a compiler a derived column is an error located at its expression.
  mutating func compileDerived(
    schema: LedgerSchema, compiler: (any DerivedColumnCompiler)?, into bag: inout DiagnosticBag
  ) {
    for (tableName, mapping) in tables {
      guard !mapping.derived.isEmpty, let table = schema.table(tableName) else { continue }
      let names = Set(mapping.derived.keys)
      for (column, derived) in mapping.derived.sorted(by: { $0.key < $1.key }) {
        guard let compiler else {
          bag.report(
            .derivedColumnInvalid,
            "derived column '\(column)' needs the rule language to compile; this reader was given none",
            at: derived.expression.span)
          continue
        }
        tables[tableName]?.derived[column]?.program = compiler.compile(
          derived, table: table, schema: schema, derivedColumns: names, into: &bag)
      }
    }
  }
}

/// A derived column as the row assembler uses it.
struct DerivedStep {
  var column: Int
  var program: DerivedColumnProgram
  var rounding: ExactDecimal.RoundingMode?
}

extension RowAssembler {
  /// Fills the derived columns of one assembled row. An input cell that did not read makes the
  /// derived cell unreadable too (never a value computed from a stand-in); a result that does
  /// not fit the column (too many fractional digits without `round: true`, below the minimum)
  /// is a cell error like a cell read from the file.
  func derive(
    _ values: inout [Value], invalid: inout [Int], pending: inout [Pending], line: Int
  ) {
    for step in derived {
      let column = table.columns[step.column]
      func fail(_ code: DiagnosticCode, _ message: String, raw: String = "") {
        values[step.column] = .null
        invalid.append(step.column)
        pending.append(
          Pending(
            column: step.column, code: code, message: message, raw: raw, fileColumn: nil,
            line: line))
      }
      if let bad = step.program.inputs.first(where: { invalid.contains($0) }) {
        fail(
          .derivedInputUnreadable,
          "'\(column.name)' = \(step.program.text) cannot be computed: '\(table.columns[bad].name)' is unreadable on this row"
        )
        continue
      }
      var result: Value
      switch step.program.evaluate(values) {
      case .value(let v): result = v
      case .error(let message):
        if step.program.inputs.contains(where: { values[$0] == .null }) {
          // The expression needed a value an empty input does not give: the derived cell is
          // empty too (a required column then reports it below).
          result = .null
        } else {
          fail(.derivedEvaluation, "'\(column.name)' = \(step.program.text): \(message)")
          continue
        }
      }
      if result == .null {
        if column.required {
          let empty = step.program.inputs.filter { values[$0] == .null }.map {
            "'\(table.columns[$0].name)'"
          }
          fail(
            .emptyRequiredCell,
            "'\(column.name)' = \(step.program.text) is empty on this row\(empty.isEmpty ? "" : " (\(empty.joined(separator: ", ")) empty)")"
          )
        }
        continue
      }
      switch (column.type, result) {
      case (.integer, .integer):
        values[step.column] = result
      case (.decimal, .integer(let i)):
        values[step.column] = .decimal(ExactDecimal(mantissa: Int128(i), scale: 0))
      case (.decimal(_, let maxScale), .decimal(let d)):
        var exact = d.normalized
        if let maxScale, exact.scale > maxScale {
          guard let mode = step.rounding else {
            fail(
              .tooManyDecimals,
              "'\(column.name)' = \(step.program.text) is \(exact) with \(exact.scale) fractional digits; at most \(maxScale) allowed (`round: true` rounds half-even, `round: half_up` half up)",
              raw: exact.description)
            continue
          }
          exact = exact.rounded(scale: maxScale, mode)
        }
        values[step.column] = .decimal(exact)
      default:
        fail(
          .derivedEvaluation,
          "'\(column.name)' = \(step.program.text) gave \(result.literal), not a value of the column's type"
        )
        continue
      }
      if let minimum = column.minimum, let v = values[step.column].asDecimal, v < minimum {
        fail(
          .belowMinimum,
          "'\(column.name)' = \(step.program.text) is \(v), below the minimum \(minimum)",
          raw: v.description)
      }
    }
  }
}
