import CustodyService
import Foundation
import Testing

/// A stored (uncompressed) zip written byte by byte, so that a test can put into it what no
/// well-behaved zip library writes: raw non-UTF-8 names, symbolic links, absolute paths.
func rawZip(_ entries: [(name: [UInt8], data: [UInt8], mode: UInt32)]) -> Data {
  func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff)] }
  func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }
  func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = (crc >> 1) ^ (0xedb8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
  }
  var out: [UInt8] = []
  var central: [UInt8] = []
  for entry in entries {
    let offset = UInt32(out.count)
    let crc = crc32(entry.data)
    let size = le32(UInt32(entry.data.count))
    out +=
      le32(0x0403_4b50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc) + size + size
      + le16(entry.name.count) + le16(0) + entry.name + entry.data
    central +=
      le32(0x0201_4b50) + le16(3 << 8 | 20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0)
      + le32(crc) + size + size + le16(entry.name.count) + le16(0) + le16(0) + le16(0) + le16(0)
      + le32(entry.mode << 16) + le32(offset) + entry.name
  }
  let centralOffset = UInt32(out.count)
  out += central
  out +=
    le32(0x0605_4b50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
    + le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
  return Data(out)
}

let regularFile: UInt32 = 0o100644
let symlinkFile: UInt32 = 0o120777

/// Acceptance 4: each hostile upload is a 4xx problem document and nothing lands outside DIR
/// (nor inside it: no object, no bundle, no submission).
@Suite struct HostileUploadTests {
  @Test func hostileArchivesAreRefusedWithProblemDocuments() async throws {
    let server = try await TestServer.start("hostile") { $0.limits.maxBodyBytes = 4 << 20 }
    defer { Task { await server.stop() } }
    let http = server.client
    let admin = server.adminToken
    let org = try await http.json(
      "POST", "/api/v1/organisations", token: admin, ["slug": "acme", "name": "Acme"])
    let orgID = try #require(org.json["id"] as? Int)
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: admin, body: try cuAgainBundle(),
      contentType: "application/zip")
    let digest = try #require(bundle.json["digest"] as? String)
    let receipts = [UInt8](
      try Data(contentsOf: repositoryRoot.appendingPathComponent("fixtures/sample/receipts.csv")))
    let objectsBefore = try objectCount(server.data)
    let outside = server.data.deletingLastPathComponent()

    let bomb = try makeZip([("receipts.csv", Data(count: 30 << 20))])
    let cases: [(String, Data, Int, String)] = [
      (
        "dot-dot", rawZip([(Array("../evil.csv".utf8), receipts, regularFile)]), 400,
        "upload.path-traversal"
      ),
      (
        "nested dot-dot", rawZip([(Array("ledger/../../evil.csv".utf8), receipts, regularFile)]),
        400, "upload.path-traversal"
      ),
      (
        "absolute", rawZip([(Array("/tmp/evil.csv".utf8), receipts, regularFile)]), 400,
        "upload.path-absolute"
      ),
      (
        "symlink", rawZip([(Array("receipts.csv".utf8), Array("/etc/passwd".utf8), symlinkFile)]),
        400, "upload.symlink"
      ),
      (
        "non-UTF-8 name",
        rawZip([([0x72, 0xE9, 0xFF, 0x2E, 0x63, 0x73, 0x76], receipts, regularFile)]), 400,
        "upload.path-encoding"
      ),
      ("zip bomb", bomb, 413, "upload.compression-ratio"),
      ("oversized body", Data(count: 5 << 20), 413, "upload.body-too-large"),
      ("not an archive", Data("hello".utf8), 415, "upload.archive-type"),
    ]
    for (name, body, status, code) in cases {
      for path in [
        "/api/v1/organisations/\(orgID)/submissions?period=2025&bundle=\(digest)",
        "/api/v1/bundles",
      ] {
        let reply = try await http.send(
          "POST", path, token: admin, body: body, contentType: "application/zip")
        #expect(reply.status == status, "\(name) to \(path): \(reply.text)")
        #expect(reply.header("Content-Type") == "application/problem+json", "\(name)")
        #expect(reply.json["code"] as? String == code, "\(name) to \(path)")
        #expect(reply.json["status"] as? Int == status, "\(name)")
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
      }
    }
    // A multipart file name that climbs out is refused the same way.
    let (body, type) = multipart(
      fields: ["period": "2025", "bundle": digest],
      files: [(field: "file", name: "../evil.csv", data: Data(receipts))])
    let multipartReply = try await http.send(
      "POST", "/api/v1/organisations/\(orgID)/submissions", token: admin, body: body,
      contentType: type)
    #expect(multipartReply.status == 400)
    #expect(multipartReply.json["code"] as? String == "upload.path-traversal")

    // Nothing was written: no new object, no submission, nothing beside DIR.
    #expect(try objectCount(server.data) == objectsBefore)
    let submissions = try await http.send(
      "GET", "/api/v1/organisations/\(orgID)/submissions", token: admin)
    #expect((submissions.json["items"] as? [Any])?.isEmpty == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["data"])
    #expect(!FileManager.default.fileExists(atPath: "/tmp/evil.csv"))
    let tmp = try FileManager.default.contentsOfDirectory(
      atPath: server.data.appendingPathComponent("tmp").path)
    #expect(tmp.isEmpty)
  }

  func objectCount(_ data: URL) throws -> Int {
    var count = 0
    let root = data.appendingPathComponent("objects")
    for case let path as String in FileManager.default.enumerator(atPath: root.path)! {
      var isDirectory: ObjCBool = false
      FileManager.default.fileExists(
        atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
      if !isDirectory.boolValue { count += 1 }
    }
    return count
  }
}
