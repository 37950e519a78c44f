import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore

// MARK: Resources as served (camelCase, like the report).

struct OrganisationResource: Codable, Sendable {
  var id: Int64
  var slug: String
  var name: String
  var createdAt: String
  init(_ row: Row) {
    id = row["id"]
    slug = row["slug"]
    name = row["name"]
    createdAt = row["created_at"]
  }
}

struct UserResource: Codable, Sendable {
  var id: Int64
  var name: String
  var role: String
  var organisation: Int64?
  var organisations: [Int64]?
  var createdAt: String
}

struct TokenResource: Codable, Sendable {
  var id: Int64
  var user: Int64
  var label: String
  var createdAt: String
  var expiresAt: String?
  /// Only in the response that created it; never stored in clear.
  var token: String?
}

struct BundleResource: Codable, Sendable {
  var digest: String
  var entry: String
  var standard: String
  var title: String
  var version: String
  var effectiveFrom: String?
  var standardSha256: String
  var graphSha256: String
  var archiveSha256: String
  var files: Int
  var createdAt: String
  init(_ row: Row) {
    digest = row["digest"]
    entry = row["entry"]
    standard = row["standard_id"]
    title = row["title"]
    version = row["version"]
    effectiveFrom = row["effective_from"]
    standardSha256 = row["standard_sha256"]
    graphSha256 = row["graph_sha256"]
    archiveSha256 = row["archive_sha256"]
    files = row["files"]
    createdAt = row["created_at"]
  }
}

struct FileResource: Codable, Sendable {
  var name: String
  var sha256: String
  var size: Int
}

struct RunResource: Codable, Sendable {
  var id: Int64
  var submission: Int64
  var organisation: Int64
  var bundle: String
  var status: String
  var attempts: Int
  var createdAt: String
  var startedAt: String?
  var finishedAt: String?
  var verdict: String?
  var counts: Counts?
  var error: String?
  var reportSha256: String?
  var signedReportSha256: String?

  struct Counts: Codable, Sendable {
    var major: Int
    var minor: Int
    var observation: Int
    var findings: Int
  }

  init(_ row: Row) {
    id = row["id"]
    submission = row["submission_id"]
    organisation = row["organisation_id"]
    bundle = row["bundle_digest"]
    status = row["status"]
    attempts = row["attempts"]
    createdAt = row["created_at"]
    startedAt = row["started_at"]
    finishedAt = row["finished_at"]
    verdict = row["verdict"]
    if let major: Int = row["major"] {
      counts = Counts(
        major: major, minor: row["minor"], observation: row["observation"],
        findings: row["findings"])
    }
    error = row["error"]
    reportSha256 = row["report_sha256"]
    signedReportSha256 = row["signed_sha256"]
  }

  static let select = """
    SELECT run.*, submission.organisation_id FROM run
    JOIN submission ON submission.id = run.submission_id
    """
}

struct SubmissionResource: Codable, Sendable {
  var id: Int64
  var organisation: Int64
  var period: String
  var note: String
  var profileSha256: String?
  var manifestSha256: String
  var createdAt: String
  /// The run whose signed report opened this period's balances (`previousRun` on upload).
  var previousRun: Int64?
  var files: [FileResource]
  var runs: [RunResource]
}

struct AuditResource: Codable, Sendable {
  var id: Int64
  var at: String
  var actor: String
  var action: String
  var object: String
  var organisation: Int64?
  var details: [String: String]
  var prevHash: String
  var hash: String
}

/// The /api/v1 handlers. Every handler starts by resolving the principal and checking its role
/// and organisation; an object of an organisation the principal may not see is a 404.
struct API: Sendable {
  let state: ServiceState
  var database: DatabasePool { state.database }

  // MARK: me, organisations

  @Sendable func me(_ request: Request, context: ServiceRequestContext) async throws -> Response {
    let principal = try context.principal()
    return try JSON.response(
      UserResource(
        id: principal.userID, name: principal.name, role: principal.role.rawValue,
        organisation: principal.organisation,
        organisations: principal.role == .auditor ? principal.assigned.sorted() : nil, createdAt: ""
      ))
  }

  struct NewOrganisation: Decodable {
    var slug: String
    var name: String
  }

