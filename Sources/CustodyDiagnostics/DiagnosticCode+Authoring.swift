// CUS95xx: authoring tools (waivers, tests, diff); emitted by CustodyAuthoring.
extension DiagnosticCode {
  public static let waiverFormat = DiagnosticCode(
    "CUS9501", "a waivers file is malformed",
    fix: "Each waiver needs id, clause or rule, entry_ids or accounts, reason, approved_by and expires (YYYY-MM-DD).")

  static let authoringCodes: [DiagnosticCode] = [waiverFormat]
}
