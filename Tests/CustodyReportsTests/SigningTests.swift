@preconcurrency import Crypto
import CustodyDiagnostics
import CustodyReports
import Foundation
import Testing

/// Signing and tamper detection: one byte changed anywhere makes verify fail and name what
/// changed; an untouched report verifies.
@Suite struct SigningTests {
  // A fresh instance (so fresh keys) per test.
  let key = Curve25519.Signing.PrivateKey()
  let otherKey = Curve25519.Signing.PrivateKey()

  func signedBytes() throws -> Data {
    try JSONReporter().render(try Signer(privateKey: key).sign(PlantedReport.report))
  }

  /// Replaces the first occurrence of `old` after `anchor` with `new` (same length: one byte).
  static func tamper(_ data: Data, after anchor: String, replace old: String, with new: String)
    throws -> Data
  {
    let text = String(decoding: data, as: UTF8.self)
    let start = try #require(text.range(of: anchor))
    let hit = try #require(text.range(of: old, range: start.upperBound..<text.endIndex))
    return Data(text.replacingCharacters(in: hit, with: new).utf8)
  }

  func verify(_ data: Data, key: Curve25519.Signing.PrivateKey? = nil) -> [VerificationProblem] {
    Verifier.verify(reportData: data, publicKey: (key ?? self.key).publicKey).problems
  }

  @Test func untouchedReportVerifies() throws {
    let result = Verifier.verify(reportData: try signedBytes(), publicKey: key.publicKey)
    #expect(result.problems == [])
    #expect(result.isValid)
    #expect(result.report?.signature?.keyId == KeyFile.keyId(key.publicKey))
    #expect(
      result.report?.integrity?.sections.keys.sorted()
        == ReportSection.allCases.map(\.rawValue).sorted())
  }

  @Test func oneByteInAFindingNamesTheFindingsSection() throws {
    // "S-000123" appears in several sections; change it only inside `findings`.
    let data = try Self.tamper(
      try signedBytes(), after: "\"findings\" : [\n", replace: "S-000123", with: "S-000124")
    #expect(verify(data) == [.sectionChanged(.findings)])
    #expect(
      VerificationProblem.sectionChanged(.findings).description
        == "the findings section was changed")
  }

  @Test func oneByteInTheVerdictNamesTheVerdictSection() throws {
    let data = try Self.tamper(
      try signedBytes(), after: "\"summary\"", replace: "\"major\" : 1", with: "\"major\" : 0")
    #expect(verify(data) == [.sectionChanged(.verdict)])
  }

  @Test func oneByteInALedgerDigestNamesTheLedgerSection() throws {
    let sales = PlantedReport.digest("sales")
    let flipped = String(sales.dropLast()) + (sales.last == "0" ? "1" : "0")
    let data = try Self.tamper(
      try signedBytes(), after: "\"ledger\"", replace: sales, with: flipped)
    #expect(verify(data) == [.sectionChanged(.ledger)])
  }

  @Test func oneByteInTheIntegrityBlockBreaksTheSignature() throws {
    let bytes = try signedBytes()
    let report = try CanonicalJSON.decode(Report.self, from: bytes)
    let digest = try #require(report.integrity?.sections["findings"])
    let flipped = (digest.first == "a" ? "b" : "a") + digest.dropFirst()
    let data = try Self.tamper(bytes, after: "\"integrity\"", replace: digest, with: flipped)
    #expect(verify(data) == [.signatureInvalid, .integrityChanged(.findings)])
  }

  @Test func oneByteInTheSignatureBreaksTheSignature() throws {
    let bytes = try signedBytes()
    let report = try CanonicalJSON.decode(Report.self, from: bytes)
    let value = try #require(report.signature?.value)
    // Change a character in the middle: every bit there is significant.
    let index = value.index(value.startIndex, offsetBy: 20)
    let replacement: Character = value[index] == "A" ? "B" : "A"
    var changed = value
    changed.replaceSubrange(index...index, with: String(replacement))
    let data = try Self.tamper(bytes, after: "\"signature\"", replace: value, with: changed)
    #expect(verify(data) == [.signatureInvalid])
  }

  @Test func anotherKeyIsAKeyIdMismatch() throws {
    let problems = verify(try signedBytes(), key: otherKey)
    #expect(
      problems == [
        .keyIdMismatch(report: KeyFile.keyId(key.publicKey), key: KeyFile.keyId(otherKey.publicKey))
      ])
    #expect(problems.first?.code == .reportKeyMismatch)
  }

  @Test func anAddedFieldIsReported() throws {
    let data = try Self.tamper(
      try signedBytes(), after: "\"findings\" : [\n", replace: "\"account\" :",
      with: "\"note\" : \"x\", \"account\" :")
    #expect(verify(data) == [.unexpectedContent(path: "$.findings[0].note")])
  }

  @Test func brokenJSONIsUnparseableWithLineAndColumn() throws {
    // Line 2 of the pretty report is `  "accounts" : [`; break its colon.
    let bytes = try signedBytes()
    let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")
    #expect(lines[1] == "  \"accounts\" : [")
    let data = try Self.tamper(bytes, after: "\"accounts\" ", replace: ":", with: ";")
    let problems = verify(data)
    guard case .unparseable(_, let line, let column) = problems.first else {
      Issue.record("expected unparseable, got \(problems)")
      return
    }
    #expect(problems.count == 1)
    #expect(line == 2)
    #expect(column == 14)
    let diagnostic = Verifier.verify(reportData: data, publicKey: key.publicKey).diagnostics(
      file: "r.json")
    #expect(diagnostic.first?.code == .reportUnparseable)
    #expect(diagnostic.first?.span?.start == SourceLocation(file: "r.json", line: 2, column: 14))
  }

  @Test func aMissingFieldIsUnparseableWithItsPath() throws {
    let data = try Self.tamper(
      try signedBytes(), after: "\"ledger\" : {", replace: "\"cell_errors\"",
      with: "\"cell_errorz\"")
    #expect(
      verify(data) == [
        .unparseable(message: "missing field 'cell_errors' at $.ledger", line: nil, column: nil)
      ])
  }

  @Test func unsignedReportIsNotSigned() throws {
    let data = try JSONReporter().render(try PlantedReport.report.withIntegrity())
    #expect(verify(data) == [.notSigned])
  }

  @Test func keyFilesRoundTripAndRejectTheWrongKind() throws {
    let privateText = KeyFile.encode(privateKey: key)
    let publicText = KeyFile.encode(publicKey: key.publicKey)
    #expect(privateText.hasPrefix("custody-ed25519-private-key v1\n"))
    #expect(try KeyFile.decodePrivateKey(privateText).rawRepresentation == key.rawRepresentation)
    #expect(
      try KeyFile.decodePublicKey(publicText).rawRepresentation == key.publicKey.rawRepresentation)
    do {
      _ = try KeyFile.decodePrivateKey(publicText, file: "k.pub")
      Issue.record("a public key was accepted as private")
    } catch {
      #expect(error.diagnostic.code == .keyFileInvalid)
      #expect(error.diagnostic.message == "k.pub is a public key; a private key is needed here")
    }
  }

  @Test func keygenWritesBothFilesAndRefusesToReplaceThem() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "custody-keygen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("auditor").path
    let keyId = try Signer.keygen(output: path)
    let signer = try Signer(keyFile: path)
    let publicKey = try KeyFile.readPublicKey(path: path + ".pub")
    #expect(signer.keyId == keyId)
    #expect(KeyFile.keyId(publicKey) == keyId)
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let signed = try JSONReporter().render(try signer.sign(PlantedReport.report))
    #expect(Verifier.verify(reportData: signed, publicKey: publicKey).isValid)
    do {
      try Signer.keygen(output: path)
      Issue.record("keygen replaced a key")
    } catch {
      #expect(error.diagnostic.code == .keyFileExists)
    }
  }
}

