import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore

extension API {
  /// What an upload carries, however it came (multipart or one archive).
  struct SubmissionUpload: Sendable {
    var period: String?
    var note = ""
    var bundle: String?
    var profile: Data?
    var files: [UploadedFile] = []
    /// The run of the organisation's previous audited period (field or query `previousRun`):
    /// its signed report opens this period's balances (`validate --previous`, CUA-4.7).
    var previousRun: String?
  }

  /// POST /organisations/{org}/submissions. Either `multipart/form-data` with fields `period`,
  /// `bundle`, `note`, `previousRun`, an optional `profile` file and one or more `file` parts;
  /// or a zip/tar body (`application/zip`, `application/x-tar`) with
  /// `?period=&bundle=&note=&previousRun=&profile=NAME` (NAME: the profile's file inside the
  /// archive). Creates the submission and its first run.
  @Sendable func createSubmission(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let organisation = try organisationParameter(context, principal)
    let limits = state.configuration.limits
    let contentType = request.headers[.contentType] ?? ""
    let body = Data(buffer: try await request.body.collect(upTo: limits.maxBodyBytes))
    let query = request.uri.queryParameters
    var upload: SubmissionUpload
    if contentType.lowercased().hasPrefix("multipart/form-data") {
      upload = try await offload {
        try Self.parseMultipart(body, contentType: contentType, limits: limits)
      }
    } else if ["application/zip", "application/x-tar", "application/octet-stream"].contains(
      contentType.split(separator: ";").first.map {
        $0.trimmingCharacters(in: .whitespaces).lowercased()
      } ?? "")
    {
      var files = try await offload { try Archives.read(body, limits: limits) }
      files = Self.stripCommonFolder(files)
      upload = SubmissionUpload(
        period: query.get("period"), note: query.get("note") ?? "", bundle: query.get("bundle"),
        previousRun: query.get("previousRun"))
      if let name = query.get("profile") {
        guard let index = files.firstIndex(where: { $0.name == name }) else {
          throw Problem(
            .unprocessableContent, code: "submission.profile-missing",
            detail: "no file '\(name)' in the archive")
        }
        upload.profile = files.remove(at: index).data
      }
      upload.files = files
    } else {
      throw Problem(
        .unsupportedMediaType, code: "upload.media-type",
        detail: "send multipart/form-data, application/zip or application/x-tar")
    }
    let id = try await acceptSubmission(
      upload, organisation: organisation, principal: principal, bodyBytes: body.count)
    let resource = try await database.read { db in try Self.submission(db, id: id) }
    return try JSON.response(resource, status: .created)
  }

