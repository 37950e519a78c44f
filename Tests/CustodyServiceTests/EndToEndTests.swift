import CustodyService
import Foundation
import Testing

/// Acceptance 1: the whole story over HTTP on loopback.
@Suite struct EndToEndTests {
  @Test func organisationClientAuditorBundleTwoSubmissionsCompareAndAudit() async throws {
    let server = try await TestServer.start("e2e")
    defer { Task { await server.stop() } }
    let http = server.client
    let admin = server.adminToken

    // Organisation, auditor and client, each with a token.
    let org = try await http.json(
      "POST", "/api/v1/organisations", token: admin, ["slug": "smelter-a", "name": "Smelter A"])
    #expect(org.status == 201)
    let orgID = try #require(org.json["id"] as? Int)
    let other = try await http.json(
      "POST", "/api/v1/organisations", token: admin, ["slug": "smelter-b", "name": "Smelter B"])
    let otherID = try #require(other.json["id"] as? Int)
    let auditor = try await http.json(
      "POST", "/api/v1/users", token: admin,
      ["name": "auditor1", "role": "auditor", "organisations": [orgID]])
    #expect(auditor.status == 201)
    let client = try await http.json(
      "POST", "/api/v1/users", token: admin,
      ["name": "client1", "role": "client", "organisation": orgID])
    #expect(client.status == 201)
    let auditorToken = try #require(
      try await http.json(
        "POST", "/api/v1/users/\(auditor.json["id"] as! Int)/tokens", token: admin,
        ["label": "laptop"]
      )
      .json["token"] as? String)
    let clientToken = try #require(
      try await http.json(
        "POST", "/api/v1/users/\(client.json["id"] as! Int)/tokens", token: admin,
        ["label": "erp", "expiresInDays": 30]
      ).json["token"] as? String)

    // The auditor uploads the Cu-again bundle; it compiles and is stored by digest.
    let bundleZip = try cuAgainBundle()
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: auditorToken, body: bundleZip,
      contentType: "application/zip")
    #expect(bundle.status == 201, "\(bundle.text)")
    #expect(bundle.json["standard"] as? String == "cu-again-coc")
    #expect(bundle.json["entry"] as? String == "standards/cu-again-coc.yaml")
    #expect(bundle.json["effectiveFrom"] as? String == "2024-01-01")
    let digest = try #require(bundle.json["digest"] as? String)
    // Same bytes again: the same bundle, not a second one.
    let again = try await http.send(
      "POST", "/api/v1/bundles", token: admin, body: bundleZip, contentType: "application/zip")
    #expect(again.status == 200)
    #expect(again.json["digest"] as? String == digest)
    // ETag on the immutable bundle.
    let got = try await http.send("GET", "/api/v1/bundles/\(digest)", token: clientToken)
    #expect(got.header("ETag") == "\"\(digest)\"")
    let notModified = try await http.send(
      "GET", "/api/v1/bundles/\(digest)", token: clientToken,
      headers: ["If-None-Match": "\"\(digest)\""])
    #expect(notModified.status == 304)

    // The client submits fixtures/sample as multipart, and the planted CUA-4.3 ledger as a zip.
    let (body, type) = multipart(
      fields: ["period": "2025", "bundle": digest, "note": "annual submission"],
      files: try fixtureFiles("fixtures/sample").map { (field: "file", name: $0.0, data: $0.1) })
    let sample = try await http.send(
      "POST", "/api/v1/organisations/\(orgID)/submissions", token: clientToken, body: body,
      contentType: type)
    #expect(sample.status == 201, "\(sample.text)")
    #expect((sample.json["files"] as? [Any])?.count == 13)
    let plantedZip = try makeZip(
      try fixtureFiles("fixtures/planted/cua-4.3").map { ("cua-4.3/\($0.0)", $0.1) })
    let planted = try await http.send(
      "POST",
      "/api/v1/organisations/\(orgID)/submissions?period=2025-Q4&bundle=\(digest)&note=planted",
      token: clientToken, body: plantedZip, contentType: "application/zip")
    #expect(planted.status == 201, "\(planted.text)")
    // The zip's one top folder is dropped: the ledger is flat.
    #expect(
      ((planted.json["files"] as? [[String: Any]]) ?? []).contains {
        $0["name"] as? String == "receipts.csv"
      })

    let sampleRun = try #require(((sample.json["runs"] as? [[String: Any]])?.first?["id"]) as? Int)
    let plantedRun = try #require(
      ((planted.json["runs"] as? [[String: Any]])?.first?["id"]) as? Int)
    let sampleDone = try await http.waitForRun(sampleRun, token: clientToken)
    let plantedDone = try await http.waitForRun(plantedRun, token: clientToken)
    #expect(sampleDone["status"] as? String == "done")
    #expect(sampleDone["verdict"] as? String == "conformant")
    #expect(plantedDone["verdict"] as? String == "non_conformant")
    let counts = try #require(plantedDone["counts"] as? [String: Int])
    #expect(counts == ["major": 1, "minor": 0, "observation": 0, "findings": 1])

    // The reports are the CLI's, byte for byte: unsigned = `validate --deterministic`, signed =
    // the same with `--sign` and the service's key.
    for (run, fixture) in [
      (sampleRun, "fixtures/sample"), (plantedRun, "fixtures/planted/cua-4.3"),
    ] {
      let unsigned = try await http.send(
        "GET", "/api/v1/runs/\(run)/report?format=unsigned-json", token: clientToken)
      #expect(unsigned.status == 200)
      #expect(
        unsigned.body == (try cliReport(fixture: fixture)),
        "run \(run): unsigned report differs from the CLI's")
      let signed = try await http.send("GET", "/api/v1/runs/\(run)/report", token: clientToken)
      let key = server.data.appendingPathComponent("keys/signing.key").path
      #expect(
        signed.body == (try cliReport(fixture: fixture, extra: ["--sign", key])),
        "run \(run): signed report differs")
      let etag = try #require(signed.header("ETag"))
      let cached = try await http.send(
        "GET", "/api/v1/runs/\(run)/report", token: clientToken, headers: ["If-None-Match": etag])
      #expect(cached.status == 304)
    }
    // Every other format renders.
    for format in ["text", "markdown", "html", "csv", "junit", "sarif"] {
      let reply = try await http.send(
        "GET", "/api/v1/runs/\(plantedRun)/report?format=\(format)", token: auditorToken)
      #expect(reply.status == 200, "format \(format)")
      #expect(reply.text.contains("CUA-4.3"), "format \(format) names the clause")
    }
    let statement = try await http.send(
      "GET", "/api/v1/runs/\(plantedRun)/statement", token: clientToken)
    #expect(statement.status == 200)
    #expect(
      ((statement.json["accounts"] as? [[String: Any]])?.first?["rule"]) as? String
        == "credits-never-negative")

    // Compare: the planted run against the conformant one.
    let compare = try await http.send(
      "GET", "/api/v1/compare?base=\(sampleRun)&head=\(plantedRun)", token: auditorToken)
    #expect(compare.status == 200, "\(compare.text)")
    let ncs = try #require(compare.json["nonconformities"] as? [String: [[String: Any]]])
    #expect(ncs["fixed"]?.isEmpty == true)
    #expect(ncs["open"]?.isEmpty == true)
    #expect(
      ncs["new"]?.map { "\($0["clause"]!) \($0["rule"]!) \($0["severity"]!)" } == [
        "CUA-4.3 credits-never-negative major"
      ])
    let clauses = try #require(compare.json["clauses"] as? [[String: Any]])
    #expect(
      clauses.map { "\($0["clause"]!):\($0["base"]!)->\($0["head"]!)" } == [
        "CUA-4.3:conformant->non_conformant"
      ])
    #expect(
      (compare.json["verdict"] as? [String: String]) == [
        "base": "conformant", "head": "non_conformant",
      ])
    // And back the other way the non-conformity is fixed.
    let back = try await http.send(
      "GET", "/api/v1/compare?base=\(plantedRun)&head=\(sampleRun)", token: clientToken)
    #expect(((back.json["nonconformities"] as? [String: [[String: Any]]])?["fixed"]?.count) == 1)

    // Re-running under the same bundle makes a new run; the old one is untouched.
    let rerun = try await http.json(
      "POST", "/api/v1/submissions/\(planted.json["id"] as! Int)/runs", token: auditorToken,
      ["bundle": digest])
    #expect(rerun.status == 201)
    let rerunID = try #require(rerun.json["id"] as? Int)
    #expect(rerunID != plantedRun)
    let rerunDone = try await http.waitForRun(rerunID, token: auditorToken)
    #expect(
      rerunDone["signedReportSha256"] as? String == plantedDone["signedReportSha256"] as? String)

    // The client sees nothing of another organisation, not even that it exists.
    #expect(
      try await http.send("GET", "/api/v1/organisations/\(otherID)", token: clientToken).status
        == 404)
    let orgs = try await http.send("GET", "/api/v1/organisations", token: clientToken)
    #expect(((orgs.json["items"] as? [[String: Any]]) ?? []).map { $0["id"] as? Int } == [orgID])

    // The audit log: every action, in order, chained.
    let audit = try await http.send("GET", "/api/v1/audit?limit=200", token: admin)
    let entries = try #require(audit.json["items"] as? [[String: Any]])
    let actions = entries.map { $0["action"] as! String }
    #expect(
      actions.filter { !$0.hasPrefix("run.done") && $0 != "run.create" } == [
        "service.init", "organisation.create", "organisation.create", "user.create", "user.create",
        "token.create", "token.create", "bundle.upload", "submission.create", "submission.create",
      ])
    #expect(actions.filter { $0 == "run.create" }.count == 3)
    #expect(actions.filter { $0 == "run.done" }.count == 3)
    for (index, entry) in entries.enumerated().dropFirst() {
      #expect(entry["prevHash"] as? String == entries[index - 1]["hash"] as? String)
    }
    let verdicts = entries.filter { $0["action"] as? String == "run.done" }.compactMap {
      ($0["details"] as? [String: String])?["verdict"]
    }
    #expect(verdicts.sorted() == ["conformant", "non_conformant", "non_conformant"])
    #expect(try await http.send("GET", "/api/v1/audit", token: clientToken).status == 403)
    let verified = try ServiceSetup.auditVerify(data: server.data.path)
    #expect(verified.broken == nil)
    #expect(verified.entries == entries.count)

    // /healthz and /metrics.
    #expect(try await http.send("GET", "/healthz").status == 200)
    let metrics = try await http.send("GET", "/metrics")
    #expect(metrics.text.contains("custody_runs_total{status=\"done\"} 3"))
  }

  /// A mapped export: the submission's profile is stored with it and used by the run, and the
  /// report is still the CLI's (`--profile profile.yaml`).
  @Test func submissionWithMappingProfile() async throws {
    let server = try await TestServer.start("profile")
    defer { Task { await server.stop() } }
    let http = server.client
    let admin = server.adminToken
    let org = try await http.json(
      "POST", "/api/v1/organisations", token: admin, ["slug": "erp", "name": "ERP"])
    let orgID = try #require(org.json["id"] as? Int)
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: admin, body: try cuAgainBundle(),
      contentType: "application/zip")
    let digest = try #require(bundle.json["digest"] as? String)
    let files = try fixtureFiles("fixtures/sample").map {
      ($0.0 == "sites.csv" ? "standorte.csv" : $0.0, $0.1)
    }
    let profile = Data("profile: erp-renamed\ntables:\n  sites:\n    file: standorte.csv\n".utf8)
    let (body, type) = multipart(
      fields: ["period": "2025-H1", "bundle": digest],
      files: files.map { (field: "file", name: $0.0, data: $0.1) } + [
        (field: "profile", name: "erp.profile.yaml", data: profile)
      ])
    let created = try await http.send(
      "POST", "/api/v1/organisations/\(orgID)/submissions", token: admin, body: body,
      contentType: type)
    #expect(created.status == 201, "\(created.text)")
    #expect(created.json["profileSha256"] as? String != nil)
    let run = try #require(((created.json["runs"] as? [[String: Any]])?.first?["id"]) as? Int)
    let done = try await http.waitForRun(run, token: admin)
    #expect(done["verdict"] as? String == "conformant", "\(done)")
    let unsigned = try await http.send(
      "GET", "/api/v1/runs/\(run)/report?format=unsigned-json", token: admin)
    #expect(unsigned.body == (try cliReport(files: files, profile: profile)))
    #expect(unsigned.text.contains("standorte.csv"))
  }
}
