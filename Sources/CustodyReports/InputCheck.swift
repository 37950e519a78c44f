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

extension InputCheck {
  /// Compares the inputs a recorded report names with a fresh run's, matching files by their
  /// path relative to their ledger folder (ledger files) or to the standard file's folder
  /// (standard inputs), so a report still verifies after the folders moved or when the
  /// paths are given from another working directory. The profile is matched by digest.
  public static func compare(recorded: Report, fresh: Report) -> [InputDifference] {
    // Keyed by the relative path; shown by the path as given now (else as recorded).
    var shown: [String: String] = [:]
    func ledgerFiles(_ r: Report) -> [String: String] {
      var out: [String: String] = [:]
      for f in r.ledger.files where !f.absent {
        let key = PathKey.relative(f.path, to: r.ledger.path)
        out[key] = f.sha256
        shown[key] = f.path
      }
      if let p = r.ledger.profile {
        out["(mapping profile)"] = p.sha256
        shown["(mapping profile)"] = p.path
      }
      return out
    }
    func standardFiles(_ r: Report) -> [String: String] {
      let base = PathKey.directory(of: r.standard.file)
      var out: [String: String] = [:]
      for (path, sha) in [(r.standard.file, r.standard.sha256)]
        + r.standard.inputs.map({ ($0.path, $0.sha256) })
      {
        let key = PathKey.relative(path, to: base)
        out[key] = sha
        shown[key] = path
      }
      return out
    }
    // The fresh run second, so its spelling of a path wins.
    let recordedLedger = ledgerFiles(recorded)
    let recordedStandard = standardFiles(recorded)
    let freshLedger = ledgerFiles(fresh)
    let freshStandard = standardFiles(fresh)
    func named(_ list: [InputDifference]) -> [InputDifference] {
      list.map { d in
        var d = d
        d.path = shown[d.path] ?? d.path
        return d
      }
    }
    return named(differences(.ledger, recorded: recordedLedger, actual: freshLedger))
      + named(differences(.standard, recorded: recordedStandard, actual: freshStandard))
  }
}

/// Lexical path arithmetic (no file system access): a recorded report's paths are relative
/// to a working directory that may no longer exist, so only their relation to each other
/// can be compared.
public enum PathKey {
  /// The folder part of `path` (`.` for a bare name).
  public static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// `path` relative to the folder `base`, after resolving `.` and `..` in both; both relative
  /// (to the same working directory) or both absolute.
  public static func relative(_ path: String, to base: String) -> String {
    let p = components(path)
    let b = components(base)
    var common = 0
    while common < p.count, common < b.count, p[common] == b[common] { common += 1 }
    let up = Array(repeating: "..", count: b.count - common)
    let rest = (up + p[common...]).joined(separator: "/")
    return rest.isEmpty ? "." : rest
  }

  /// Components with `.` dropped and `..` applied; a `..` that climbs above the start is
  /// kept (it is part of the relation between two relative paths).
  static func components(_ path: String) -> [String] {
    var out: [String] = []
    for c in path.split(separator: "/", omittingEmptySubsequences: true) {
      switch c {
      case ".": continue
      case "..":
        if let last = out.last, last != ".." { out.removeLast() } else { out.append("..") }
      default: out.append(String(c))
      }
    }
    return path.hasPrefix("/") ? ["/"] + out : out
  }
}

extension Report {
  /// The report with every ledger file path (files, evidence rows, account steps) relative to
  /// its ledger folder and every standard path relative to the standard's folder: two runs
  /// over the same files given by different paths compare equal.
  public func withInputPathsRelative() -> Report {
    var r = self
    let ledgerBase = ledger.path
    func rel(_ path: String) -> String { PathKey.relative(path, to: ledgerBase) }
    func evidence(_ list: [Evidence]) -> [Evidence] {
      list.map { e in
        var e = e
        e.file = rel(e.file)
        return e
      }
    }
    r.ledger.path = "."
    r.ledger.files = ledger.files.map { f in
      var f = f
      f.path = rel(f.path)
      return f
    }
    r.ledger.profile = ledger.profile.map { .init(path: "(mapping profile)", sha256: $0.sha256) }
    r.findings = findings.map { f in
      var f = f
      f.evidence = evidence(f.evidence)
      return f
    }
    r.nonconformities = nonconformities.map { n in
      var n = n
      n.evidence = evidence(n.evidence)
      return n
    }
    r.accounts = accounts.map { a in
      var a = a
      a.steps = a.steps.map { s in
        var s = s
        s.file = s.file.map(rel)
        return s
      }
      return a
    }
    let standardBase = PathKey.directory(of: standard.file)
    r.standard.file = PathKey.relative(standard.file, to: standardBase)
    r.standard.inputs = standard.inputs.map {
      .init(path: PathKey.relative($0.path, to: standardBase), sha256: $0.sha256)
    }
    r.run = run.map { run in
      var run = run
      run.waivers = run.waivers.map { .init(path: "(waivers)", sha256: $0.sha256) }
      return run
    }
    return r
  }
}
