import Crypto
import Foundation

/// Lowercase hex sha256, the digest every report and pin uses.
public enum SHA256Hex {
  public static func of(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  public static func of(file path: String) -> String? {
    FileManager.default.contents(atPath: path).map(of)
  }
}
