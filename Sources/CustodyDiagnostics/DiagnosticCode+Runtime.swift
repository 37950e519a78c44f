// CUS8xxx: evaluation errors; emitted by CustodyEngine
extension DiagnosticCode {
  static let runtimeCodes: [DiagnosticCode] = []
}