@Suite struct IntegrityCoverageTests {
  /// Every top-level field of the report is covered by a section digest. A field added to
  /// `Report` without a section here would be unsigned: this test is the reminder.
  @Test func sectionsCoverEveryTopLevelField() throws {
    let data = try JSONReporter().render(try PlantedReport.report.withIntegrity())
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let covered: [ReportSection: [String]] = [
      .tool: ["schema_version", "tool", "generated_at"], .standard: ["standard"],
      .ledger: ["ledger"], .run: ["run"],
      .verdict: ["verdict", "fail_on", "summary"], .clauses: ["clauses"], .rules: ["rules"],
      .nonconformities: ["nonconformities"], .findings: ["findings"], .accounts: ["accounts"],
      .waivers: ["waivers"], .statement: ["statement"],
    ]
    #expect(Set(covered.keys) == Set(ReportSection.allCases))
    let fields = Set(object.keys).subtracting(["integrity", "signature"])
    #expect(fields == Set(covered.values.joined()))
  }

  @Test func eachSectionDigestChangesWithItsOwnContentOnly() throws {
    let base = try PlantedReport.report.sectionDigests()
    var report = PlantedReport.report
    report.generatedAt = nil
    let changed = try report.sectionDigests()
    #expect(ReportSection.allCases.filter { base[$0.rawValue] != changed[$0.rawValue] } == [.tool])
  }
}
