import CustodyReports
import Foundation
import GRDB
import Testing

@testable import CustodyService

/// The web pages over HTTP on loopback: login, what each page shows, uploads through the form
/// (accepted and rejected), session expiry and logout (issue 21).
@Suite struct WebPagesTests {
  /// Every page: HTML in English with one h1, the strict policy (no script may run, the one
  /// stylesheet by hash), and nothing loaded from elsewhere.
  func checkPage(_ reply: HTTPClient.Reply, _ what: String, status: Int = 200) {
    #expect(reply.status == status, "\(what): \(reply.status) \(reply.text.prefix(400))")
    #expect(reply.header("Content-Type") == "text/html; charset=utf-8", "\(what)")
    let csp = reply.header("Content-Security-Policy") ?? ""
    #expect(csp.hasPrefix("default-src 'none'; style-src 'sha256-"), "\(what): \(csp)")
    #expect(csp.contains("form-action 'self'"), "\(what)")
    let html = reply.text
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"), "\(what)")
    #expect(html.components(separatedBy: "<h1").count == 2, "\(what): one h1")
    #expect(!html.contains("<script"), "\(what)")
    for attribute in ["src=\"http", "href=\"http", "action=\"http", "url(http"] {
      #expect(!html.contains(attribute), "\(what): nothing from elsewhere (\(attribute))")
    }
    #expect(html.contains("<main id=\"main\">"), "\(what)")
  }

  @Test func pagesShowTheSubmissionStory() async throws {
    let world = try await WebWorld.start("web-pages")
    defer { Task { await world.server.stop() } }
    let (a, b) = (world.orgs[0], world.orgs[1])
    let (conformant, planted, other) = (world.runs[0], world.runs[1], world.runs[2])

    // Anonymous: every page sends to the login form, which comes back here afterwards.
    let anonymous = world.browser()
    let redirected = try await anonymous.get("/runs/\(planted)")
    #expect(redirected.status == 303)
    #expect(redirected.header("Location") == "/login?next=/runs/\(planted)")
    let loginPage = try await anonymous.get("/login?next=/runs/\(planted)")
    checkPage(loginPage, "login")
    #expect(loginPage.text.contains("<label for=\"password\">Password</label>"))
    let loginCookie = Browser.setCookies(loginPage).first { $0.hasPrefix("custody_login=") } ?? ""
    #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict"))

    // A wrong password: 401 and the form again; the right one: a session cookie.
    let wrong = try await anonymous.logIn("auditor", "not the password at all")
    checkPage(wrong, "wrong password", status: 401)
    #expect(wrong.text.contains("Wrong user name or password."))
    #expect(anonymous.cookie("custody_session") == nil)
    let auditor = world.browser()
    let login = try await auditor.logIn("auditor", WebWorld.password, next: "/runs/\(planted)")
    #expect(login.status == 303)
    #expect(login.header("Location") == "/runs/\(planted)")
    let sessionCookie =
      Browser.setCookies(login).first { $0.hasPrefix("custody_session=") } ?? ""
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
      #expect(sessionCookie.contains(attribute), "\(sessionCookie)")
    }
    #expect(!sessionCookie.contains("Secure"), "plain-HTTP loopback: no Secure")

