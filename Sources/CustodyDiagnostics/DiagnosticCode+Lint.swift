// CUS5xxx: lint warnings; emitted by CustodyLanguage
extension DiagnosticCode {
  static let lintCodes: [DiagnosticCode] = []
}
