import Crypto
import CustodyReports
import Foundation
import FuzzSupport

// Fuzz target: what `custody verify` reads (issue 22, item 1). The input is a report file.
// Properties beyond "no crash": StrictJSON's verdict agrees with Foundation's parser (what
// StrictJSON accepts, JSONSerialization parses); an input holding a duplicate key, found by
// an independent scan of Foundation's tree against the raw bytes, is never accepted; and a
// report never verifies unless StrictJSON accepted it. Seeds include a report signed with the
// harness's fixed key (Fuzz/FuzzVerify/seeds), so the signature-valid paths are reached.
// Mode byte: 0 = the input as is; 1 = the input with `,"verdict":"conformant"` spliced before
// its last `}` (the forged report of the issue), which must never verify.

/// The harness's fixed signing key (32 bytes of 7); Fuzz/FuzzVerify/seeds holds a report
/// signed with it. A throwaway test key, not a secret.
private enum Fixture {
  static let publicKeyBytes =
    (try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 7, count: 32)))
    .publicKey.rawRepresentation
  static var publicKey: Curve25519.Signing.PublicKey {
    try! Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes)
  }
}

/// Key-value pairs in the raw text: a string followed by `:` outside strings (only called on
/// input StrictJSON accepted, so well-formed). Independent of StrictJSON's own key tracking.
private func countPairs(_ bytes: [UInt8]) -> Int {
  // `":` outside strings ends a key; count them (strict input: keys are strings).
  var inString = false
  var escaped = false
  var pairs = 0
  var lastWasStringEnd = false
  for b in bytes {
    if inString {
      if escaped {
        escaped = false
      } else if b == UInt8(ascii: "\\") {
        escaped = true
      } else if b == UInt8(ascii: "\"") {
        inString = false
        lastWasStringEnd = true
        continue
      }
      continue
    }
    if b == UInt8(ascii: "\"") {
      inString = true
    } else if b == UInt8(ascii: ":") && lastWasStringEnd {
      pairs += 1
    }
    if !(b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) { lastWasStringEnd = false }
  }
  return pairs
}

private func countKeys(_ tree: Any) -> Int {
  var n = 0
  var stack: [Any] = [tree]
  while let node = stack.popLast() {
    if let d = node as? [String: Any] {
      n += d.count
      stack += Array(d.values)
    } else if let a = node as? [Any] {
      stack += a
    }
  }
  return n
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVerify(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let input = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
  guard let mode = input.first else { return 0 }
  var bytes = Array(input.dropFirst())
  if mode & 1 == 1, let close = bytes.lastIndex(of: UInt8(ascii: "}")) {
    bytes.insert(contentsOf: Array(",\"verdict\":\"conformant\"".utf8), at: close)
  }
  let strict = StrictJSON.check(bytes)
  if strict == nil {
    let tree = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    FuzzDriver.require(tree != nil, "StrictJSON accepted what Foundation cannot parse")
    if let tree {
      FuzzDriver.require(
        countKeys(tree) == countPairs(bytes),
        "StrictJSON accepted an object with a duplicate key (pairs \(countPairs(bytes)), keys \(countKeys(tree)))"
      )
    }
  }
  let result = Verifier.verify(reportData: Data(bytes), publicKey: Fixture.publicKey)
  if result.isValid {
    FuzzDriver.require(strict == nil, "a report verified that StrictJSON refused")
    FuzzDriver.require(mode & 1 == 0, "the forged report (duplicate verdict) verified")
  }
  return 0
}

_ = Fixture.publicKeyBytes
FuzzDriver.main(fuzzVerify)
