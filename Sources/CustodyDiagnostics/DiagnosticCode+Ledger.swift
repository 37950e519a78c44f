// CUS6xxx: ledger structure errors that stop a run (exit 3); emitted by CustodyLedger.
extension DiagnosticCode {
  public static let unknownTable = DiagnosticCode(
    "CUS6001", "a table name is not in the ledger schema",
    fix: "Use a table the schema declares, or add it to the schema.")
  public static let unknownColumn = DiagnosticCode(
    "CUS6002", "a column name is not in the table's schema",
    fix: "Use a column the schema declares, or add it to the schema.")

  static let ledgerCodes: [DiagnosticCode] = [unknownTable, unknownColumn]
}
