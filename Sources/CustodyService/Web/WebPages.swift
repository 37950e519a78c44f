import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore

/// The web pages (issue 21): server-rendered HTML on the same store and the same authorisation
/// as the API. A person logs in with a password (a session cookie); every page checks role and
/// organisation as the API does, and an object of an organisation the person may not see is a
/// 404 page. Every POST form carries the session's CSRF token (the login form a double-submit
/// cookie's); GET forms only filter what is shown.
struct WebPages: Sendable {
  let state: ServiceState
  let api: API
  var database: DatabasePool { state.database }

  static func register(on router: Router<ServiceRequestContext>, state: ServiceState, api: API) {
    let pages = WebPages(state: state, api: api)
    let web = router.group().add(middleware: WebErrorMiddleware(state: state))
    web.get("/", use: pages.home)
    web.get("/login", use: pages.loginPage)
    web.post("/login", use: pages.login)
    web.post("/logout", use: pages.logout)
    web.get("/organisations", use: pages.organisations)
    web.get("/organisations/{org}", use: pages.organisation)
    web.post("/organisations/{org}/submissions", use: pages.upload)
    web.get("/runs/{run}", use: pages.run)
    web.get("/runs/{run}/report", use: pages.report)
    web.get("/compare", use: pages.compare)
    web.get("/standards", use: pages.standards)
    web.get("/standards/diff", use: pages.diff)
    web.get("/audit", use: pages.audit)
    web.get("/signing-key.pub", use: pages.publicKey)
  }

  // MARK: sessions

  /// The logged-in person, or a redirect to the login page (back here afterwards).
  func session(_ request: Request) async throws -> WebSessions.Session {
    guard let session = try await WebSessions.current(request, database: database) else {
      throw WebLoginRequired(next: request.method == .get ? request.uri.description : "/")
    }
    return session
  }

  func checkCSRF(_ provided: String?, _ session: WebSessions.Session) throws {
    guard let provided, !provided.isEmpty, WebSessions.same(provided, session.csrf) else {
      throw WebError(
        .forbidden, code: "web.csrf",
        detail: "The form's security token is missing or wrong. Reload the page and try again.")
    }
  }

  func render(
    _ template: String, _ view: Any, title: String, session: WebSessions.Session?,
    section: WebSection, status: HTTPResponse.Status = .ok, refresh: Int? = nil
  ) -> Response {
    WebRender.page(
      template, view, title: title, session: session, section: section,
      version: state.configuration.toolVersion, status: status, refresh: refresh)
  }

  @Sendable func home(_ request: Request, context: ServiceRequestContext) async throws -> Response {
    _ = try await session(request)
    return WebRender.redirect("/organisations")
  }

  /// Only same-site paths: `next` never sends a person elsewhere.
  static func safeNext(_ next: String?) -> String {
    guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
      next.count <= 2000
    else { return "/organisations" }
    return next
  }

  struct LoginView {
    var csrf: String
    var next: String
    var name: String
    var message: String?
  }

  @Sendable func loginPage(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let next = Self.safeNext(request.uri.queryParameters.get("next"))
    if try await WebSessions.current(request, database: database) != nil {
      return WebRender.redirect(next)
    }
    return loginForm(request, next: next, name: "", message: nil, status: .ok)
  }

  func loginForm(
    _ request: Request, next: String, name: String, message: String?,
    status: HTTPResponse.Status
  ) -> Response {
    let token = WebSessions.randomToken()
    var response = render(
      "login", LoginView(csrf: token, next: next, name: name, message: message), title: "Log in",
      session: nil, section: .none, status: status)
    response.setCookie(WebSessions.loginCookie(token, request: request, maxAge: 3600))
    return response
  }

