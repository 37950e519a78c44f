import CustodyDiagnostics

/// A ledger or standard file whose recomputed sha256 differs from the report's record.
public struct InputDifference: Sendable, Hashable, CustomStringConvertible {
  public enum Role: String, Sendable, Hashable { case ledger, standard }
  public enum Kind: Sendable, Hashable {
    /// Both digests known and different.
    case changed(recorded: String, actual: String)
    /// Recorded in the report, not found now.
    case missing
    /// Found now, not recorded in the report (or recorded as absent).
    case unrecorded
  }

  public var role: Role
  public var path: String
  public var kind: Kind

  public init(role: Role, path: String, kind: Kind) {
    self.role = role
    self.path = path
    self.kind = kind
  }

  public var code: DiagnosticCode {
    if case .changed = kind { return .reportInputChanged }
    return .reportInputMissing
  }

  public var description: String {
    switch kind {
    case .changed(let recorded, let actual):
      "\(role.rawValue) file \(path) was changed: sha256 \(actual.prefix(16)), the report records \(recorded.prefix(16))"
    case .missing: "\(role.rawValue) file \(path) is recorded in the report but was not found"
    case .unrecorded: "\(role.rawValue) file \(path) is not recorded in the report"
    }
  }

  public var diagnostic: Diagnostic {
    Diagnostic(code, description, at: SourceSpan.file(path), help: code.fix)
  }
}

/// Compares the input digests a report records with recomputed ones. The CLI recomputes the
/// maps (keyed by the paths exactly as the report records them) and prints the differences.
public enum InputCheck {
  /// - Parameters:
  ///   - ledgerFiles: path -> sha256 of every ledger file found now (and the mapping profile).
  ///   - standardInputs: path -> sha256 of the standard file and every compiled input.
  /// - Returns: the differences, ledger first, each group sorted by path.
  public static func compare(
    _ report: Report, ledgerFiles: [String: String], standardInputs: [String: String]
  ) -> [InputDifference] {
    var recordedLedger: [String: String] = [:]
    for file in report.ledger.files where !file.absent { recordedLedger[file.path] = file.sha256 }
    if let profile = report.ledger.profile { recordedLedger[profile.path] = profile.sha256 }

    var recordedStandard: [String: String] = [:]
    for input in report.standard.inputs { recordedStandard[input.path] = input.sha256 }
    recordedStandard[report.standard.file] = report.standard.sha256

    return differences(.ledger, recorded: recordedLedger, actual: ledgerFiles)
      + differences(.standard, recorded: recordedStandard, actual: standardInputs)
  }

  /// sha256 of each file, keyed by the path as given (joined to `root` when relative, to
  /// read it). Unreadable or absent files are left out, so `compare` reports them as missing.
  public static func hashFiles(_ paths: [String], root: String? = nil) -> [String: String] {
    var out: [String: String] = [:]
    for path in paths {
      let full = path.hasPrefix("/") || root == nil ? path : (root ?? "") + "/" + path
      if let digest = Digests.sha256Hex(ofFile: full) { out[path] = digest }
    }
    return out
  }

  private static func differences(
    _ role: InputDifference.Role, recorded: [String: String], actual: [String: String]
  ) -> [InputDifference] {
    var out: [InputDifference] = []
    for path in Set(recorded.keys).union(actual.keys).sorted() {
      switch (recorded[path], actual[path]) {
      case (let r?, let a?) where r != a:
        out.append(InputDifference(role: role, path: path, kind: .changed(recorded: r, actual: a)))
      case (_?, nil): out.append(InputDifference(role: role, path: path, kind: .missing))
      case (nil, _?): out.append(InputDifference(role: role, path: path, kind: .unrecorded))
      default: break
      }
    }
    return out
  }
}
