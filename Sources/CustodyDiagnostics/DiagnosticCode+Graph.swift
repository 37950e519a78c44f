// CUS4xxx: the rule graph; emitted by CustodyLanguage
extension DiagnosticCode {
  static let graphCodes: [DiagnosticCode] = []
}
