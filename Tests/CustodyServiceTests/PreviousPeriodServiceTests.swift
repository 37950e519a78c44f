import CustodyService
import Foundation
import Testing

/// `previousRun` on a submission is `custody validate --previous` in the service: the named
/// run's signed report (checked with the service's public key) opens this period's balances,
/// and CUA-4.7 judges it. fixtures/two-period is fixtures/sample cut at 2025-01-01.
@Suite struct PreviousPeriodServiceTests {
  @Test func period1RunOpensPeriod2AndAReplayOrForeignRunDoesNot() async throws {
    let server = try await TestServer.start("previous-run")
    defer { Task { await server.stop() } }
    let http = server.client
    let admin = server.adminToken
    let orgA = try #require(
      try await http.json(
        "POST", "/api/v1/organisations", token: admin, ["slug": "smelter-a", "name": "A"]
      ).json["id"] as? Int)
    let orgB = try #require(
      try await http.json(
        "POST", "/api/v1/organisations", token: admin, ["slug": "smelter-b", "name": "B"]
      ).json["id"] as? Int)
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: admin, body: try cuAgainBundle(),
      contentType: "application/zip")
    let digest = try #require(bundle.json["digest"] as? String)

    func submit(_ org: Int, _ fixture: String, period: String, previousRun: String? = nil)
      async throws -> HTTPClient.Reply
    {
      var fields = ["period": period, "bundle": digest]
      if let previousRun { fields["previousRun"] = previousRun }
      let (body, type) = multipart(
        fields: fields,
        files: try fixtureFiles(fixture).map { (field: "file", name: $0.0, data: $0.1) })
      return try await http.send(
        "POST", "/api/v1/organisations/\(org)/submissions", token: admin, body: body,
        contentType: type)
    }
    func firstRun(_ reply: HTTPClient.Reply) throws -> Int {
      try #require(((reply.json["runs"] as? [[String: Any]])?.first?["id"]) as? Int)
    }
    /// The run's signed JSON report: CUA-4.7's status and the rules of its findings.
    func cua47(_ run: Int) async throws -> (status: String?, rules: [String]) {
      let report = try await http.send("GET", "/api/v1/runs/\(run)/report", token: admin).json
      let clause = (report["clauses"] as? [[String: Any]])?.first {
        $0["id"] as? String == "CUA-4.7"
      }
      let rules = ((report["findings"] as? [[String: Any]]) ?? []).filter {
        ($0["clauses"] as? [String])?.contains("CUA-4.7") == true
      }.compactMap { $0["rule"] as? String }
      return (clause?["status"] as? String, rules)
    }

    let period1 = try await submit(orgA, "fixtures/two-period/period-1", period: "2024")
    #expect(period1.status == 201, "\(period1.text)")
    let run1 = try firstRun(period1)
    #expect(try await http.waitForRun(run1, token: admin)["verdict"] as? String == "conformant")

    // Period 2 alone opens at zero and is overdrawn; opened by period 1's run it conforms.
    let alone = try firstRun(try await submit(orgA, "fixtures/two-period/period-2", period: "2025"))
    let aloneDone = try await http.waitForRun(alone, token: admin)
    #expect(aloneDone["verdict"] as? String == "non_conformant")
    #expect(try await cua47(alone).status == "not_applicable")
    let opened = try await submit(
      orgA, "fixtures/two-period/period-2", period: "2025", previousRun: String(run1))
    #expect(opened.status == 201, "\(opened.text)")
    #expect(opened.json["previousRun"] as? Int == run1)
    let run2 = try firstRun(opened)
    let run2Done = try await http.waitForRun(run2, token: admin)
    #expect(run2Done["status"] as? String == "done")
    #expect(run2Done["verdict"] as? String == "conformant")
    #expect(try await cua47(run2).status == "conformant")

    // Period 1's report given to period 1 again: CUA-4.7, on the adjacency rule only.
    let replay = try firstRun(
      try await submit(
        orgA, "fixtures/two-period/period-1", period: "2024", previousRun: String(run1)))
    #expect(
      try await http.waitForRun(replay, token: admin)["verdict"] as? String == "non_conformant")
    let replayed = try await cua47(replay)
    #expect(replayed.status == "non_conformant")
    #expect(Set(replayed.rules) == ["previous-period-adjacent"])

    // Refused before anything is stored: another organisation's run (reads as absent), a run
    // that does not exist, and a value that is not a run id.
    for (org, value, code) in [
      (orgB, String(run1), "submission.unknown-previous-run"),
      (orgA, "999999", "submission.unknown-previous-run"),
      (orgA, "run-1", "submission.invalid-previous-run"),
      (orgA, "-3", "submission.invalid-previous-run"),
    ] {
      let reply = try await submit(
        org, "fixtures/two-period/period-2", period: "2025", previousRun: value)
      #expect(reply.status == 422, "\(value): \(reply.text)")
      #expect(reply.header("Content-Type") == "application/problem+json")
      #expect(reply.json["code"] as? String == code, "\(value)")
    }
    // A run that failed (its ledger lacks sites.csv) has no signed report to open a period.
    let (brokenBody, brokenType) = multipart(
      fields: ["period": "2023", "bundle": digest],
      files: try fixtureFiles("fixtures/two-period/period-1").filter { $0.0 != "sites.csv" }.map {
        (field: "file", name: $0.0, data: $0.1)
      })
    let broken = try firstRun(
      try await http.send(
        "POST", "/api/v1/organisations/\(orgA)/submissions", token: admin, body: brokenBody,
        contentType: brokenType))
    #expect(try await http.waitForRun(broken, token: admin)["status"] as? String == "failed")
    let unfinished = try await submit(
      orgA, "fixtures/two-period/period-2", period: "2025", previousRun: String(broken))
    #expect(unfinished.status == 422, "\(unfinished.text)")
    #expect(unfinished.json["code"] as? String == "submission.previous-run-unfinished")
    #expect((unfinished.json["detail"] as? String)?.contains("run \(broken) is failed") == true)

    let listed = try await http.send(
      "GET", "/api/v1/organisations/\(orgB)/submissions", token: admin)
    #expect((listed.json["items"] as? [Any])?.isEmpty == true)

    // The audit entry of the submission names the run that opened it.
    let audit = try await http.send("GET", "/api/v1/audit?limit=200", token: admin)
    let created = ((audit.json["items"] as? [[String: Any]]) ?? []).filter {
      $0["action"] as? String == "submission.create"
    }.compactMap { ($0["details"] as? [String: String])?["previous_run"] }
    #expect(created == [String(run1), String(run1)])
  }
}