  @Sendable func createOrganisation(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.require(.admin)
    let body = try await JSON.decode(NewOrganisation.self, from: request)
    guard body.slug.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil
    else {
      throw Problem(
        .unprocessableContent, code: "organisation.invalid-slug",
        detail: "slug must be 1-63 lowercase letters, digits or '-'")
    }
    guard !body.name.isEmpty, body.name.count <= 200 else {
      throw Problem(
        .unprocessableContent, code: "organisation.invalid-name",
        detail: "name must be 1-200 characters")
    }
    let resource = try await database.write { db -> OrganisationResource in
      if try Bool.fetchOne(
        db, sql: "SELECT 1 FROM organisation WHERE slug = ?", arguments: [body.slug]) != nil
      {
        throw Problem(
          .conflict, code: "organisation.exists", detail: "slug '\(body.slug)' is taken")
      }
      try db.execute(
        sql: "INSERT INTO organisation (slug, name, created_at) VALUES (?, ?, ?)",
        arguments: [body.slug, body.name, Clock.now()])
      let id = db.lastInsertedRowID
      try AuditLog.append(
        db, actor: principal.actor, action: "organisation.create", object: "organisation:\(id)",
        organisation: id, details: ["slug": body.slug, "name": body.name])
      return OrganisationResource(
        try Row.fetchOne(db, sql: "SELECT * FROM organisation WHERE id = ?", arguments: [id])!)
    }
    return try JSON.response(resource, status: .created)
  }

