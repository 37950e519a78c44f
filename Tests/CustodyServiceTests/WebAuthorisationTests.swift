import CustodyService
import Foundation
import Testing

/// The web pages' authorisation matrix: every page route x person (admin; auditor of A;
/// client of A; nobody logged in) x own (A's objects) / other (B's), with the expected status.
/// The table must name exactly the router's routes outside /api and the probes (the API's
/// own table is AuthorisationMatrixTests). Anonymous requests are sent to the login page
/// (303); an object of an organisation the person may not see is a 404 page; forms are posted
/// without a CSRF token, so a person allowed to post gets 403 and nothing changes.
@Suite struct WebAuthorisationTests {
  struct Row {
    var route: String
    var path: String
    var multipart = false
    /// admin, auditor, client, anonymous; for own and for other.
    var own: [Int]
    var other: [Int]
  }

  static let rows: [Row] = [
    Row(route: "GET /", path: "/", own: [303, 303, 303, 303], other: [303, 303, 303, 303]),
    Row(
      route: "GET /login", path: "/login", own: [303, 303, 303, 200], other: [303, 303, 303, 200]),
    Row(
      route: "POST /login", path: "/login", own: [403, 403, 403, 403],
      other: [403, 403, 403, 403]),
    Row(
      route: "POST /logout", path: "/logout", own: [403, 403, 403, 303],
      other: [403, 403, 403, 303]),
    Row(
      route: "GET /organisations", path: "/organisations", own: [200, 200, 200, 303],
      other: [200, 200, 200, 303]),
    Row(
      route: "GET /organisations/{org}", path: "/organisations/{org}", own: [200, 200, 200, 303],
      other: [200, 404, 404, 303]),
    Row(
      route: "POST /organisations/{org}/submissions", path: "/organisations/{org}/submissions",
      multipart: true, own: [403, 403, 403, 303], other: [403, 404, 404, 303]),
    Row(
      route: "GET /runs/{run}", path: "/runs/{run}", own: [200, 200, 200, 303],
      other: [200, 404, 404, 303]),
    Row(
      route: "GET /runs/{run}/report", path: "/runs/{run}/report?format=html",
      own: [200, 200, 200, 303], other: [200, 404, 404, 303]),
    Row(
      route: "GET /compare", path: "/compare?base={run}&head={run}", own: [200, 200, 200, 303],
      other: [200, 404, 404, 303]),
    Row(
      route: "GET /standards", path: "/standards", own: [200, 200, 200, 303],
      other: [200, 200, 200, 303]),
    Row(
      route: "GET /standards/diff",
      path: "/standards/diff?old={digest}&new={digest}&submission={submission}",
      own: [200, 200, 200, 303], other: [200, 404, 404, 303]),
    Row(
      route: "GET /audit", path: "/audit", own: [200, 200, 403, 303], other: [200, 200, 403, 303]),
    Row(
      route: "GET /signing-key.pub", path: "/signing-key.pub", own: [200, 200, 200, 303],
      other: [200, 200, 200, 303]),
  ]

  @Test func everyPageRoleAndOrganisation() async throws {
    let world = try await WebWorld.start("web-matrix")
    defer { Task { await world.server.stop() } }

    let pages = try CustodyServer(
      configuration: ServiceConfiguration(data: world.server.data.path, toolVersion: toolVersion)
    ).routes.map {
      $0.replacingOccurrences(of: "${", with: "{").replacingOccurrences(of: ":", with: "")
    }.filter {
      let path = $0.split(separator: " ")[1]
      return !path.hasPrefix("/api/") && path != "/healthz" && path != "/metrics"
    }
    #expect(Set(pages) == Set(Self.rows.map(\.route)), "router: \(pages.sorted())")
    #expect(pages.count == Self.rows.count)

    let browsers: [(name: String, browser: Browser)] = [
      ("admin", try await world.loggedIn("admin")),
      ("auditor", try await world.loggedIn("auditor")),
      ("client", try await world.loggedIn("client")),
      ("anonymous", world.browser()),
    ]
    var checked = 0
    for row in Self.rows {
      for (side, expected) in [("own", row.own), ("other", row.other)] {
        let own = side == "own"
        var path = row.path
        path = path.replacingOccurrences(of: "{org}", with: String(world.orgs[own ? 0 : 1]))
        path = path.replacingOccurrences(of: "{run}", with: String(world.runs[own ? 1 : 2]))
        path = path.replacingOccurrences(
          of: "{submission}", with: String(world.submissions[own ? 1 : 2]))
        path = path.replacingOccurrences(of: "{digest}", with: world.digest)
        let method = String(row.route.split(separator: " ")[0])
        for (index, caller) in browsers.enumerated() {
          let reply: HTTPClient.Reply
          if method == "GET" {
            reply = try await caller.browser.get(path)
          } else if row.multipart {
            let (body, type) = multipart(
              fields: ["period": "2025", "bundle": world.digest],
              files: [(field: "file", name: "receipts.csv", data: Data("a,b\n".utf8))])
            reply = try await caller.browser.send("POST", path, body: body, contentType: type)
          } else {
            reply = try await caller.browser.post(path, [])
          }
          #expect(
            reply.status == expected[index],
            "\(row.route) \(side) as \(caller.name): \(reply.status), expected \(expected[index]): \(reply.text.prefix(200))"
          )
          if reply.status == 303 {
            let location = reply.header("Location") ?? ""
            if caller.name == "anonymous" && row.route != "POST /login" {
              #expect(location.hasPrefix("/login?next="), "\(row.route): \(location)")
            }
          }
          checked += 1
        }
      }
    }
    #expect(checked == Self.rows.count * 8)
    // Nothing was submitted through the forms.
    let submissions = try await world.database().read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submission")
    }
    #expect(submissions == 3)
    // Every logged-in browser is still logged in: no forged logout went through.
    for (name, browser) in browsers.dropLast() {
      #expect(try await browser.get("/organisations").status == 200, "\(name)")
    }
  }
}
