import CustodyService
import Foundation
import Testing

/// Acceptance 2: every route x role x own/other organisation, with the expected status of each.
/// The table must name exactly the router's routes: a new endpoint without a row fails here.
///
/// Roles: admin; auditor assigned to organisation A; client of organisation A; anonymous.
/// "own" uses organisation A's objects (and the caller's own user and token), "other" uses
/// organisation B's (and another user's). Requests that pass authorisation carry an invalid
/// body, so the expected status of an allowed write is its validation error (400/415/422),
/// and nothing is created.
@Suite struct AuthorisationMatrixTests {
  struct Row {
    var route: String
    var path: String
    var body: String?
    /// admin, auditor, client, anonymous; for own and for other.
    var own: [Int]
    var other: [Int]
  }

  static let rows: [Row] = [
    Row(
      route: "GET /healthz", path: "/healthz", own: [200, 200, 200, 200],
      other: [200, 200, 200, 200]),
    Row(
      route: "GET /metrics", path: "/metrics", own: [200, 200, 200, 200],
      other: [200, 200, 200, 200]),
    Row(
      route: "GET /api/v1/openapi.yaml", path: "/api/v1/openapi.yaml", own: [200, 200, 200, 200],
      other: [200, 200, 200, 200]),
    Row(
      route: "GET /api/v1/me", path: "/api/v1/me", own: [200, 200, 200, 401],
      other: [200, 200, 200, 401]),
    Row(
      route: "POST /api/v1/organisations", path: "/api/v1/organisations", body: "{}",
      own: [400, 403, 403, 401], other: [400, 403, 403, 401]),
    Row(
      route: "GET /api/v1/organisations", path: "/api/v1/organisations", own: [200, 200, 200, 401],
      other: [200, 200, 200, 401]),
    Row(
      route: "GET /api/v1/organisations/{org}", path: "/api/v1/organisations/{org}",
      own: [200, 200, 200, 401], other: [200, 404, 404, 401]),
    Row(
      route: "POST /api/v1/users", path: "/api/v1/users", body: "{}", own: [400, 403, 403, 401],
      other: [400, 403, 403, 401]),
    Row(
      route: "GET /api/v1/users", path: "/api/v1/users", own: [200, 403, 403, 401],
      other: [200, 403, 403, 401]),
    Row(
      route: "POST /api/v1/users/{user}/tokens", path: "/api/v1/users/{user}/tokens",
      body: "{\"label\":\"\"}", own: [422, 422, 422, 401], other: [422, 404, 404, 401]),
    Row(
      route: "DELETE /api/v1/tokens/{token}", path: "/api/v1/tokens/{token}",
      own: [204, 204, 204, 401], other: [204, 404, 404, 401]),
    Row(
      route: "POST /api/v1/bundles", path: "/api/v1/bundles", body: "", own: [415, 415, 403, 401],
      other: [415, 415, 403, 401]),
    Row(
      route: "GET /api/v1/bundles", path: "/api/v1/bundles", own: [200, 200, 200, 401],
      other: [200, 200, 200, 401]),
    Row(
      route: "GET /api/v1/bundles/{digest}", path: "/api/v1/bundles/{digest}",
      own: [200, 200, 200, 401], other: [200, 200, 200, 401]),
    Row(
      route: "POST /api/v1/organisations/{org}/submissions",
      path: "/api/v1/organisations/{org}/submissions", body: "{}", own: [415, 415, 415, 401],
      other: [415, 404, 404, 401]),
    Row(
      route: "GET /api/v1/organisations/{org}/submissions",
      path: "/api/v1/organisations/{org}/submissions", own: [200, 200, 200, 401],
      other: [200, 404, 404, 401]),
    Row(
      route: "GET /api/v1/submissions/{submission}", path: "/api/v1/submissions/{submission}",
      own: [200, 200, 200, 401], other: [200, 404, 404, 401]),
    Row(
      route: "POST /api/v1/submissions/{submission}/runs",
      path: "/api/v1/submissions/{submission}/runs", body: "{}", own: [400, 400, 403, 401],
      other: [400, 404, 404, 401]),
    Row(
      route: "GET /api/v1/runs/{run}", path: "/api/v1/runs/{run}", own: [200, 200, 200, 401],
      other: [200, 404, 404, 401]),
    Row(
      route: "GET /api/v1/runs/{run}/report", path: "/api/v1/runs/{run}/report",
      own: [200, 200, 200, 401], other: [200, 404, 404, 401]),
    Row(
      route: "GET /api/v1/runs/{run}/statement", path: "/api/v1/runs/{run}/statement",
      own: [200, 200, 200, 401], other: [200, 404, 404, 401]),
    Row(
      route: "GET /api/v1/compare", path: "/api/v1/compare?base={run}&head={run}",
      own: [200, 200, 200, 401], other: [200, 404, 404, 401]),
    Row(
      route: "GET /api/v1/audit", path: "/api/v1/audit", own: [200, 200, 403, 401],
      other: [200, 200, 403, 401]),
  ]

