// CUS7xxx: ledger cell errors, reported as data-integrity findings; emitted by CustodyLedger
extension DiagnosticCode {
  static let cellCodes: [DiagnosticCode] = []
}
