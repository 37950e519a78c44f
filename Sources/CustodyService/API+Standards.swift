import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore

extension API {
  /// POST /bundles: body = zip or ustar tar of a standard bundle (standard, schema, rules,
  /// books), `?entry=PATH` naming the standard file inside it (default: the only YAML file
  /// whose text declares `standard:`). Compiled on upload; stored once by digest (the sha256 of
  /// its sorted file manifest, so the same files as zip or tar are the same bundle).
  @Sendable func uploadBundle(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.require(.admin, .auditor)
    let limits = state.configuration.limits
    let body = try await request.body.collect(upTo: limits.maxBodyBytes)
    let data = Data(buffer: body)
    let entryParameter = request.uri.queryParameters.get("entry")
    let state = self.state
    let prepared = try await offload { () throws -> PreparedBundle in
      try Self.prepareBundle(data, entry: entryParameter, state: state)
    }
    state.metrics.uploaded(kind: "bundle", bytes: data.count)
    let (resource, created) = try await database.write { db -> (BundleResource, Bool) in
      if let row = try Row.fetchOne(
        db, sql: "SELECT * FROM bundle WHERE digest = ?", arguments: [prepared.digest])
      {
        return (BundleResource(row), false)
      }
      let s = prepared.standard
      try db.execute(
        sql: """
          INSERT INTO bundle (digest, archive_sha256, entry, standard_id, title, version, effective_from,
            standard_sha256, graph_sha256, files, uploaded_by, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          prepared.digest, prepared.archiveSHA256, prepared.entry, s.id, s.title, s.version,
          s.effectiveFrom?.description, s.sha256, s.graphDigest, prepared.files, principal.userID,
          Clock.now(),
        ])
      try AuditLog.append(
        db, actor: principal.actor, action: "bundle.upload", object: "bundle:\(prepared.digest)",
        details: [
          "standard": s.id, "version": s.version, "archive_sha256": prepared.archiveSHA256,
          "standard_sha256": s.sha256, "entry": prepared.entry,
        ])
      return (
        BundleResource(
          try Row.fetchOne(
            db, sql: "SELECT * FROM bundle WHERE digest = ?", arguments: [prepared.digest])!), true
      )
    }
    return try JSON.response(resource, status: created ? .created : .ok, etag: resource.digest)
  }

  struct PreparedBundle: Sendable {
    var digest: String
    var archiveSHA256: String
    var entry: String
    var files: Int
    var standard: CompiledStandard
  }

  static func manifestDigest(_ files: [UploadedFile]) -> String {
    let lines = files.sorted { $0.name < $1.name }
      .map { "\(Digests.sha256Hex($0.data))  \($0.name)\n" }.joined()
    return Digests.sha256Hex(Data(lines.utf8))
  }

  static func prepareBundle(_ data: Data, entry: String?, state: ServiceState) throws
    -> PreparedBundle
  {
    let files = try Archives.read(data, limits: state.configuration.limits)
    guard !files.isEmpty else {
      throw Problem(
        .unprocessableContent, code: "bundle.empty", detail: "the archive holds no files")
    }
    let entry =
      try entry
      ?? {
        let candidates = files.filter {
          ($0.name.hasSuffix(".yaml") || $0.name.hasSuffix(".yml"))
            && String(decoding: $0.data, as: UTF8.self).split(separator: "\n").contains {
              $0.hasPrefix("standard:")
            }
        }
        guard candidates.count == 1 else {
          throw Problem(
            .unprocessableContent, code: "bundle.entry-ambiguous",
            detail:
              "\(candidates.count) files declare 'standard:' (\(candidates.map(\.name).sorted().joined(separator: ", "))); name one with ?entry=PATH"
          )
        }
        return candidates[0].name
      }()
    guard files.contains(where: { $0.name == entry }) else {
      throw Problem(
        .unprocessableContent, code: "bundle.entry-missing",
        detail: "no file '\(entry)' in the archive")
    }
    let digest = manifestDigest(files)
    let directory = state.directory
    let scratch = directory.tmp.appendingPathComponent(
      "bundle-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    try Archives.write(files, under: scratch)
    let compiled = ValidationPipeline.compile(
      scratch.appendingPathComponent(entry).path, sources: SourceCache())
    guard let standard = compiled.standard else {
      let prefix = scratch.path + "/"
      let messages = compiled.diagnostics.prefix(50).map {
        "\($0)".replacingOccurrences(of: prefix, with: "")
      }
      throw Problem(
        .unprocessableContent,
        code: compiled.diagnostics.first.map { "\($0.code)" } ?? "bundle.compile",
        detail: "the standard does not compile: \(compiled.errorCount) error(s)",
        extra: ["diagnostics": Array(messages)])
    }
    // A standard may name rules by relative path (`rules: [../rules]`): everything it read must
    // come from the bundle itself, never from the server's disk.
    for input in standard.inputs {
      let path = URL(fileURLWithPath: input.path).standardizedFileURL.path
      guard path.hasPrefix(scratch.standardizedFileURL.path + "/") else {
        throw Problem(
          .unprocessableContent, code: "bundle.outside-input",
          detail:
            "the standard reads '\(input.path.replacingOccurrences(of: scratch.path + "/", with: ""))', which is outside the bundle"
        )
      }
    }
    let archiveSHA = try directory.storeObject(data)
    let target = directory.bundleURL(digest)
    if !FileManager.default.fileExists(atPath: target.path) {
      do {
        try FileManager.default.moveItem(at: scratch, to: target)
      } catch  where FileManager.default.fileExists(atPath: target.path) {}  // same bundle raced in
    }
    return PreparedBundle(
      digest: digest, archiveSHA256: archiveSHA, entry: entry, files: files.count,
      standard: standard)
  }

  @Sendable func listBundles(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    _ = try context.principal()
    let page = try Page(request)
    let items = try await database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT rowid AS n, * FROM bundle WHERE rowid > ? ORDER BY rowid LIMIT ?",
        arguments: [page.after, page.limit]
      ).map { (n: $0["n"] as Int64, bundle: BundleResource($0)) }
    }
    let listing = Listing(items: items.map(\.bundle), limit: page.limit) { bundle in
      items.first { $0.bundle.digest == bundle.digest }?.n ?? 0
    }
    return try JSON.response(listing)
  }

  @Sendable func getBundle(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    _ = try context.principal()
    let digest = context.parameters.get("digest") ?? ""
    let resource = try await database.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM bundle WHERE digest = ?", arguments: [digest]).map(
        BundleResource.init)
    }
    guard let resource else { throw Problem.notFound("bundle") }
    return try JSON.response(resource, etag: resource.digest, request: request)
  }
}
