// CUS6xxx: ledger structure errors that stop a run (exit 3); emitted by CustodyLedger
extension DiagnosticCode {
  static let ledgerCodes: [DiagnosticCode] = []
}
