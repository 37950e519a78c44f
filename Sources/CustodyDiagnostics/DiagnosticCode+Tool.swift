// CUS9xxx: command line, reports and verification
extension DiagnosticCode {
  static let toolCodes: [DiagnosticCode] = []
}