  /// Checks an upload, stores its files and records the submission with its first run (the
  /// API's multipart or archive upload, and the web pages' upload form). Returns its id.
  func acceptSubmission(
    _ upload: SubmissionUpload, organisation: Int64, principal: Principal, bodyBytes: Int
  ) async throws -> Int64 {
    var upload = upload
    let limits = state.configuration.limits
    try Self.check(&upload, limits: limits)
    let previousRun = try Self.previousRunID(upload.previousRun)
    let checked = upload
    let directory = state.directory
    // Objects first (content-addressed, so a retry or a crash before the commit leaves at worst
    // an unreferenced object, never a row pointing at nothing).
    let stored = try await offload { () throws -> (files: [FileResource], profile: String?) in
      let files = try checked.files.map {
        FileResource(name: $0.name, sha256: try directory.storeObject($0.data), size: $0.data.count)
      }
      return (files, try checked.profile.map { try directory.storeObject($0) })
    }
    state.metrics.uploaded(kind: "submission", bytes: bodyBytes)
    let manifest = Digests.sha256Hex(
      Data(stored.files.map { "\($0.sha256)  \($0.name)\n" }.joined().utf8))
    return try await database.write { db -> Int64 in
      guard
        try Bool.fetchOne(
          db, sql: "SELECT 1 FROM bundle WHERE digest = ?", arguments: [checked.bundle!]) != nil
      else {
        throw Problem(
          .unprocessableContent, code: "submission.unknown-bundle",
          detail: "no standard bundle \(checked.bundle!)")
      }
      if let previousRun {
        try Self.checkPreviousRun(db, previousRun, organisation: organisation)
      }
      let now = Clock.now()
      try db.execute(
        sql: """
          INSERT INTO submission (organisation_id, period, note, profile_sha256, manifest_sha256, created_by, created_at, previous_run_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          organisation, checked.period!, checked.note, stored.profile, manifest, principal.userID,
          now, previousRun,
        ])
      let id = db.lastInsertedRowID
      for file in stored.files {
        try db.execute(
          sql:
            "INSERT INTO submission_file (submission_id, name, sha256, size) VALUES (?, ?, ?, ?)",
          arguments: [id, file.name, file.sha256, file.size])
      }
      var details = [
        "period": checked.period!, "manifest_sha256": manifest, "files": String(stored.files.count),
      ]
      if let profile = stored.profile { details["profile_sha256"] = profile }
      if let previousRun { details["previous_run"] = String(previousRun) }
      try AuditLog.append(
        db, actor: principal.actor, action: "submission.create", object: "submission:\(id)",
        organisation: organisation, details: details)
      try Self.insertRun(
        db, submission: id, organisation: organisation, bundle: checked.bundle!,
        actor: principal.actor)
      return id
    }
  }

  /// `previousRun` as given: nil when absent or empty, else a run id.
  static func previousRunID(_ text: String?) throws -> Int64? {
    guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    guard let id = Int64(text), id > 0 else {
      throw Problem(
        .unprocessableContent, code: "submission.invalid-previous-run",
        detail: "previousRun must be a run id (a positive integer), not '\(text.prefix(40))'")
    }
    return id
  }

  /// The previous period's run must be this organisation's and finished with a signed report.
  /// A run of another organisation reads as absent (its existence is not disclosed). Whether
  /// the report fits (same standard, no deficit, the day before this ledger's first period)
  /// is the pipeline's to judge, as for `custody validate --previous`.
  static func checkPreviousRun(_ db: Database, _ id: Int64, organisation: Int64) throws {
    let row = try Row.fetchOne(
      db,
      sql: """
        SELECT run.status, run.signed_sha256 FROM run
        JOIN submission ON submission.id = run.submission_id
        WHERE run.id = ? AND submission.organisation_id = ?
        """, arguments: [id, organisation])
    guard let row else {
      throw Problem(
        .unprocessableContent, code: "submission.unknown-previous-run",
        detail: "previousRun: no run \(id) in this organisation")
    }
    let status: String = row["status"]
    guard status == "done", (row["signed_sha256"] as String?) != nil else {
      throw Problem(
        .unprocessableContent, code: "submission.previous-run-unfinished",
        detail:
          "previousRun: run \(id) is \(status); only a finished run's signed report opens a period"
      )
    }
  }

  @discardableResult
  static func insertRun(
    _ db: Database, submission: Int64, organisation: Int64, bundle: String, actor: String
  ) throws -> Int64 {
    try db.execute(
      sql:
        "INSERT INTO run (submission_id, bundle_digest, status, created_at) VALUES (?, ?, 'pending', ?)",
      arguments: [submission, bundle, Clock.now()])
    let run = db.lastInsertedRowID
    try AuditLog.append(
      db, actor: actor, action: "run.create", object: "run:\(run)", organisation: organisation,
      details: ["submission": String(submission), "bundle": bundle])
    return run
  }

  /// Period: a year, a month, a quarter or a half (`2025`, `2025-03`, `2025-Q1`, `2025-H2`).
  static func check(_ upload: inout SubmissionUpload, limits: UploadLimits) throws {
    guard let period = upload.period,
      period.range(of: "^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$", options: .regularExpression)
        != nil
    else {
      throw Problem(
        .unprocessableContent, code: "submission.invalid-period",
        detail: "period must be YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn")
    }
    guard let bundle = upload.bundle,
      bundle.range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil
    else {
      throw Problem(
        .unprocessableContent, code: "submission.invalid-bundle",
        detail: "bundle must be a standard bundle's digest (64 hex digits)")
    }
    _ = bundle
    guard upload.note.count <= 10_000 else {
      throw Problem(
        .unprocessableContent, code: "submission.note-too-long",
        detail: "note is limited to 10,000 characters")
    }
    guard !upload.files.isEmpty else {
      throw Problem(
        .unprocessableContent, code: "submission.no-files",
        detail: "a submission needs at least one ledger file")
    }
    if upload.files.count > limits.maxFiles {
      throw UploadRejection(
        status: 413, code: "upload.too-many-files", detail: "more than \(limits.maxFiles) files")
    }
    var names = Set<String>()
    for file in upload.files {
      if file.name.contains("/") {
        throw Problem(
          .unprocessableContent, code: "submission.nested-file",
          detail: "'\(file.name)': a ledger is one flat folder of files")
      }
      guard names.insert(file.name).inserted else {
        throw UploadRejection(code: "upload.duplicate", detail: "file '\(file.name)' appears twice")
      }
    }
  }

  /// `sample/receipts.csv`, `sample/sites.csv` -> `receipts.csv`, `sites.csv`: a zip of a folder.
  static func stripCommonFolder(_ files: [UploadedFile]) -> [UploadedFile] {
    let tops = Set(
      files.map { $0.name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? "" })
    guard tops.count == 1, let top = tops.first, files.allSatisfy({ $0.name.hasPrefix(top + "/") })
    else {
      return files
    }
    return files.map { UploadedFile(name: String($0.name.dropFirst(top.count + 1)), data: $0.data) }
  }

  static func parseMultipart(_ body: Data, contentType: String, limits: UploadLimits) throws
    -> SubmissionUpload
  {
    guard let boundaryRange = contentType.range(of: "boundary=") else {
      throw Problem.badRequest("upload.multipart", "multipart/form-data without a boundary")
    }
    var boundary = String(contentType[boundaryRange.upperBound...])
    if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
    boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    struct Part {
      var headers: [(String, String)] = []
      var body = Data()
    }
    var parts: [Part] = []
    var current = Part()
    var total = 0
    var tooLarge = false
    let parser = MultipartParser(boundary: boundary)
    parser.onHeader = { name, value in current.headers.append((name.lowercased(), value)) }
    parser.onBody = { buffer in
      total += buffer.readableBytes
      if current.body.count + buffer.readableBytes > limits.maxFileBytes { tooLarge = true }
      if !tooLarge { current.body.append(contentsOf: buffer.readableBytesView) }
    }
    parser.onPartComplete = {
      parts.append(current)
      current = Part()
    }
    do {
      try parser.execute([UInt8](body))
    } catch {
      throw Problem.badRequest("upload.multipart", "the multipart body cannot be read: \(error)")
    }
    if tooLarge {
      throw UploadRejection(
        status: 413, code: "upload.file-too-large",
        detail: "a part is larger than \(limits.maxFileBytes) bytes")
    }
    var upload = SubmissionUpload()
    for part in parts {
      guard let disposition = part.headers.first(where: { $0.0 == "content-disposition" })?.1 else {
        continue
      }
      let name = Self.dispositionParameter(disposition, "name")
      let text = String(decoding: part.body, as: UTF8.self)
      switch name {
      case "period": upload.period = text
      case "note": upload.note = text
      case "bundle": upload.bundle = text
      case "previousRun": upload.previousRun = text
      case "profile": upload.profile = part.body
      case "file", "files", "files[]":
        guard let filename = Self.dispositionParameter(disposition, "filename") else {
          throw Problem.badRequest("upload.multipart", "a file part has no filename")
        }
        upload.files.append(UploadedFile(name: try Archives.checkedPath(filename), data: part.body))
      default:
        throw Problem.badRequest("upload.multipart", "unexpected form field '\(name ?? "")'")
      }
    }
    return upload
  }

  static func dispositionParameter(_ header: String, _ key: String) -> String? {
    for piece in header.split(separator: ";") {
      let pair = piece.trimmingCharacters(in: .whitespaces)
      guard pair.hasPrefix(key + "=") else { continue }
      var value = String(pair.dropFirst(key.count + 1))
      if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
        value = String(value.dropFirst().dropLast())
      }
      return value
    }
    return nil
  }

  static func submission(_ db: Database, id: Int64) throws -> SubmissionResource? {
    guard
      let row = try Row.fetchOne(db, sql: "SELECT * FROM submission WHERE id = ?", arguments: [id])
    else {
      return nil
    }
    let files = try Row.fetchAll(
      db, sql: "SELECT * FROM submission_file WHERE submission_id = ? ORDER BY name",
      arguments: [id]
    ).map { FileResource(name: $0["name"], sha256: $0["sha256"], size: $0["size"]) }
    let runs = try Row.fetchAll(
      db, sql: RunResource.select + " WHERE run.submission_id = ? ORDER BY run.id", arguments: [id]
    ).map(RunResource.init)
    return SubmissionResource(
      id: id, organisation: row["organisation_id"], period: row["period"], note: row["note"],
      profileSha256: row["profile_sha256"], manifestSha256: row["manifest_sha256"],
      createdAt: row["created_at"], previousRun: row["previous_run_id"],
      files: files, runs: runs)
  }

  @Sendable func listSubmissions(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let organisation = try organisationParameter(context, principal)
    let page = try Page(request)
    let items = try await database.read { db in
      try Int64.fetchAll(
        db,
        sql: "SELECT id FROM submission WHERE organisation_id = ? AND id > ? ORDER BY id LIMIT ?",
        arguments: [organisation, page.after, page.limit]
      ).compactMap { try Self.submission(db, id: $0) }
    }
    return try JSON.response(Listing(items: items, limit: page.limit) { $0.id })
  }

  @Sendable func getSubmission(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let id = context.parameters.get("submission", as: Int64.self) ?? -1
    let resource = try await database.read { db in try Self.submission(db, id: id) }
    guard let resource, principal.canSee(organisation: resource.organisation) else {
      throw Problem.notFound("submission")
    }
    return try JSON.response(resource)
  }

  struct NewRun: Decodable {
    var bundle: String
  }

  /// POST /submissions/{id}/runs: judge a submission again, e.g. under a newer standard; always
  /// a new run, never an overwrite.
  @Sendable func createRun(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let id = context.parameters.get("submission", as: Int64.self) ?? -1
    let organisation = try await database.read { db in
      try Int64.fetchOne(
        db, sql: "SELECT organisation_id FROM submission WHERE id = ?", arguments: [id])
    }
    guard let organisation, principal.canSee(organisation: organisation) else {
      throw Problem.notFound("submission")
    }
    guard principal.role != .client else {
      throw Problem(.forbidden, code: "auth.forbidden", detail: "role client may not start runs")
    }
    let body = try await JSON.decode(NewRun.self, from: request)
    let run = try await database.write { db -> RunResource in
      guard
        try Bool.fetchOne(
          db, sql: "SELECT 1 FROM bundle WHERE digest = ?", arguments: [body.bundle]) != nil
      else {
        throw Problem(
          .unprocessableContent, code: "submission.unknown-bundle",
          detail: "no standard bundle \(body.bundle)")
      }
      let run = try Self.insertRun(
        db, submission: id, organisation: organisation, bundle: body.bundle, actor: principal.actor)
      return RunResource(
        try Row.fetchOne(db, sql: RunResource.select + " WHERE run.id = ?", arguments: [run])!)
    }
    return try JSON.response(run, status: .created)
  }

  /// The run `{run}`, 404 unless the principal may see its organisation.
  func visibleRun(_ id: Int64?, _ principal: Principal) async throws -> RunResource {
    let run = try await database.read { db in
      try Row.fetchOne(db, sql: RunResource.select + " WHERE run.id = ?", arguments: [id ?? -1])
        .map(RunResource.init)
    }
    guard let run, principal.canSee(organisation: run.organisation) else {
      throw Problem.notFound("run")
    }
    return run
  }

  @Sendable func getRun(_ request: Request, context: ServiceRequestContext) async throws -> Response
  {
    let principal = try context.principal()
    return try JSON.response(
      try await visibleRun(context.parameters.get("run", as: Int64.self), principal))
  }
}
