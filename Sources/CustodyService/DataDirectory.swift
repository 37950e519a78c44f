import Crypto
import CustodyKit
import Foundation

/// The service's data directory. Everything the service keeps lives under it:
///
///     DIR/custody.sqlite        the database (WAL mode: -wal and -shm beside it)
///     DIR/keys/signing.key      Ed25519 private key (0600), `custody keygen` format
///     DIR/keys/signing.key.pub  its public key
///     DIR/objects/ab/cdef...    uploaded files, content-addressed by sha256, never rewritten
///     DIR/bundles/DIGEST/       a compiled standard bundle, extracted once, read-only after
///     DIR/work/                 per-run scratch folders (recreated on start)
///     DIR/tmp/                  uploads in flight (emptied on start)
public struct DataDirectory: Sendable {
  public let root: URL

  public init(_ path: String) {
    root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
  }

  public var database: URL { root.appendingPathComponent("custody.sqlite") }
  public var keys: URL { root.appendingPathComponent("keys", isDirectory: true) }
  public var signingKey: URL { keys.appendingPathComponent("signing.key") }
  public var publicKey: URL { keys.appendingPathComponent("signing.key.pub") }
  public var objects: URL { root.appendingPathComponent("objects", isDirectory: true) }
  public var bundles: URL { root.appendingPathComponent("bundles", isDirectory: true) }
  public var work: URL { root.appendingPathComponent("work", isDirectory: true) }
  public var tmp: URL { root.appendingPathComponent("tmp", isDirectory: true) }

  public var isInitialised: Bool {
    FileManager.default.fileExists(atPath: database.path)
      && FileManager.default.fileExists(atPath: signingKey.path)
  }

  func createFolders() throws {
    for url in [root, keys, objects, bundles, work, tmp] {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
  }

  /// The path of the object with this sha256 (lowercase hex).
  func objectURL(_ sha256: String) -> URL {
    objects.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true)
      .appendingPathComponent(String(sha256.dropFirst(2)))
  }

  func bundleURL(_ digest: String) -> URL {
    bundles.appendingPathComponent(digest, isDirectory: true)
  }

  /// Stores `data` as an object (once: an existing object with the same digest is kept) and
  /// returns its sha256. Written to tmp/ and renamed, so a crash never leaves half an object.
  @discardableResult
  func storeObject(_ data: Data) throws -> String {
    let digest = Digests.sha256Hex(data)
    let target = objectURL(digest)
    if FileManager.default.fileExists(atPath: target.path) { return digest }
    try FileManager.default.createDirectory(
      at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    let temp = tmp.appendingPathComponent("obj-\(UUID().uuidString)")
    try data.write(to: temp)
    try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: temp.path)
    do {
      try FileManager.default.moveItem(at: temp, to: target)
    } catch  where FileManager.default.fileExists(atPath: target.path) {
      // Another upload stored the same bytes first.
      try? FileManager.default.removeItem(at: temp)
    }
    return digest
  }

  func readObject(_ sha256: String) throws -> Data {
    try Data(contentsOf: objectURL(sha256))
  }

  /// Empties tmp/ and work/ (left over from a crash).
  func clearScratch() throws {
    for url in [tmp, work] {
      try? FileManager.default.removeItem(at: url)
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
  }
}

/// Random API tokens: `cst_` + 32 random bytes in base64url. Stored as their sha256 only.
enum Tokens {
  static func generate() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let text = Data(bytes).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
    return "cst_" + text
  }

  /// A token has 256 random bits, so a fast hash is enough (no password stretching needed).
  static func hash(_ token: String) -> String {
    Digests.sha256Hex(Data(token.utf8))
  }
}
