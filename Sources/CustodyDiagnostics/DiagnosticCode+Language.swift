// CUS2xxx: the structure of standards, rules, schemas and profiles; emitted by CustodyLanguage
extension DiagnosticCode {
  static let languageCodes: [DiagnosticCode] = []
}
