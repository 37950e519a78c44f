import CustodyService
import Foundation
import GRDB
import Testing

/// Acceptance 2 of issue 21: every form rejects a missing or wrong CSRF token with 403, and
/// does nothing. The forms are the router's POST routes outside /api: the test fails when a
/// new one is not in its list.
@Suite struct WebCSRFTests {
  static let forms: Set<String> = [
    "POST /login", "POST /logout", "POST /organisations/{org}/submissions",
  ]

  @Test func everyFormRejectsAMissingOrWrongToken() async throws {
    let world = try await WebWorld.start("web-csrf", workers: 1)
    defer { Task { await world.server.stop() } }
    let a = world.orgs[0]

    let posts = try CustodyServer(
      configuration: ServiceConfiguration(data: world.server.data.path, toolVersion: toolVersion)
    ).routes.map {
      $0.replacingOccurrences(of: "${", with: "{").replacingOccurrences(of: ":", with: "")
    }
    .filter { $0.hasPrefix("POST ") && !$0.hasPrefix("POST /api/") }
    #expect(Set(posts) == Self.forms, "\(posts.sorted())")

    // Login: the double-submit cookie and the form field must both be there and agree.
    let browser = world.browser()
    let page = try await browser.get("/login")
    let token = try #require(hidden("_csrf", in: page.text))
    let credentials = [("name", "auditor"), ("password", WebWorld.password)]
    let missing = try await browser.post("/login", credentials)
    #expect(missing.status == 403, "\(missing.text.prefix(300))")
    #expect(missing.text.contains("<code>web.csrf</code>"))
    let wrong = try await browser.post("/login", [("_csrf", token + "x")] + credentials)
    #expect(wrong.status == 403)
    let noCookie = world.browser()
    let stolen = try await noCookie.post("/login", [("_csrf", token)] + credentials)
    #expect(stolen.status == 403)
    #expect(browser.cookie("custody_session") == nil)
    #expect(noCookie.cookie("custody_session") == nil)
    // With both, it works.
    let good = try await browser.post("/login", [("_csrf", token)] + credentials)
    #expect(good.status == 303)

    // Logout: the session survives a forged logout.
    let csrf = try await browser.csrf()
    #expect(try await browser.post("/logout", []).status == 403)
    #expect(try await browser.post("/logout", [("_csrf", "forged")]).status == 403)
    #expect(try await browser.post("/logout", [("_csrf", "")]).status == 403)
    #expect(try await browser.get("/organisations").status == 200)
    // Another session's token is wrong too.
    let other = try await world.loggedIn("admin")
    let otherToken = try await other.csrf()
    #expect(otherToken != csrf)
    #expect(try await browser.post("/logout", [("_csrf", otherToken)]).status == 403)
    #expect(try await browser.get("/organisations").status == 200)

    // Upload: a valid upload but for the token; nothing is recorded.
    let before = try await world.database().read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submission")
    }
    let files = try fixtureFiles("fixtures/sample").map { (field: "file", name: $0.0, data: $0.1) }
    for fields in [
      ["period": "2025", "bundle": world.digest],
      ["period": "2025", "bundle": world.digest, "_csrf": "forged"],
      ["period": "2025", "bundle": world.digest, "_csrf": otherToken],
    ] {
      let (body, type) = multipart(fields: fields, files: files)
      let reply = try await browser.send(
        "POST", "/organisations/\(a)/submissions", body: body, contentType: type)
      #expect(reply.status == 403, "\(fields): \(reply.status) \(reply.text.prefix(300))")
      #expect(reply.text.contains("<code>web.csrf</code>"))
    }
    let after = try await world.database().read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submission")
    }
    #expect(after == before)
    // The right token: accepted.
    let (body, type) = multipart(
      fields: ["period": "2025", "bundle": world.digest, "_csrf": csrf], files: files)
    let accepted = try await browser.send(
      "POST", "/organisations/\(a)/submissions", body: body, contentType: type)
    #expect(accepted.status == 303, "\(accepted.text.prefix(300))")

    // And logout with the right token ends the session.
    #expect(try await browser.post("/logout", [("_csrf", csrf)]).status == 303)
    #expect(try await browser.get("/organisations").status == 303)
  }
}