  @Sendable func listOrganisations(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let page = try Page(request)
    let items = try await database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM organisation WHERE id > ? ORDER BY id LIMIT ?",
        arguments: [page.after, 10_000]
      ).map(OrganisationResource.init).filter { principal.canSee(organisation: $0.id) }
    }
    return try JSON.response(
      Listing(items: Array(items.prefix(page.limit)), limit: page.limit) { $0.id })
  }

  @Sendable func getOrganisation(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let id = try organisationParameter(context, principal)
    let resource = try await database.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM organisation WHERE id = ?", arguments: [id]).map(
        OrganisationResource.init)
    }
    guard let resource else { throw Problem.notFound("organisation") }
    return try JSON.response(resource)
  }

  /// The `{org}` parameter, 404 unless the principal may see it.
  func organisationParameter(_ context: ServiceRequestContext, _ principal: Principal) throws
    -> Int64
  {
    guard let id = context.parameters.get("org", as: Int64.self), principal.canSee(organisation: id)
    else { throw Problem.notFound("organisation") }
    return id
  }

  // MARK: users and tokens

  struct NewUser: Decodable {
    var name: String
    var role: Principal.Role
    var organisation: Int64?
    var organisations: [Int64]?
  }

  @Sendable func createUser(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.require(.admin)
    let body = try await JSON.decode(NewUser.self, from: request)
    guard body.name.range(of: "^[A-Za-z0-9._@-]{1,100}$", options: .regularExpression) != nil else {
      throw Problem(
        .unprocessableContent, code: "user.invalid-name",
        detail: "name must be 1-100 letters, digits or . _ @ -")
    }
    switch body.role {
    case .client where body.organisation == nil || body.organisations != nil:
      throw Problem(
        .unprocessableContent, code: "user.client-organisation",
        detail: "a client belongs to exactly one organisation ('organisation')")
    case .auditor where body.organisation != nil,
      .admin where body.organisation != nil || body.organisations != nil:
      throw Problem(
        .unprocessableContent, code: "user.role-organisation",
        detail: "only a client has 'organisation'; only an auditor has 'organisations'")
    default: break
    }
    let resource = try await database.write { db -> UserResource in
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE name = ?", arguments: [body.name])
        != nil
      {
        throw Problem(.conflict, code: "user.exists", detail: "user '\(body.name)' exists")
      }
      for org in [body.organisation].compactMap({ $0 }) + (body.organisations ?? []) {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM organisation WHERE id = ?", arguments: [org])
          == nil
        {
          throw Problem(
            .unprocessableContent, code: "user.unknown-organisation",
            detail: "no organisation \(org)")
        }
      }
      let now = Clock.now()
      try db.execute(
        sql: "INSERT INTO user (name, role, organisation_id, created_at) VALUES (?, ?, ?, ?)",
        arguments: [body.name, body.role.rawValue, body.organisation, now])
      let id = db.lastInsertedRowID
      for org in Set(body.organisations ?? []) {
        try db.execute(
          sql: "INSERT INTO assignment (user_id, organisation_id) VALUES (?, ?)",
          arguments: [id, org])
      }
      try AuditLog.append(
        db, actor: principal.actor, action: "user.create", object: "user:\(id)",
        organisation: body.organisation,
        details: [
          "name": body.name, "role": body.role.rawValue,
          "organisations": (body.organisations ?? []).sorted().map(String.init).joined(
            separator: ","),
        ])
      return UserResource(
        id: id, name: body.name, role: body.role.rawValue, organisation: body.organisation,
        organisations: body.role == .auditor ? Array(Set(body.organisations ?? [])).sorted() : nil,
        createdAt: now)
    }
    return try JSON.response(resource, status: .created)
  }

  @Sendable func listUsers(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    _ = try context.require(.admin)
    let page = try Page(request)
    let items = try await database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM user WHERE id > ? ORDER BY id LIMIT ?",
        arguments: [page.after, page.limit]
      ).map { row -> UserResource in
        let id: Int64 = row["id"]
        let role: String = row["role"]
        let assigned =
          role == "auditor"
          ? try Int64.fetchAll(
            db,
            sql:
              "SELECT organisation_id FROM assignment WHERE user_id = ? ORDER BY organisation_id",
            arguments: [id]) : nil
        return UserResource(
          id: id, name: row["name"], role: role, organisation: row["organisation_id"],
          organisations: assigned, createdAt: row["created_at"])
      }
    }
    return try JSON.response(Listing(items: items, limit: page.limit) { $0.id })
  }

  struct NewToken: Decodable {
    var label: String
    var expiresInDays: Int?
  }

  /// An admin makes tokens for anyone; others only for themselves (any other user id is a 404).
  @Sendable func createToken(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    guard let user = context.parameters.get("user", as: Int64.self),
      principal.role == .admin || user == principal.userID
    else { throw Problem.notFound("user") }
    let body = try await JSON.decode(NewToken.self, from: request)
    guard !body.label.isEmpty, body.label.count <= 100 else {
      throw Problem(
        .unprocessableContent, code: "token.invalid-label", detail: "label must be 1-100 characters"
      )
    }
    if let days = body.expiresInDays, !(1...3650).contains(days) {
      throw Problem(
        .unprocessableContent, code: "token.invalid-expiry",
        detail: "expiresInDays must be 1 to 3650")
    }
    let token = Tokens.generate()
    let expires = body.expiresInDays.map { days -> String in
      let formatter = ISO8601DateFormatter()
      formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
      return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }
    let resource = try await database.write { db -> TokenResource in
      guard try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE id = ?", arguments: [user]) != nil
      else {
        throw Problem.notFound("user")
      }
      let now = Clock.now()
      try db.execute(
        sql:
          "INSERT INTO token (user_id, hash, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [user, Tokens.hash(token), body.label, now, expires])
      let id = db.lastInsertedRowID
      try AuditLog.append(
        db, actor: principal.actor, action: "token.create", object: "token:\(id)",
        details: ["user": String(user), "label": body.label, "expires_at": expires ?? ""])
      return TokenResource(
        id: id, user: user, label: body.label, createdAt: now, expiresAt: expires, token: token)
    }
    return try JSON.response(resource, status: .created)
  }

  @Sendable func revokeToken(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    guard let id = context.parameters.get("token", as: Int64.self) else {
      throw Problem.notFound("token")
    }
    try await database.write { db in
      guard
        let owner = try Int64.fetchOne(
          db, sql: "SELECT user_id FROM token WHERE id = ? AND revoked_at IS NULL", arguments: [id]),
        principal.role == .admin || owner == principal.userID
      else { throw Problem.notFound("token") }
      try db.execute(
        sql: "UPDATE token SET revoked_at = ? WHERE id = ?", arguments: [Clock.now(), id])
      try AuditLog.append(
        db, actor: principal.actor, action: "token.revoke", object: "token:\(id)",
        details: ["user": String(owner)])
    }
    return Response(status: .noContent)
  }

  // MARK: audit

  @Sendable func listAudit(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.require(.admin, .auditor)
    let page = try Page(request)
    let items = try await database.read { db -> [AuditResource] in
      var sql = "SELECT * FROM audit WHERE id > ?"
      var arguments: StatementArguments = [page.after]
      if principal.role == .auditor {
        let ids = principal.assigned.sorted()
        sql +=
          " AND organisation_id IN (\(ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ",")))"
      }
      sql += " ORDER BY id LIMIT ?"
      arguments += [page.limit]
      return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
        let details =
          (try? JSONDecoder().decode(
            [String: String].self, from: Data((row["details"] as String).utf8))) ?? [:]
        return AuditResource(
          id: row["id"], at: row["at"], actor: row["actor"], action: row["action"],
          object: row["object"],
          organisation: row["organisation_id"], details: details, prevHash: row["prev_hash"],
          hash: row["hash"])
      }
    }
    return try JSON.response(Listing(items: items, limit: page.limit) { $0.id })
  }
}