  @Sendable func login(_ request: Request, context: ServiceRequestContext) async throws -> Response
  {
    let form = WebForm.urlencoded(try await request.body.collect(upTo: 64 << 10))
    let cookie = request.cookies[WebSessions.loginCookieName]?.value
    guard let cookie, !cookie.isEmpty, let token = form["_csrf"], !token.isEmpty,
      WebSessions.same(cookie, token)
    else {
      throw WebError(
        .forbidden, code: "web.csrf",
        detail: "The form's security token is missing or wrong. Reload the page and try again.",
        back: "/login", backLabel: "the login page")
    }
    let next = Self.safeNext(form["next"])
    let name = form["name"] ?? ""
    if let seconds = state.limiter.retryAfter(context.peer) {
      var problem = Problem(
        .tooManyRequests, code: "auth.rate-limited",
        detail: "Too many failed attempts from this address; try again in \(seconds) s.")
      problem.headers[.retryAfter] = String(seconds)
      throw problem
    }
    guard name.count <= 100, let password = form["password"], password.utf8.count <= 200,
      let value = try await WebSessions.login(database, name: name, password: password)
    else {
      state.limiter.recordFailure(context.peer)
      return loginForm(
        request, next: next, name: String(name.prefix(100)),
        message: "Wrong user name or password.", status: .unauthorized)
    }
    var response = WebRender.redirect(next)
    response.setCookie(
      WebSessions.sessionCookie(value, request: request, maxAge: Int(WebSessions.lifetime)))
    response.setCookie(WebSessions.loginCookie("", request: request, maxAge: 0))
    return response
  }

  @Sendable func logout(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    let form = WebForm.urlencoded(try await request.body.collect(upTo: 64 << 10))
    try checkCSRF(form["_csrf"], session)
    try await WebSessions.logout(database, session: session)
    var response = WebRender.redirect("/login")
    response.setCookie(WebSessions.sessionCookie("", request: request, maxAge: 0))
    return response
  }

  // MARK: organisations

  struct OrganisationRow {
    var id: Int64
    var name: String
    var slug: String
    var verdict: String?
    var verdictLabel: String?
    var latestRun: Int64?
    var major: Int
    var minor: Int
    var observation: Int
    var lastSubmission: String?
    var overdue: [String]
  }

  /// The latest finished run of an organisation and its submissions' periods.
  static func organisationSummary(_ db: Database, _ row: Row, today: Date) throws
    -> OrganisationRow
  {
    let id: Int64 = row["id"]
    let latest = try Row.fetchOne(
      db,
      sql: RunResource.select
        + " WHERE submission.organisation_id = ? AND run.status = 'done' ORDER BY run.id DESC LIMIT 1",
      arguments: [id]
    ).map(RunResource.init)
    let submitted = try Row.fetchAll(
      db, sql: "SELECT period, created_at FROM submission WHERE organisation_id = ?",
      arguments: [id]
    ).map { (period: $0["period"] as String, at: $0["created_at"] as String) }
    let overdue = ReportingPeriod.timeline(submitted: submitted, today: today).overdue
    return OrganisationRow(
      id: id, name: row["name"], slug: row["slug"], verdict: latest?.verdict,
      verdictLabel: WebLabels.verdict(latest?.verdict), latestRun: latest?.id,
      major: latest?.counts?.major ?? 0, minor: latest?.counts?.minor ?? 0,
      observation: latest?.counts?.observation ?? 0,
      lastSubmission: WebLabels.time(submitted.map(\.at).max()),
      overdue: overdue.map(\.label))
  }

  struct OrganisationsView {
    var rows: [OrganisationRow]
    var hasRows: Bool
  }

