// CUS5xxx: lint warnings; emitted by CustodyLanguage
extension DiagnosticCode {
  public static let clauseWithoutRule = DiagnosticCode(
    "CUS5001", "a clause has no rule and is not marked documentary",
    fix: "Bind rules under `rules:`, or write `evidence: documentary` if no ledger can show it.",
    severity: .warning)
  public static let unusedRule = DiagnosticCode(
    "CUS5002", "a rule in the library is not used by any standard",
    fix: "Bind it in a clause, or delete it.", severity: .warning)
  public static let unusedParameter = DiagnosticCode(
    "CUS5003", "a declared parameter is never used",
    fix: "Use it as `$name` in an expression (or a binding), or remove the declaration.",
    severity: .warning)
  public static let ruleWithoutTest = DiagnosticCode(
    "CUS5004", "a rule has no `tests:`",
    fix: "Add at least one passing and one failing case under `tests:`.", severity: .warning)

  public static let noRecordsClause = DiagnosticCode(
    "CUS5005", "a standard with ledger clauses names no `records_clause:`",
    fix:
      "Name the clause that unreadable cells count against (`records_clause: CUA-1.3`); without one they count against no clause.",
    severity: .warning)

  public static let prerequisiteNarrowerThanSource = DiagnosticCode(
    "CUS5007", "a book source admits rows its `unless_failing:` rule never judges",
    fix:
      "Give the source the prerequisite's `where:` (as the whole filter or one `and` term), or widen the prerequisite, so every row the source posts has been through it.",
    severity: .warning)

  static let lintCodes: [DiagnosticCode] = [
    clauseWithoutRule, unusedRule, unusedParameter, ruleWithoutTest, noRecordsClause,
    prerequisiteNarrowerThanSource,
  ]
}
