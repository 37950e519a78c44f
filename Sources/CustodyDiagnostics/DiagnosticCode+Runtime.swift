// CUS8xxx: evaluation errors inside rules; emitted by CustodyEngine. Each becomes a finding with
// status `error` that points at the expression's YAML location: never silently true or false.
extension DiagnosticCode {
  public static let nullOperand = DiagnosticCode(
    "CUS8001", "an operator or function got null where a value is needed",
    fix:
      "Handle the missing value explicitly: `x != null and ...`, `coalesce(x, 0)`, or a `where:` filter."
  )
  public static let missingLookupRow = DiagnosticCode(
    "CUS8002", "a lookup found no row and a plain `.column` read it",
    fix:
      "Add the missing reference row (or its validity window), or write `?.column` and handle null."
  )
  public static let divisionByZero = DiagnosticCode(
    "CUS8003", "division by zero",
    fix: "Guard the divisor: `if(x == 0, ..., a / x)`, or filter such rows with `where:`.")
  public static let arithmeticOverflow = DiagnosticCode(
    "CUS8004", "a number is too large to compute exactly",
    fix: "Check the ledger for an absurd quantity; custody keeps 38 significant digits.")
  public static let badArgument = DiagnosticCode(
    "CUS8005", "a function got an argument it cannot use",
    fix: "See the function's documentation in docs/rule-language.md for the allowed arguments.")
  public static let unexpectedType = DiagnosticCode(
    "CUS8006", "a value has a type the expression did not expect",
    fix:
      "This usually means the schema and the rule disagree; recompile and report it if it persists."
  )
  public static let unreadableCellSkipped = DiagnosticCode(
    "CUS8007", "rows skipped because a cell the rule reads could not be read",
    fix:
      "Fix the cells reported as data-integrity findings (CUS7xxx); the rule then judges those rows.",
    severity: .warning)

  public static let ambiguousLookup = DiagnosticCode(
    "CUS8008", "more than one reference row covers the lookup's key and date",
    fix:
      "Make the validity windows of that key disjoint (or correct the duplicated row); custody never picks one of several rows."
  )

  public static let undecidableLookup = DiagnosticCode(
    "CUS8009", "a reference row of the lookup's key has an unreadable validity bound",
    fix:
      "Correct the unreadable valid_from / valid_to cell (reported under the records clause): until then custody cannot tell which row covers the date, and the rule does not pass that row."
  )

  static let runtimeCodes: [DiagnosticCode] = [
    nullOperand, missingLookupRow, divisionByZero, arithmeticOverflow, badArgument, unexpectedType,
    unreadableCellSkipped, ambiguousLookup, undecidableLookup,
  ]
}