    // Organisations: A only (the auditor's), with its latest verdict and open counts.
    let organisations = try await auditor.get("/organisations")
    checkPage(organisations, "organisations")
    #expect(organisations.text.contains("<a href=\"/organisations/\(a)\">Smelter A</a>"))
    #expect(!organisations.text.contains("Refinery B"))
    #expect(
      organisations.text.contains(
        "<span class=\"badge non_conformant\">non-conformant</span> <a href=\"/runs/\(planted)\">run \(planted)</a>"
      ))
    // The admin sees both.
    let admin = try await world.loggedIn("admin")
    let all = try await admin.get("/organisations")
    #expect(all.text.contains("Smelter A") && all.text.contains("Refinery B"))
    // Whatever people typed is shown as text, never as markup.
    let hostile = try await world.server.client.json(
      "POST", "/api/v1/organisations", token: world.server.adminToken,
      ["slug": "hostile", "name": "<img src=x onerror=\"alert(1)\"> & 'co'"])
    #expect(hostile.status == 201)
    let escaped = try await admin.get("/organisations")
    #expect(
      escaped.text.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;co&#39;"))
    #expect(!escaped.text.contains("<img"))

    // An organisation: its periods, its submissions' runs, the upload form.
    let organisation = try await auditor.get("/organisations/\(a)")
    checkPage(organisation, "organisation")
    #expect(
      organisation.text.contains(
        "<span class=\"period\">2024</span> <span class=\"badge conformant\">conformant</span>"))
    #expect(
      organisation.text.contains(
        "<span class=\"period\">2025</span> <span class=\"badge non_conformant\">non-conformant</span>"
      ))
    #expect(organisation.text.contains("<a href=\"/runs/\(conformant)\">run \(conformant)</a>"))
    #expect(organisation.text.contains("enctype=\"multipart/form-data\""))
    #expect(organisation.text.contains("<option value=\"\(world.digest)\">"))

    // The CUA-4.3 run: verdict, clause table, the non-conformity with its evidence rows and
    // finding messages, the balance chart, inputs with sha256, formats, signature.
    let run = try await auditor.get("/runs/\(planted)")
    checkPage(run, "run")
    let html = run.text
    #expect(html.contains("<p class=\"verdict non_conformant\" id=\"verdict\">NON-CONFORMANT</p>"))
    #expect(html.contains("<tr class=\"non_conformant\"><th scope=\"row\">CUA-4.3</th>"))
    #expect(html.contains("CUA-4.3 / "))
    #expect(html.contains("<table class=\"evidence\">"))
    #expect(html.contains("<p class=\"meta\">finding: "))
    #expect(html.contains("<svg class=\"chart\""))
    #expect(html.contains("role=\"img\" aria-label=\""))
    let receipts = try Data(
      contentsOf: repositoryRoot.appendingPathComponent("fixtures/planted/cua-4.3/receipts.csv"))
    #expect(html.contains(Digests.sha256Hex(receipts)))
    for format in ["json", "unsigned-json", "text", "junit", "sarif", "markdown", "csv", "html"] {
      #expect(html.contains("href=\"/runs/\(planted)/report?format=\(format)\""), "\(format)")
    }
    #expect(html.contains("custody verify run-\(planted).json --key signing.key.pub"))
    #expect(
      html.contains(
        "<option value=\"\(conformant)\">run \(conformant) · period 2024 · conformant</option>"))
    // A report download through the session, and the public key.
    // The HTML report keeps the looser policy its handler sets (inline style, data: images).
    let htmlReport = try await auditor.get("/runs/\(planted)/report?format=html")
    #expect(htmlReport.status == 200)
    #expect(
      htmlReport.header("Content-Security-Policy")
        == "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
    let report = try await auditor.get("/runs/\(planted)/report?format=json")
    #expect(report.status == 200)
    #expect(report.json["verdict"] as? String == "non_conformant")
    let key = try await auditor.get("/signing-key.pub")
    #expect(key.status == 200)
    // The page's offline instructions work as written.
    let folder = try temporaryDirectory("web-verify")
    try report.body.write(to: folder.appendingPathComponent("run-\(planted).json"))
    try key.body.write(to: folder.appendingPathComponent("signing.key.pub"))
    let verified = try runProcess(
      custodyExecutable, ["verify", "run-\(planted).json", "--key", "signing.key.pub"], cwd: folder)
    #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")

    // Compare: the conformant run against the CUA-4.3 run.
    let compare = try await auditor.get("/compare?base=\(conformant)&head=\(planted)")
    checkPage(compare, "compare")
    #expect(compare.text.contains("<h3>New (1)</h3>") || compare.text.contains("<h3>New ("))
    #expect(compare.text.contains("<th scope=\"row\">CUA-4.3</th>"))
    #expect(compare.text.contains("<h3>Fixed (0)</h3>"))

    // Standards library and the diff of the bundle with itself, with impact on a ledger.
    let standards = try await auditor.get("/standards")
    checkPage(standards, "standards")
    #expect(standards.text.contains("<td>2024-01-01</td>"))
    let diff = try await auditor.get(
      "/standards/diff?old=\(world.digest)&new=\(world.digest)&submission=\(world.submissions[1])")
    checkPage(diff, "diff")
    #expect(diff.text.contains("No changes in clauses, parameters or compiled rules."))
    #expect(diff.text.contains("<h3>Findings that appear (0)</h3>"))

    // Audit log: the auditor's organisation only; filterable; a client may not.
    let audit = try await auditor.get("/audit?action=run.done")
    checkPage(audit, "audit")
    #expect(audit.text.contains("<td><a href=\"/runs/\(planted)\">run:\(planted)</a></td>"))
    #expect(audit.text.contains("verdict: non_conformant<br>"))
    #expect(!audit.text.contains("run:\(other)<"))
    #expect(!audit.text.contains("<td>session.login</td>"))
    let adminAudit = try await admin.get("/audit?action=session.login&actor=auditor")
    #expect(adminAudit.text.contains("<td>session.login</td>"))
    #expect(adminAudit.text.contains("1 entry shown"))
    for bad in ["2026-99-01", "2026-02-30", "yesterday"] {
      checkPage(try await admin.get("/audit?from=\(bad)"), "bad date \(bad)", status: 400)
    }
    let dated = try await admin.get("/audit?from=2000-01-01&to=2000-12-31")
    #expect(dated.text.contains("0 entries shown"))

    // A client of B: 404 for everything of A, even knowing the ids.
    let bystander = try await world.loggedIn("bystander")
    for path in [
      "/runs/\(planted)", "/runs/\(planted)/report?format=json", "/organisations/\(a)",
      "/compare?base=\(conformant)&head=\(planted)",
    ] {
      let reply = try await bystander.get(path)
      checkPage(reply, "bystander \(path)", status: 404)
      #expect(!reply.text.contains("Smelter A"), "\(path)")
    }
    #expect(try await bystander.get("/runs/\(other)").status == 200)
    #expect(try await bystander.get("/organisations/\(b)").status == 200)
    checkPage(try await bystander.get("/audit"), "client audit", status: 403)

    // `next` only ever names a path of this site.
    for next in ["//elsewhere.example/x", "https://elsewhere.example/", "/\\elsewhere"] {
      let reply = try await world.browser().logIn("auditor", WebWorld.password, next: next)
      #expect(reply.header("Location") == "/organisations", "\(next)")
    }
  }

  @Test func uploadFormAcceptsAndRejects() async throws {
    let hold = FileManager.default.temporaryDirectory.appendingPathComponent(
      "web-hold-\(UUID().uuidString)")
    let world = try await WebWorld.start("web-upload", workers: 1, holdRunsWhile: hold.path)
    defer { Task { await world.server.stop() } }
    let a = world.orgs[0]
    let client = try await world.loggedIn("client")
    let page = try await client.get("/organisations/\(a)")
    let csrf = try #require(hidden("_csrf", in: page.text))
    func upload(_ fields: [String: String], _ files: [(field: String, name: String, data: Data)])
      async throws -> HTTPClient.Reply
    {
      let (body, type) = multipart(fields: fields, files: files)
      return try await client.send(
        "POST", "/organisations/\(a)/submissions", body: body, contentType: type)
    }
    let ledger = try fixtureFiles("fixtures/planted/cua-4.3").map {
      (field: "file", name: $0.0, data: $0.1)
    }
    let emptyProfile = (field: "profile", name: "", data: Data())

    // Accepted: a redirect to the new run's page, which reloads itself while the run waits.
    FileManager.default.createFile(atPath: hold.path, contents: nil)
    let accepted = try await upload(
      ["_csrf": csrf, "period": "2025-Q4", "bundle": world.digest, "note": "from the form"],
      ledger + [emptyProfile])
    #expect(accepted.status == 303, "\(accepted.text.prefix(400))")
    let location = try #require(accepted.header("Location"))
    #expect(location.hasPrefix("/runs/"))
    let waiting = try await client.get(location)
    #expect(waiting.status == 200)
    #expect(waiting.text.contains("<meta http-equiv=\"refresh\" content=\"2\">"))
    #expect(waiting.text.contains("The page reloads every 2 seconds until it is done."))
    #expect(!waiting.text.contains("id=\"verdict\""))
    try FileManager.default.removeItem(at: hold)
    // One zip instead of the files: accepted too.
    let zipped = try await upload(
      ["_csrf": csrf, "period": "2025-Q3", "bundle": world.digest],
      [(field: "file", name: "ledger.zip", data: try makeZip(try fixtureFiles("fixtures/sample")))])
    #expect(zipped.status == 303, "\(zipped.text.prefix(400))")

    // Rejected: each an error page with the API's code and a way back to the form.
    let cases:
      [(
        fields: [String: String], files: [(field: String, name: String, data: Data)], status: Int,
        code: String
      )] = [
        (
          ["_csrf": csrf, "period": "2025-Q5", "bundle": world.digest], ledger, 422,
          "submission.invalid-period"
        ),
        (
          ["_csrf": csrf, "period": "2025", "bundle": String(repeating: "0", count: 64)], ledger,
          422, "submission.unknown-bundle"
        ),
        (
          ["_csrf": csrf, "period": "2025", "bundle": world.digest],
          [(field: "file", name: "", data: Data())], 422, "submission.no-files"
        ),
        (
          ["_csrf": csrf, "period": "2025", "bundle": world.digest],
          [(field: "file", name: "bad.zip", data: try makeZip([("../x.csv", Data("a".utf8))]))],
          400, "upload.path-traversal"
        ),
        (
          ["_csrf": csrf, "period": "2025", "bundle": world.digest, "extra": "x"], ledger, 400,
          "upload.multipart"
        ),
        (
          ["_csrf": csrf, "period": "2025", "bundle": world.digest, "previousRun": "999999"],
          ledger, 422, "submission.unknown-previous-run"
        ),
      ]
    for item in cases {
      let reply = try await upload(item.fields, item.files)
      #expect(
        reply.status == item.status, "\(item.code): \(reply.status) \(reply.text.prefix(500))")
      #expect(reply.header("Content-Type") == "text/html; charset=utf-8")
      #expect(
        reply.text.contains("<code>\(item.code)</code>"), "\(item.code): \(reply.text.prefix(800))")
      #expect(reply.text.contains("The upload was rejected: "), "\(item.code)")
      #expect(
        reply.text.contains("<a href=\"/organisations/\(a)#upload\">Back to the upload form</a>"))
    }
    // Nothing of the rejected uploads was recorded: the two accepted ones only.
    let count = try await world.database().read { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM submission WHERE organisation_id = ?", arguments: [a])
    }
    #expect(count == 4)

    // The accepted run finishes; its page stops reloading once done.
    let runID = try #require(Int(location.dropFirst("/runs/".count)))
    _ = try await world.server.client.waitForRun(runID, token: world.server.adminToken)
    let done = try await client.get(location)
    #expect(done.status == 200)
    #expect(!done.text.contains("http-equiv=\"refresh\""))
    #expect(done.text.contains("<dd>2025-Q4 (submission "))

    // A finished run is offered as the next submission's opening balances, and taken.
    let form = try await client.get("/organisations/\(a)")
    #expect(form.text.contains("<option value=\"\(runID)\">run \(runID) · 2025-Q4 · "))
    let next = try await upload(
      ["_csrf": csrf, "period": "2026-Q1", "bundle": world.digest, "previousRun": String(runID)],
      ledger)
    #expect(next.status == 303, "\(next.text.prefix(400))")
    let previous = try await world.database().read { db in
      try Int.fetchOne(
        db, sql: "SELECT previous_run_id FROM submission WHERE organisation_id = ? AND period = ?",
        arguments: [a, "2026-Q1"])
    }
    #expect(previous == runID)
    let nextRun = try #require(next.header("Location"))
    let nextPage = try await client.get(nextRun)
    #expect(
      nextPage.text.contains(
        "<dt>Opening balances</dt><dd>from the signed report of <a href=\"/runs/\(runID)\">run \(runID)</a>"
      ))
    #expect(!done.text.contains("<dt>Opening balances</dt>"))
  }

  @Test func sessionsExpireAndLogOut() async throws {
    let world = try await WebWorld.start("web-sessions", workers: 1)
    defer { Task { await world.server.stop() } }
    let database = try world.database()

    // Past its absolute lifetime: back to the login page.
    let first = try await world.loggedIn("auditor")
    #expect(try await first.get("/organisations").status == 200)
    try await database.write { db in
      try db.execute(sql: "UPDATE web_session SET expires_at = '2000-01-01T00:00:00.000Z'")
    }
    let expired = try await first.get("/organisations")
    #expect(expired.status == 303)
    #expect(expired.header("Location") == "/login?next=/organisations")

    // Idle for longer than 30 minutes: the same.
    let second = try await world.loggedIn("auditor")
    #expect(try await second.get("/organisations").status == 200)
    let idle = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-31 * 60))
    try await database.write { db in
      try db.execute(
        sql: "UPDATE web_session SET last_seen_at = ? WHERE ended_at IS NULL", arguments: [idle])
    }
    #expect(try await second.get("/organisations").status == 303)

    // Logout ends the session on the server: the old cookie no longer works.
    let third = try await world.loggedIn("client")
    let cookie = try #require(third.cookie("custody_session"))
    let csrf = try await third.csrf()
    let out = try await third.post("/logout", [("_csrf", csrf)])
    #expect(out.status == 303)
    #expect(out.header("Location") == "/login")
    #expect(third.cookie("custody_session") == nil)
    let replay = world.browser()
    replay.cookies = ["custody_session": cookie]
    #expect(try await replay.get("/organisations").status == 303)

    // A new password ends the user's sessions; the old password stops working.
    let fourth = try await world.loggedIn("client")
    try ServiceSetup.setPassword(
      data: world.server.data.path, user: "client", password: "another long password", cost: 4)
    #expect(try await fourth.get("/organisations").status == 303)
    #expect(try await world.browser().logIn("client", WebWorld.password).status == 401)
    #expect(try await world.browser().logIn("client", "another long password").status == 303)

    // Passwords outside 12...72 bytes are refused; an unknown user too.
    #expect(throws: ServiceSetupError.self) {
      try ServiceSetup.setPassword(data: world.server.data.path, user: "client", password: "short")
    }
    #expect(throws: ServiceSetupError.self) {
      try ServiceSetup.setPassword(
        data: world.server.data.path, user: "nobody", password: "long enough password")
    }
    // The audit log has the logins, the logout and the password changes.
    let actions = try await database.read { db in
      try String.fetchAll(
        db,
        sql: "SELECT action FROM audit WHERE action LIKE 'session.%' OR action = 'user.password'")
    }
    #expect(actions.filter { $0 == "session.login" }.count == 5)
    #expect(actions.filter { $0 == "session.logout" }.count == 1)
    #expect(actions.filter { $0 == "user.password" }.count == 5)
    // The API tokens are untouched by all this.
    #expect(
      try await world.server.client.send("GET", "/api/v1/me", token: world.server.adminToken)
        .status == 200)

    // Password guessing: failed logins count against the address's limit (20 a minute, one
    // failure above), then even the right password gets the 429 page with Retry-After.
    let guesser = world.browser()
    var statuses: [Int] = []
    for _ in 0..<20 {
      statuses.append(try await guesser.logIn("client", "a wrong guess \(statuses.count)").status)
    }
    #expect(statuses == Array(repeating: 401, count: 19) + [429])
    let limited = try await guesser.logIn("client", "another long password")
    checkPage(limited, "rate-limited login", status: 429)
    #expect(Int(limited.header("Retry-After") ?? "") ?? 0 > 0)
    #expect(limited.text.contains("<code>auth.rate-limited</code>"))
  }

  /// The periods' arithmetic behind the timeline and the overdue list.
  @Test func overduePeriods() throws {
    let today = ISO8601DateFormatter().date(from: "2026-12-03T00:00:00Z")!
    // Quarterly since 2025-Q1, last 2025-Q3: Q4 2025 to Q2 2026 are past due (Q3 2026 ends
    // on 30 September, due on 29 December).
    let quarterly = ReportingPeriodProbe.timeline(
      [("2025-Q1", "2025-04-10"), ("2025-Q3", "2025-10-10")], today: today)
    #expect(quarterly.overdue == ["2025-Q2", "2025-Q4", "2026-Q1", "2026-Q2"])
    #expect(
      quarterly.periods == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"])
    // Yearly 2024 and 2025: 2026 has not ended, nothing overdue.
    let yearly = ReportingPeriodProbe.timeline(
      [("2024", "2025-02-01"), ("2025", "2026-02-01")], today: today)
    #expect(yearly.overdue == [])
    // Monthly, one submission for 2026-08: September is overdue from 30 December only.
    let monthly = ReportingPeriodProbe.timeline([("2026-08", "2026-09-05")], today: today)
    #expect(monthly.overdue == [])
    let later = ISO8601DateFormatter().date(from: "2026-12-30T00:00:00Z")!
    #expect(
      ReportingPeriodProbe.timeline([("2026-08", "2026-09-05")], today: later).overdue == [
        "2026-09"
      ])
    // A period that does not parse is left out, never a crash.
    #expect(ReportingPeriodProbe.timeline([("20x5", "2026-01-01")], today: today).periods == [])
  }
}

/// ReportingPeriod.timeline with labels in and out.
enum ReportingPeriodProbe {
  static func timeline(_ submitted: [(String, String)], today: Date) -> (
    periods: [String], overdue: [String]
  ) {
    let result = ReportingPeriod.timeline(
      submitted: submitted.map { (period: $0.0, at: $0.1) }, today: today)
    return (result.periods.map(\.label), result.overdue.map(\.label))
  }
}
