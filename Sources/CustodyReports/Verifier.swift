import Crypto
import CustodyDiagnostics
import Foundation

/// One thing `verify` found wrong with a report, precise enough to act on.
public enum VerificationProblem: Sendable, Hashable, CustomStringConvertible {
  /// Not JSON, or not a report (a field missing or of the wrong type). Line and column are
  /// 1-based when the JSON itself is broken.
  case unparseable(message: String, line: Int?, column: Int?)
  /// Valid to a lenient parser but read differently by different JSON readers, or written in
  /// a way custody never writes: a duplicate key, trailing content, a non-canonical number
  /// (`StrictJSON`). Refused before anything is decoded.
  case notStrictJSON(message: String, line: Int, column: Int)
  /// No `integrity` or no `signature` block.
  case notSigned
  case unsupportedAlgorithm(String)
  /// The report names a key id other than the given key's.
  case keyIdMismatch(report: String, key: String)
  /// The signature does not verify over the integrity block.
  case signatureInvalid
  /// The section's content no longer matches the (validly signed) digest recorded for it.
  case sectionChanged(ReportSection)
  /// The recorded digest of this section was itself edited: it matches neither the section
  /// nor the signature.
  case integrityChanged(ReportSection)
  /// The integrity block has no digest for this section.
  case sectionDigestMissing(ReportSection)
  /// The integrity block names a section custody does not know.
  case unknownSection(String)
  /// A field outside the report schema (which no digest covers), at this JSON path.
  case unexpectedContent(path: String)

  /// The stable diagnostic code for this problem.
  public var code: DiagnosticCode {
    switch self {
    case .unparseable: .reportUnparseable
    case .notStrictJSON: .reportJSONAmbiguous
    case .notSigned: .reportNotSigned
    case .unsupportedAlgorithm, .signatureInvalid, .integrityChanged: .reportSignatureInvalid
    case .keyIdMismatch: .reportKeyMismatch
    case .sectionChanged, .sectionDigestMissing, .unknownSection: .reportSectionChanged
    case .unexpectedContent: .reportContentUnexpected
    }
  }

  public var description: String {
    switch self {
    case .unparseable(let message, let line?, let column?):
      "the report is not valid JSON at line \(line), column \(column): \(message)"
    case .unparseable(let message, _, _): "the report cannot be read: \(message)"
    case .notStrictJSON(let message, let line, let column):
      "the report is not strict JSON at line \(line), column \(column): \(message); JSON readers could disagree on what it says, so it is not verified"
    case .notSigned: "the report is not signed (no integrity or signature block)"
    case .unsupportedAlgorithm(let name):
      "the signature algorithm '\(name)' is not supported (expected ed25519)"
    case .keyIdMismatch(let report, let key):
      "the report was signed with key \(report.prefix(16)), not with the given key \(key.prefix(16))"
    case .signatureInvalid:
      "the signature does not verify: the signature or the integrity block was changed"
    case .sectionChanged(let section): "the \(section.rawValue) section was changed"
    case .integrityChanged(let section):
      "the integrity block was changed: its digest for the \(section.rawValue) section matches neither the section nor the signature"
    case .sectionDigestMissing(let section):
      "the integrity block has no digest for the \(section.rawValue) section"
    case .unknownSection(let name): "the integrity block names an unknown section '\(name)'"
    case .unexpectedContent(let path):
      "the report holds a field outside the report schema at \(path)"
    }
  }
}

/// The outcome of `Verifier.verify`: valid when there is no problem.
public struct VerificationResult: Sendable {
  /// The decoded report, when it could be read.
  public var report: Report?
  public var problems: [VerificationProblem]
  public var isValid: Bool { problems.isEmpty }

  /// One diagnostic per problem, located at `file` (the report's path) when given.
  public func diagnostics(file: String? = nil) -> [Diagnostic] {
    problems.map { problem in
      var span = file.map { SourceSpan.file($0) }
      if case .unparseable(_, let line?, let column?) = problem, let file {
        span = SourceSpan(SourceLocation(file: file, line: line, column: column))
      }
      if case .notStrictJSON(_, let line, let column) = problem, let file {
        span = SourceSpan(SourceLocation(file: file, line: line, column: column))
      }
      return Diagnostic(problem.code, problem.description, at: span, help: problem.code.fix)
    }
  }
}

