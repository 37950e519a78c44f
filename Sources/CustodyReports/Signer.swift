import Crypto
import CustodyDiagnostics
import CustodyYAML
import Foundation

/// An error from key handling, signing or writing, carrying the diagnostic the CLI prints.
public struct ReportError: Error, Sendable, CustomStringConvertible {
  public var diagnostic: Diagnostic
  public init(_ code: DiagnosticCode, _ message: String, file: String? = nil, help: String? = nil) {
    diagnostic = Diagnostic(
      code, message, at: file.map { SourceSpan.file($0) }, help: help ?? code.fix)
  }
  public var description: String { diagnostic.description }
}

/// Ed25519 key files. The format is two lines of text:
///
///     custody-ed25519-private-key v1
///     <base64 of the 32-byte raw private key>
///
/// and the same with `custody-ed25519-public-key v1` for `NAME.pub`. A key's id is the
/// lowercase hex sha256 of the raw 32-byte public key. Blank lines and comment lines starting
/// with `#` are ignored anywhere (a public key passed around often gains a note about whose it
/// is). A private key file must not be accessible to group or others (mode 0600 or 0400, as
/// ssh requires); custody refuses to sign with it otherwise (CUS9115).
public enum KeyFile {
  public static let privateHeader = "custody-ed25519-private-key v1"
  public static let publicHeader = "custody-ed25519-public-key v1"

  public static func encode(privateKey: Curve25519.Signing.PrivateKey) -> String {
    "\(privateHeader)\n\(privateKey.rawRepresentation.base64EncodedString())\n"
  }

  public static func encode(publicKey: Curve25519.Signing.PublicKey) -> String {
    "\(publicHeader)\n\(publicKey.rawRepresentation.base64EncodedString())\n"
  }

  public static func keyId(_ publicKey: Curve25519.Signing.PublicKey) -> String {
    Digests.sha256Hex(publicKey.rawRepresentation)
  }

  public static func decodePrivateKey(_ text: String, file: String = "key") throws(ReportError)
    -> Curve25519.Signing.PrivateKey
  {
    let raw = try body(text, header: privateHeader, file: file)
    do { return try Curve25519.Signing.PrivateKey(rawRepresentation: raw) } catch {
      throw ReportError(
        .keyFileInvalid, "\(file) does not hold a 32-byte Ed25519 private key", file: file)
    }
  }

  public static func decodePublicKey(_ text: String, file: String = "key.pub") throws(ReportError)
    -> Curve25519.Signing.PublicKey
  {
    let raw = try body(text, header: publicHeader, file: file)
    do { return try Curve25519.Signing.PublicKey(rawRepresentation: raw) } catch {
      throw ReportError(
        .keyFileInvalid, "\(file) does not hold a 32-byte Ed25519 public key", file: file)
    }
  }

  public static func readPrivateKey(path: String) throws(ReportError)
    -> Curve25519.Signing.PrivateKey
  {
    var st = stat()
    if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
      let mode = String(st.st_mode & 0o777, radix: 8)
      throw ReportError(
        .keyFilePermissions,
        "private key \(path) has mode 0\(mode): other users can read or change it; refusing to sign with it",
        file: path, help: "chmod 600 \(path)")
    }
    return try decodePrivateKey(try read(path), file: path)
  }

  public static func readPublicKey(path: String) throws(ReportError) -> Curve25519.Signing.PublicKey
  {
    try decodePublicKey(try read(path), file: path)
  }

  private static func read(_ path: String) throws(ReportError) -> String {
    // Bounded and regular files only (a key path naming a FIFO would block forever).
    switch FileBytes.read(path: path, limit: 64 * 1024) {
    case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
    case .failure(.tooLarge):
      throw ReportError(.keyFileInvalid, "\(path) is too large to be a key file", file: path)
    case .failure(.unreadable(let reason)):
      throw ReportError(.keyFileInvalid, "cannot read key file \(path): \(reason)", file: path)
    }
  }

  private static func body(_ text: String, header: String, file: String) throws(ReportError) -> Data
  {
    let lines = text.split(whereSeparator: \.isNewline).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    if lines.first == header, lines.count != 2 {
      throw ReportError(
        .keyFileInvalid,
        "\(file) holds \(lines.count - 1) lines after the header '\(header)'; expected exactly one (the base64 key; `#` comment lines are allowed)",
        file: file)
    }
    guard lines.count == 2, lines[0] == header else {
      let other = header == privateHeader ? publicHeader : privateHeader
      if lines.first == other {
        let kind = header == privateHeader ? "private" : "public"
        throw ReportError(
          .keyFileInvalid,
          "\(file) is a \(kind == "private" ? "public" : "private") key; a \(kind) key is needed here",
          file: file)
      }
      throw ReportError(
        .keyFileInvalid, "\(file) does not start with the line '\(header)'", file: file)
    }
    guard let raw = Data(base64Encoded: lines[1]) else {
      throw ReportError(.keyFileInvalid, "the second line of \(file) is not base64", file: file)
    }
    return raw
  }
}

/// Signs reports: fills `integrity` from the content, then signs the canonical JSON of the
/// integrity block with Ed25519.
public struct Signer {
  public let privateKey: Curve25519.Signing.PrivateKey

  public init(privateKey: Curve25519.Signing.PrivateKey) { self.privateKey = privateKey }

  /// Reads a key written by `keygen`.
  public init(keyFile path: String) throws(ReportError) {
    privateKey = try KeyFile.readPrivateKey(path: path)
  }

  /// `custody keygen --output NAME`: writes NAME (private, mode 0600) and NAME.pub. Refuses to
  /// replace an existing key file. Returns the key id.
  @discardableResult
  public static func keygen(output path: String) throws(ReportError) -> String {
    let publicPath = path + ".pub"
    for existing in [path, publicPath] where FileManager.default.fileExists(atPath: existing) {
      throw ReportError(
        .keyFileExists, "\(existing) already exists; not replacing a key", file: existing)
    }
    let key = Curve25519.Signing.PrivateKey()
    try ReportWriter.write(
      Data(KeyFile.encode(privateKey: key).utf8), to: path, refusing: [], mode: 0o600)
    try ReportWriter.write(
      Data(KeyFile.encode(publicKey: key.publicKey).utf8), to: publicPath, refusing: [])
    return KeyFile.keyId(key.publicKey)
  }

  /// The key id of this signer's public key.
  public var keyId: String { KeyFile.keyId(privateKey.publicKey) }

  /// A copy of `report` with fresh section digests and a signature over them.
  public func sign(_ report: Report) throws -> Report {
    var sealed = try report.withIntegrity()
    guard let integrity = sealed.integrity else { return sealed }
    let message = try CanonicalJSON.encode(integrity, pretty: false)
    let signature = try privateKey.signature(for: message)
    sealed.signature = Report.Signature(
      algorithm: "ed25519", keyId: keyId, value: signature.base64EncodedString())
    return sealed
  }
}