  @Sendable func organisations(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    let principal = session.principal
    let today = Date()
    let rows = try await database.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM organisation ORDER BY name, id")
        .filter { principal.canSee(organisation: $0["id"]) }
        .map { try Self.organisationSummary(db, $0, today: today) }
    }
    return render(
      "organisations", OrganisationsView(rows: rows, hasRows: !rows.isEmpty),
      title: "Organisations", session: session, section: .organisations)
  }

  /// `{org}`: 404 unless the person may see it.
  func organisationRow(_ context: ServiceRequestContext, _ principal: Principal) async throws
    -> Row
  {
    let id = try api.organisationParameter(context, principal)
    let row = try await database.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM organisation WHERE id = ?", arguments: [id])
    }
    guard let row else { throw Problem.notFound("organisation") }
    return row
  }

  struct OrganisationView {
    struct Period {
      var period: String
      var state: String
      var stateLabel: String
      var submissions: [Int64]
    }
    struct Submission {
      var id: Int64
      var period: String
      var createdAt: String?
      var note: String?
      var fileCount: Int
      var profile: Bool
      var runs: [RunRow]
    }
    struct RunRow {
      var id: Int64
      var standard: String
      var status: String
      var verdict: String?
      var verdictLabel: String?
      var error: String?
      var major: Int?
      var minor: Int?
      var observation: Int?
      var findings: Int?
      var finishedAt: String?
    }
    struct BundleOption {
      var digest: String
      var label: String
    }
    /// A finished run whose signed report can open the new submission's balances.
    struct PreviousRunOption {
      var id: Int64
      var label: String
    }
    var id: Int64
    var name: String
    var slug: String
    var timeline: [Period]
    var submissions: [Submission]
    var bundles: [BundleOption]
    var previousRuns: [PreviousRunOption]
    var hasBundles: Bool
    var csrf: String
    var suggestedPeriod: String
  }

  /// Bundle digest -> "title version" for every stored bundle, newest last.
  static func bundleLabels(_ db: Database) throws -> [(digest: String, label: String)] {
    try Row.fetchAll(db, sql: "SELECT * FROM bundle ORDER BY rowid").map { row in
      let bundle = BundleResource(row)
      return (
        bundle.digest,
        "\(bundle.title) \(bundle.version)"
          + (bundle.effectiveFrom.map { " (effective \($0))" } ?? "")
          + " · \(bundle.digest.prefix(12))"
      )
    }
  }

  @Sendable func organisation(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    let row = try await organisationRow(context, session.principal)
    let id: Int64 = row["id"]
    let today = Date()
    let (submissions, bundles) = try await database.read { db in
      (
        try Int64.fetchAll(
          db, sql: "SELECT id FROM submission WHERE organisation_id = ? ORDER BY id DESC",
          arguments: [id]
        ).compactMap { try API.submission(db, id: $0) },
        try Self.bundleLabels(db)
      )
    }
    let bundleLabel = Dictionary(
      bundles.map { ($0.digest, $0.label) }, uniquingKeysWith: { a, _ in a })
    let timeline = ReportingPeriod.timeline(
      submitted: submissions.map { ($0.period, $0.createdAt) }, today: today)
    let overdue = Set(timeline.overdue)
    let periods = timeline.periods.map { period -> OrganisationView.Period in
      let ofPeriod = submissions.filter { ReportingPeriod($0.period) == period }
      // The verdict of the period's latest finished run.
      let latest = ofPeriod.flatMap(\.runs).filter { $0.status == "done" }.max { $0.id < $1.id }
      let state: String
      let label: String
      if let verdict = latest?.verdict {
        state = verdict
        label = WebLabels.verdict(verdict) ?? verdict
      } else if !ofPeriod.isEmpty {
        state = "pending"
        label = "no finished run"
      } else if overdue.contains(period) {
        state = "overdue"
        label = "overdue"
      } else {
        state = "not-due"
        label = "not yet due"
      }
      return .init(
        period: period.label, state: state, stateLabel: label, submissions: ofPeriod.map(\.id))
    }
    let view = OrganisationView(
      id: id, name: row["name"], slug: row["slug"], timeline: periods,
      submissions: submissions.map { submission in
        .init(
          id: submission.id, period: submission.period,
          createdAt: WebLabels.time(submission.createdAt),
          note: submission.note.isEmpty ? nil : submission.note, fileCount: submission.files.count,
          profile: submission.profileSha256 != nil,
          runs: submission.runs.map { run in
            .init(
              id: run.id, standard: bundleLabel[run.bundle] ?? String(run.bundle.prefix(12)),
              status: run.status, verdict: run.verdict,
              verdictLabel: WebLabels.verdict(run.verdict),
              error: run.error.map { String($0.prefix(300)) }, major: run.counts?.major,
              minor: run.counts?.minor, observation: run.counts?.observation,
              findings: run.counts?.findings, finishedAt: WebLabels.time(run.finishedAt))
          })
      },
      bundles: bundles.reversed().map { .init(digest: $0.digest, label: $0.label) },
      previousRuns: submissions.flatMap { submission in
        submission.runs.filter { $0.status == "done" }.map {
          run -> OrganisationView.PreviousRunOption in
          let verdict: String = WebLabels.verdict(run.verdict) ?? run.verdict ?? ""
          let standard: String = bundleLabel[run.bundle] ?? String(run.bundle.prefix(12))
          return .init(
            id: run.id, label: "run \(run.id) · \(submission.period) · \(verdict) · \(standard)")
        }
      },
      hasBundles: !bundles.isEmpty, csrf: session.csrf,
      suggestedPeriod: String(
        ReportingPeriod.calendar.component(.year, from: today) - 1))
    return render(
      "organisation", view, title: row["name"], session: session, section: .organisations)
  }

  /// POST /organisations/{org}/submissions: the upload form. Files (or one zip), an optional
  /// profile, period, standard and note, as the API's multipart upload takes them; every
  /// rejection is an error page with the API's code and a way back to the form.
  @Sendable func upload(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    let principal = session.principal
    let organisation = try api.organisationParameter(context, principal)
    let back = "/organisations/\(organisation)#upload"
    do {
      let contentType = request.headers[.contentType] ?? ""
      guard contentType.lowercased().hasPrefix("multipart/form-data") else {
        throw WebError(
          .unsupportedMediaType, code: "upload.media-type",
          detail: "The upload form sends multipart/form-data.")
      }
      let limits = state.configuration.limits
      let body = Data(buffer: try await request.body.collect(upTo: limits.maxBodyBytes))
      let parts = try await offload {
        try WebForm.multipart(body, contentType: contentType, limits: limits)
      }
      try checkCSRF(
        parts.first { $0.name == "_csrf" }.map { String(decoding: $0.data, as: UTF8.self) },
        session)
      var upload = API.SubmissionUpload()
      var files: [UploadedFile] = []
      for part in parts {
        let text = String(decoding: part.data, as: UTF8.self)
        switch part.name {
        case "_csrf": break
        case "period": upload.period = text.trimmingCharacters(in: .whitespaces)
        case "bundle": upload.bundle = text
        case "note": upload.note = text
        case "previousRun": upload.previousRun = text
        case "profile":
          // A file input left empty still sends a part, without a file name or bytes.
          if let name = part.filename, !name.isEmpty, !part.data.isEmpty {
            upload.profile = part.data
          }
        case "file":
          guard let name = part.filename, !name.isEmpty else { continue }
          // Browsers send the base name; a path would be refused as the API refuses it.
          files.append(UploadedFile(name: try Archives.checkedPath(name), data: part.data))
        default:
          throw WebError(
            .badRequest, code: "upload.multipart", detail: "unexpected form field '\(part.name)'")
        }
      }
      if files.count == 1, files[0].name.lowercased().hasSuffix(".zip") {
        let archive = files[0].data
        files = API.stripCommonFolder(
          try await offload { try Archives.read(archive, limits: limits) })
      }
      upload.files = files
      let id = try await api.acceptSubmission(
        upload, organisation: organisation, principal: principal, bodyBytes: body.count)
      let run = try await database.read { db in
        try Int64.fetchOne(
          db, sql: "SELECT id FROM run WHERE submission_id = ? ORDER BY id LIMIT 1", arguments: [id]
        )
      }
      return WebRender.redirect(run.map { "/runs/\($0)" } ?? back)
    } catch let error as WebError where error.code == "web.csrf" {
      throw error
    } catch {
      var page = WebError(error, back: back, backLabel: "the upload form")
      if page.status.code < 500 { page.detail = "The upload was rejected: " + page.detail }
      throw page
    }
  }

  /// GET /signing-key.pub: the public half of the service's signing key, for `custody verify`.
  @Sendable func publicKey(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    _ = try await session(request)
    let url = state.directory.publicKey
    let data = try await offload { try Data(contentsOf: url) }
    return Response(
      status: .ok,
      headers: [
        .contentType: "text/plain; charset=utf-8",
        .contentDisposition: "attachment; filename=\"signing.key.pub\"",
      ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  /// GET /runs/{run}/report?format=F: the API's report download, for a logged-in person.
  @Sendable func report(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    var context = context
    context.identity = session.principal
    return try await api.getReport(request, context: context)
  }
}
