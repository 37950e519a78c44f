// CUS95xx: authoring tools (waivers, tests, diff); emitted by CustodyAuthoring.
extension DiagnosticCode {
  public static let waiverFormat = DiagnosticCode(
    "CUS9501", "a waivers file is malformed",
    fix:
      "Each waiver needs id, clause or rule, entry_ids or accounts, reason, approved_by and expires (YYYY-MM-DD)."
  )

  public static let standardNotPinned = DiagnosticCode(
    "CUS9502", "the standard is not the pinned one (--expect-standard-sha256)",
    fix:
      "Run the standard that was pinned, or review the change (`custody diff`) and pin the new sha256."
  )
  public static let testFailed = DiagnosticCode(
    "CUS9503", "a `tests:` case did not give the expected outcome",
    fix: "Read the diff: either the rule or the test expectation is wrong.")
  public static let testSetup = DiagnosticCode(
    "CUS9504", "a `tests:` case cannot run (its rows or fixture cannot be read)",
    fix: "Fix the test's `given:` rows or `ledger:` path.")

  static let authoringCodes: [DiagnosticCode] = [
    waiverFormat, standardNotPinned, testFailed, testSetup,
  ]
}
