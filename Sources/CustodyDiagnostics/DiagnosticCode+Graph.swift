// CUS4xxx: the rule graph; emitted by CustodyLanguage
extension DiagnosticCode {
  public static let requiresCycle = DiagnosticCode(
    "CUS4001", "rules require each other in a cycle",
    fix: "Remove one `requires:` entry on the path shown so the chain ends.")
  public static let unknownRequiredRule = DiagnosticCode(
    "CUS4002", "`requires:` or `exclude_failing:` names a rule that is not bound by the standard",
    fix: "Bind the required rule in some clause of the standard, or correct its id.")
  public static let bookCycle = DiagnosticCode(
    "CUS4003", "a book excludes the failing rows of the rule that uses it",
    fix: "A mass_balance rule cannot depend on itself; remove it from `exclude_failing:`.")

  public static let badPrerequisite = DiagnosticCode(
    "CUS4004",
    "`unless_failing:` or a book's `exclude_failing:` names a rule that cannot judge the same rows",
    fix:
      "A rule's prerequisites are row or reference rules on the same table as the rule (itself a row or reference rule); a book source's are row, reference or unique rules on the source's table. Name such a rule, or use `requires:` to skip the whole rule."
  )

  static let graphCodes: [DiagnosticCode] = [
    requiresCycle, unknownRequiredRule, bookCycle, badPrerequisite,
  ]
}