  @Test func everyRouteRoleAndOrganisation() async throws {
    let server = try await TestServer.start("matrix")
    defer { Task { await server.stop() } }
    let http = server.client
    let admin = server.adminToken

    // The table covers the router exactly.
    let data = server.data.path
    let routes = try CustodyServer(
      configuration: {
        var configuration = ServiceConfiguration(data: data, toolVersion: toolVersion)
        configuration.workers = 1
        return configuration
      }()
    ).routes.map { $0.replacingOccurrences(of: ":", with: "") }
    let normalised = Set(
      routes.map { route in
        // "{org}" and ":org" both name a capture; the router prints captures as ${name}.
        route.replacingOccurrences(of: "${", with: "{")
      }.filter { route in
        // The web pages (sessions, not tokens) have their own table: WebAuthorisationTests.
        let path = route.split(separator: " ")[1]
        return path.hasPrefix("/api/") || path == "/healthz" || path == "/metrics"
      })
    #expect(normalised == Set(Self.rows.map(\.route)), "router: \(normalised.sorted())")

    // Two organisations, each with a finished run.
    var orgs: [Int] = []
    for slug in ["org-a", "org-b"] {
      let reply = try await http.json(
        "POST", "/api/v1/organisations", token: admin, ["slug": slug, "name": slug])
      orgs.append(try #require(reply.json["id"] as? Int))
    }
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: admin, body: try cuAgainBundle(),
      contentType: "application/zip")
    let digest = try #require(bundle.json["digest"] as? String)
    var submissions: [Int] = []
    var runs: [Int] = []
    for org in orgs {
      let zip = try makeZip(try fixtureFiles("fixtures/planted/cua-4.3"))
      let reply = try await http.send(
        "POST", "/api/v1/organisations/\(org)/submissions?period=2025&bundle=\(digest)",
        token: admin, body: zip,
        contentType: "application/zip")
      submissions.append(try #require(reply.json["id"] as? Int))
      let run = try #require(((reply.json["runs"] as? [[String: Any]])?.first?["id"]) as? Int)
      _ = try await http.waitForRun(run, token: admin)
      runs.append(run)
    }
    // Users, each with a token to call with and a spare token to revoke.
    func user(_ body: [String: Any]) async throws -> (id: Int, token: String, spare: Int) {
      let created = try await http.json("POST", "/api/v1/users", token: admin, body)
      let id = try #require(created.json["id"] as? Int)
      let token = try #require(
        try await http.json("POST", "/api/v1/users/\(id)/tokens", token: admin, ["label": "main"])
          .json["token"] as? String)
      let spare = try #require(
        try await http.json("POST", "/api/v1/users/\(id)/tokens", token: admin, ["label": "spare"])
          .json["id"] as? Int)
      return (id, token, spare)
    }
    let auditor = try await user(["name": "auditor", "role": "auditor", "organisations": [orgs[0]]])
    let client = try await user(["name": "client", "role": "client", "organisation": orgs[0]])
    let bystander = try await user(["name": "bystander", "role": "client", "organisation": orgs[1]])
    let adminSpare = try #require(
      try await http.json("POST", "/api/v1/users/1/tokens", token: admin, ["label": "spare"]).json[
        "id"] as? Int)
    let callers: [(name: String, token: String?, user: Int, spare: Int)] = [
      ("admin", admin, 1, adminSpare), ("auditor", auditor.token, auditor.id, auditor.spare),
      ("client", client.token, client.id, client.spare), ("anonymous", nil, 1, adminSpare),
    ]

    var checked = 0
    for row in Self.rows {
      for (side, expected) in [("own", row.own), ("other", row.other)] {
        for (index, caller) in callers.enumerated() {
          let own = side == "own"
          var path = row.path
          path = path.replacingOccurrences(of: "{org}", with: String(orgs[own ? 0 : 1]))
          path = path.replacingOccurrences(
            of: "{submission}", with: String(submissions[own ? 0 : 1]))
          path = path.replacingOccurrences(of: "{run}", with: String(runs[own ? 0 : 1]))
          path = path.replacingOccurrences(of: "{digest}", with: digest)
          path = path.replacingOccurrences(
            of: "{user}", with: String(own ? caller.user : bystander.id))
          // The "other" token: a fresh one of the bystander's, so the admin's revocation of one
          // does not turn the next caller's 404 into a different reason.
          var tokenID = caller.spare
          if !own {
            tokenID = try #require(
              try await http.json(
                "POST", "/api/v1/users/\(bystander.id)/tokens", token: admin, ["label": "x"]
              )
              .json["id"] as? Int)
          } else if row.route.hasPrefix("DELETE"), caller.name == "anonymous" {
            tokenID = try #require(
              try await http.json("POST", "/api/v1/users/1/tokens", token: admin, ["label": "y"])
                .json["id"] as? Int)
          }
          path = path.replacingOccurrences(of: "{token}", with: String(tokenID))
          let method = String(row.route.split(separator: " ")[0])
          let reply = try await http.send(
            method, path, token: caller.token, body: row.body.map { Data($0.utf8) },
            contentType: row.body == nil ? nil : "application/json")
          #expect(
            reply.status == expected[index],
            "\(row.route) \(side) as \(caller.name): \(reply.status), expected \(expected[index]): \(reply.text.prefix(200))"
          )
          if reply.status >= 400 {
            #expect(
              reply.header("Content-Type") == "application/problem+json",
              "\(row.route) \(side) \(caller.name)")
          }
          checked += 1
        }
      }
    }
    #expect(checked == Self.rows.count * 8)

    // An unknown route and a bad token are problem documents too.
    let unknown = try await http.send("GET", "/api/v1/nothing", token: admin)
    #expect(unknown.status == 404)
    #expect(unknown.json["code"] as? String == "not-found")
    let bad = try await http.send("GET", "/api/v1/me", token: "cst_wrong")
    #expect(bad.status == 401)
    #expect(bad.json["code"] as? String == "auth.invalid-token")
  }

  /// Token attempts are rate-limited per address: after the limit, 429 with Retry-After, even
  /// for a valid token.
  @Test func failedTokenAttemptsAreRateLimited() async throws {
    let server = try await TestServer.start("ratelimit") {
      $0.attemptLimit = 5
      // An hour: on a loaded machine the five attempts must not age out of the window.
      $0.attemptWindow = 3600
    }
    defer { Task { await server.stop() } }
    let http = server.client
    for _ in 0..<5 {
      #expect(try await http.send("GET", "/api/v1/me", token: "cst_guess").status == 401)
    }
    let limited = try await http.send("GET", "/api/v1/me", token: server.adminToken)
    #expect(limited.status == 429)
    #expect(limited.json["code"] as? String == "auth.rate-limited")
    #expect(Int(limited.header("Retry-After") ?? "") ?? 0 > 0)
    // Without a token nothing is counted: probes still answer.
    #expect(try await http.send("GET", "/healthz").status == 200)
  }

  /// A revoked or expired token no longer works.
  @Test func revokedTokenStopsWorking() async throws {
    let server = try await TestServer.start("revoke")
    defer { Task { await server.stop() } }
    let http = server.client
    let created = try await http.json(
      "POST", "/api/v1/users/1/tokens", token: server.adminToken, ["label": "temp"])
    let token = try #require(created.json["token"] as? String)
    #expect(try await http.send("GET", "/api/v1/me", token: token).status == 200)
    let id = try #require(created.json["id"] as? Int)
    #expect(
      try await http.send("DELETE", "/api/v1/tokens/\(id)", token: server.adminToken).status == 204)
    #expect(try await http.send("GET", "/api/v1/me", token: token).status == 401)
    #expect(try await http.send("GET", "/api/v1/me", token: server.adminToken).status == 200)
  }
}
