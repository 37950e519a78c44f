import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore

extension WebPages {
  // MARK: standards library

  struct StandardsView {
    struct Bundle {
      var digest: String
      var standard: String
      var version: String
      var effectiveFrom: String
      var title: String
      var files: Int
      var createdAt: String
      var label: String
      var isLatest: Bool
    }
    struct Submission {
      var id: Int64
      var label: String
    }
    var bundles: [Bundle]
    var hasBundles: Bool
    var submissions: [Submission]
  }

  /// The submissions a person may measure a diff's impact on (newest 200).
  func visibleSubmissions(_ principal: Principal) async throws -> [StandardsView.Submission] {
    try await database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT submission.id, submission.period, submission.organisation_id, organisation.name
          FROM submission JOIN organisation ON organisation.id = submission.organisation_id
          ORDER BY submission.id DESC LIMIT 2000
          """
      ).filter { principal.canSee(organisation: $0["organisation_id"]) }.prefix(200).map {
        StandardsView.Submission(
          id: $0["id"],
          label:
            "submission \($0["id"] as Int64) · \($0["name"] as String) · \($0["period"] as String)"
        )
      }
    }
  }

  @Sendable func standards(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    let rows = try await database.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM bundle ORDER BY rowid").map(BundleResource.init)
    }
    let bundles = rows.enumerated().map { index, bundle in
      StandardsView.Bundle(
        digest: bundle.digest, standard: bundle.standard, version: bundle.version,
        effectiveFrom: bundle.effectiveFrom ?? "", title: bundle.title, files: bundle.files,
        createdAt: WebLabels.time(bundle.createdAt) ?? "",
        label: "\(bundle.standard) \(bundle.version) · \(bundle.digest.prefix(12))",
        isLatest: index == rows.count - 1)
    }
    let view = StandardsView(
      bundles: bundles, hasBundles: !bundles.isEmpty,
      submissions: try await visibleSubmissions(session.principal))
    return render(
      "standards", view, title: "Standards library", session: session, section: .standards)
  }

  struct DiffView {
    struct Change {
      var kind: String
      var cls: String
      var subject: String
      var id: String
      var details: [String]
    }
    struct Finding {
      var rule: String
      var clauses: String
      var message: String
    }
    struct Impact {
      var submission: Int64
      var period: String
      var organisation: String
      var appeared: [Finding]
      var appearedCount: Int
      var disappeared: [Finding]
      var disappearedCount: Int
    }
    var oldLabel: String
    var newLabel: String
    var changes: [Change]
    var hasChanges: Bool
    var changeCount: Int
    var impact: Impact?
    var text: String
  }

  /// GET /standards/diff?old=DIGEST&new=DIGEST[&submission=ID]: `custody diff` between two
  /// stored bundles, and with a submission, the findings that appear and disappear on its
  /// ledger (both standards run on it, as `custody diff --ledger` does).
  @Sendable func diff(_ request: Request, context: ServiceRequestContext) async throws -> Response {
    let session = try await session(request)
    let query = request.uri.queryParameters
    let back = "/standards#diff"
    let oldDigest = query.get("old") ?? ""
    let newDigest = query.get("new") ?? ""
    let (old, new) = try await database.read { db in
      (
        try Row.fetchOne(db, sql: "SELECT * FROM bundle WHERE digest = ?", arguments: [oldDigest])
          .map(BundleResource.init),
        try Row.fetchOne(db, sql: "SELECT * FROM bundle WHERE digest = ?", arguments: [newDigest])
          .map(BundleResource.init)
      )
    }
    guard let old, let new else {
      throw WebError(
        .notFound, code: "not-found", detail: "Choose two stored standard bundles.", back: back,
        backLabel: "the standards library")
    }
    var submission: SubmissionResource?
    var organisationName = ""
    if let text = query.get("submission"), !text.isEmpty {
      let id = Int64(text) ?? -1
      let found = try await database.read { db in try API.submission(db, id: id) }
      guard let found, session.principal.canSee(organisation: found.organisation) else {
        throw Problem.notFound("submission")
      }
      submission = found
      organisationName =
        try await database.read { db in
          try String.fetchOne(
            db, sql: "SELECT name FROM organisation WHERE id = ?", arguments: [found.organisation])
        } ?? ""
    }
    let directory = state.directory
    let toolVersion = state.configuration.toolVersion
    let oldLabel = "\(old.standard) \(old.version) (\(old.digest.prefix(12)))"
    let newLabel = "\(new.standard) \(new.version) (\(new.digest.prefix(12)))"
    let chosen = submission
    let result = try await offload { () throws -> StandardDiff in
      try Self.standardDiff(
        old: old, new: new, submission: chosen, directory: directory, toolVersion: toolVersion)
    }
    func finding(_ f: Report.Finding) -> DiffView.Finding {
      .init(rule: f.rule, clauses: f.clauses.joined(separator: ", "), message: f.message)
    }
    let view = DiffView(
      oldLabel: oldLabel, newLabel: newLabel,
      changes: result.changes.map {
        .init(
          kind: $0.kind, cls: $0.kind == "removed" ? "major" : ($0.kind == "added" ? "" : "minor"),
          subject: $0.subject, id: $0.id, details: $0.details)
      }, hasChanges: !result.changes.isEmpty, changeCount: result.changes.count,
      impact: submission.map { submission in
        .init(
          submission: submission.id, period: submission.period, organisation: organisationName,
          appeared: result.appeared.map(finding), appearedCount: result.appeared.count,
          disappeared: result.disappeared.map(finding), disappearedCount: result.disappeared.count)
      }, text: result.renderText(oldLabel: oldLabel, newLabel: newLabel))
    return render(
      "diff", view, title: "Standard difference", session: session, section: .standards)
  }

  /// Compiles both bundles where they are stored (read only) and, for impact, runs both on the
  /// submission's ledger laid out in a scratch folder (removed afterwards).
  static func standardDiff(
    old: BundleResource, new: BundleResource, submission: SubmissionResource?,
    directory: DataDirectory, toolVersion: String
  ) throws -> StandardDiff {
    let sources = SourceCache()
    let oldPath = directory.bundleURL(old.digest).appendingPathComponent(old.entry).path
    let newPath = directory.bundleURL(new.digest).appendingPathComponent(new.entry).path
    let a = ValidationPipeline.compile(oldPath, sources: sources)
    let b = ValidationPipeline.compile(newPath, sources: sources)
    guard let oldStandard = a.standard, let newStandard = b.standard else {
      throw WebError(
        .unprocessableContent, code: "bundle.compile",
        detail: "A stored bundle no longer compiles with this version of custody.")
    }
    var diff = StandardDiff(old: oldStandard, new: newStandard)
    guard let submission else { return diff }
    let work = directory.work.appendingPathComponent("diff-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: work) }
    let ledger = work.appendingPathComponent("ledger", isDirectory: true)
    try FileManager.default.createDirectory(at: ledger, withIntermediateDirectories: true)
    for file in submission.files {
      try FileManager.default.copyItem(
        at: directory.objectURL(file.sha256), to: ledger.appendingPathComponent(file.name))
    }
    var profilePath: String?
    if let profile = submission.profileSha256 {
      let url = work.appendingPathComponent("profile.yaml")
      try FileManager.default.copyItem(at: directory.objectURL(profile), to: url)
      profilePath = url.path
    }
    var reports: [Report] = []
    for path in [oldPath, newPath] {
      let request = ValidationPipeline.Request(
        standardPath: path, ledgerPath: ledger.path, profilePath: profilePath,
        asOf: RunExecutor.today, failOn: .observation, evidenceLimit: 20, deterministic: true,
        toolVersion: toolVersion, sources: sources)
      switch ValidationPipeline.run(request) {
      case .evaluated(let report, _, _):
        reports.append(report)
      case .invalidInput(let diagnostics, _):
        throw WebError(
          .unprocessableContent, code: diagnostics.first.map { "\($0.code)" } ?? "invalid-input",
          detail: "The submission's ledger cannot be judged with one of the standards.",
          items: diagnostics.prefix(20).map {
            RunExecutor.relative("\($0)", to: work)
              .replacingOccurrences(of: directory.bundles.path + "/", with: "")
          })
      case .unreadableLedger(let diagnostic):
        throw WebError(
          .unprocessableContent, code: "\(diagnostic.code)",
          detail: "The submission's ledger cannot be read.",
          items: [RunExecutor.relative("\(diagnostic)", to: work)])
      }
    }
    diff.addImpact(old: reports[0], new: reports[1])
    return diff
  }

  // MARK: audit log

  /// A real calendar date written YYYY-MM-DD (2026-02-30 is not one).
  static func isDate(_ text: String) -> Bool {
    guard text.range(of: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", options: .regularExpression) != nil
    else { return false }
    let parts = text.split(separator: "-").compactMap { Int($0) }
    let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
    guard (1...12).contains(parts[1]), (1...31).contains(parts[2]),
      let date = ReportingPeriod.calendar.date(from: components)
    else { return false }
    let back = ReportingPeriod.calendar.dateComponents([.year, .month, .day], from: date)
    return back.year == parts[0] && back.month == parts[1] && back.day == parts[2]
  }

  struct AuditView {
    struct Option {
      var id: String
      var name: String
      var selected: Bool
    }
    struct Entry {
      var id: Int64
      var at: String
      var actor: String
      var action: String
      var object: String
      var organisation: String
      /// `key: value`, sorted by key.
      var details: [String]
      /// A page for the object, where there is one (runs, organisations).
      var href: String?
    }
    var scoped: Bool
    var organisations: [Option]
    var actions: [Option]
    var actor: String
    var object: String
    var from: String
    var to: String
    var entries: [Entry]
    var hasEntries: Bool
    var count: Int
    var one: Bool
    var older: String?
  }

  /// GET /audit: the audit log, newest first, 100 a page, filtered by organisation, action,
  /// actor, object and date. Administrators see everything; an auditor the entries of the
  /// organisations assigned (as the API's /audit); a client gets 403.
  @Sendable func audit(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    let principal = session.principal
    guard principal.role != .client else {
      throw WebError(
        .forbidden, code: "auth.forbidden",
        detail: "The audit log is for auditors and administrators.")
    }
    let query = request.uri.queryParameters
    func text(_ name: String) -> String {
      String((query.get(name) ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
    }
    let organisation = text("organisation")
    let action = text("action")
    let actor = text("actor")
    let object = text("object")
    let from = text("from")
    let to = text("to")
    let before = text("before")
    for (name, value) in [("from", from), ("to", to)] where !value.isEmpty {
      guard Self.isDate(value) else {
        throw WebError(
          .badRequest, code: "audit.invalid-date", detail: "'\(name)' must be a date (YYYY-MM-DD).",
          back: "/audit", backLabel: "the audit log")
      }
    }
    var conditions: [String] = []
    var arguments: StatementArguments = []
    if principal.role == .auditor {
      let ids = principal.assigned.sorted().map(String.init).joined(separator: ",")
      conditions.append("organisation_id IN (\(ids.isEmpty ? "NULL" : ids))")
    }
    if !organisation.isEmpty {
      guard let id = Int64(organisation) else {
        throw WebError(
          .badRequest, code: "audit.invalid-organisation", detail: "Unknown organisation.",
          back: "/audit", backLabel: "the audit log")
      }
      conditions.append("organisation_id = ?")
      arguments += [id]
    }
    if !action.isEmpty {
      conditions.append("action = ?")
      arguments += [action]
    }
    if !actor.isEmpty {
      conditions.append("instr(actor, ?) > 0")
      arguments += [actor]
    }
    if !object.isEmpty {
      conditions.append("instr(object, ?) > 0")
      arguments += [object]
    }
    if !from.isEmpty {
      conditions.append("substr(at, 1, 10) >= ?")
      arguments += [from]
    }
    if !to.isEmpty {
      conditions.append("substr(at, 1, 10) <= ?")
      arguments += [to]
    }
    if let id = Int64(before) {
      conditions.append("id < ?")
      arguments += [id]
    }
    let limit = 100
    let sql =
      "SELECT * FROM audit"
      + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
      + " ORDER BY id DESC LIMIT \(limit)"
    let (rows, names, actions) = try await database.read { db in
      (
        try Row.fetchAll(db, sql: sql, arguments: arguments),
        try Row.fetchAll(db, sql: "SELECT id, name FROM organisation ORDER BY name").filter {
          principal.canSee(organisation: $0["id"])
        },
        try String.fetchAll(db, sql: "SELECT DISTINCT action FROM audit ORDER BY action")
      )
    }
    let organisationNames = names.reduce(into: [Int64: String]()) { $0[$1["id"]] = $1["name"] }
    let entries = rows.map { row in
      let id: Int64? = row["organisation_id"]
      let object: String = row["object"]
      let text: String = row["details"]
      let details =
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)))
        .map { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" } } ?? [text]
      var href: String?
      if object.hasPrefix("run:"), let run = Int64(object.dropFirst(4)) {
        href = "/runs/\(run)"
      } else if object.hasPrefix("organisation:"), let org = Int64(object.dropFirst(13)) {
        href = "/organisations/\(org)"
      }
      return AuditView.Entry(
        id: row["id"], at: row["at"], actor: row["actor"], action: row["action"],
        object: object, organisation: id.map { organisationNames[$0] ?? "#\($0)" } ?? "",
        details: details, href: href)
    }
    var older: String?
    if entries.count == limit, let last = entries.last {
      var items: [(String, String)] = [
        ("organisation", organisation), ("action", action), ("actor", actor), ("object", object),
        ("from", from), ("to", to),
      ].filter { !$0.1.isEmpty }
      items.append(("before", String(last.id)))
      older =
        "/audit?" + items.map { "\($0.0)=\(WebForm.percentEncode($0.1))" }.joined(separator: "&")
    }
    let view = AuditView(
      scoped: principal.role == .auditor,
      organisations: names.map {
        .init(
          id: String($0["id"] as Int64), name: $0["name"],
          selected: String($0["id"] as Int64) == organisation)
      },
      actions: actions.map { .init(id: $0, name: $0, selected: $0 == action) }, actor: actor,
      object: object, from: from, to: to, entries: entries, hasEntries: !entries.isEmpty,
      count: entries.count, one: entries.count == 1, older: older)
    return render("audit", view, title: "Audit log", session: session, section: .audit)
  }
}