/// Checks a signed JSON report: that it parses, holds nothing outside the schema, that each
/// section matches its digest and that the signature over the digests verifies with the key.
public enum Verifier {
  public static func verify(reportData: Data, publicKey: Curve25519.Signing.PublicKey)
    -> VerificationResult
  {
    // Strict syntax first: a duplicate key or trailing content would let Foundation read one
    // report while other readers read another (issue 22, item 1).
    // Plain syntax errors stay CUS9103 (not JSON at all), located by the strict scanner.
    if let strict = StrictJSON.check([UInt8](reportData)) {
      return VerificationResult(
        report: nil,
        problems: [
          strict.ambiguous
            ? .notStrictJSON(message: strict.message, line: strict.line, column: strict.column)
            : .unparseable(message: strict.message, line: strict.line, column: strict.column)
        ])
    }
    let tree: Any
    do {
      tree = try JSONSerialization.jsonObject(with: reportData, options: [.fragmentsAllowed])
    } catch {
      let (line, column) = JSONErrorLocation.locate(error, in: reportData)
      return VerificationResult(
        report: nil,
        problems: [
          .unparseable(message: JSONErrorLocation.message(error), line: line, column: column)
        ])
    }
    let report: Report
    do {
      report = try CanonicalJSON.decode(Report.self, from: reportData)
    } catch {
      return VerificationResult(
        report: nil,
        problems: [.unparseable(message: JSONErrorLocation.message(error), line: nil, column: nil)])
    }

    var problems: [VerificationProblem] = []
    if let reencoded = try? CanonicalJSON.encode(report, pretty: false),
      let expected = try? JSONSerialization.jsonObject(with: reencoded, options: []),
      let path = JSONTreeDiff.firstExtra(in: tree, comparedWith: expected, path: "$")
    {
      problems.append(.unexpectedContent(path: path))
    }

    guard let integrity = report.integrity, let signature = report.signature else {
      problems.append(.notSigned)
      return VerificationResult(report: report, problems: problems)
    }

    // nil: could not be checked (wrong key or algorithm).
    var signatureValid: Bool? = nil
    let keyId = KeyFile.keyId(publicKey)
    if signature.algorithm != "ed25519" {
      problems.append(.unsupportedAlgorithm(signature.algorithm))
    } else if signature.keyId != keyId {
      problems.append(.keyIdMismatch(report: signature.keyId, key: keyId))
    } else if let bytes = Data(base64Encoded: signature.value),
      let message = try? CanonicalJSON.encode(integrity, pretty: false)
    {
      signatureValid = publicKey.isValidSignature(bytes, for: message)
    } else {
      signatureValid = false
    }

    var sectionProblems: [VerificationProblem] = []
    let actual = (try? report.sectionDigests()) ?? [:]
    for section in ReportSection.allCases {
      // Schema 2 reports have no statement: their signature covers the sections they had
      // (a statement added to one shows as unexpected content or a changed section below).
      if section == .statement, report.schemaVersion < 3, report.statement == nil,
        integrity.sections[section.rawValue] == nil
      {
        continue
      }
      guard let recorded = integrity.sections[section.rawValue] else {
        sectionProblems.append(.sectionDigestMissing(section))
        continue
      }
      if recorded != actual[section.rawValue] {
        sectionProblems.append(
          signatureValid == false ? .integrityChanged(section) : .sectionChanged(section))
      }
    }
    let known = Set(ReportSection.allCases.map(\.rawValue))
    for name in integrity.sections.keys.sorted() where !known.contains(name) {
      sectionProblems.append(.unknownSection(name))
    }
    if signatureValid == false { problems.append(.signatureInvalid) }
    problems += sectionProblems
    return VerificationResult(report: report, problems: problems)
  }

  /// Reads the report and the public key file, then verifies.
  public static func verify(reportPath: String, publicKeyPath: String) throws(ReportError)
    -> VerificationResult
  {
    let key = try KeyFile.readPublicKey(path: publicKeyPath)
    guard let data = FileManager.default.contents(atPath: reportPath) else {
      throw ReportError(
        .reportUnparseable, "cannot read the report \(reportPath)", file: reportPath)
    }
    return verify(reportData: data, publicKey: key)
  }
}
