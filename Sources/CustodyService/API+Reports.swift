import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore

extension API {
  /// A finished run's report, 409 while it is pending or running and for a failed run.
  func finishedReport(_ run: RunResource) throws -> (signed: String, unsigned: String) {
    guard run.status == "done", let signed = run.signedReportSha256, let unsigned = run.reportSha256
    else {
      throw Problem(
        .conflict, code: "run.not-done",
        detail: "run \(run.id) is \(run.status); a report exists once it is done")
    }
    return (signed, unsigned)
  }

  /// GET /runs/{id}/report?format=FORMAT. `json` (default) is the signed report, the same bytes
  /// as `custody validate --deterministic --sign KEY --format json`; `unsigned-json` is
  /// `validate --deterministic --format json`; text, markdown, html, csv, junit and sarif are
  /// rendered on demand from the signed report, as `validate --sign --format F` renders them.
  @Sendable func getReport(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let run = try await visibleRun(context.parameters.get("run", as: Int64.self), principal)
    let (signedDigest, unsignedDigest) = try finishedReport(run)
    let name = request.uri.queryParameters.get("format") ?? "json"
    let directory = state.directory
    let body: Data
    let contentType: String
    let etag: String
    switch name {
    case "json":
      body = try await offload { try directory.readObject(signedDigest) }
      contentType = "application/json"
      etag = signedDigest
    case "unsigned-json":
      body = try await offload { try directory.readObject(unsignedDigest) }
      contentType = "application/json"
      etag = unsignedDigest
    default:
      guard let format = ReportFormat(rawValue: name), format != .json else {
        throw Problem.badRequest(
          "report.unknown-format",
          "format must be one of json, unsigned-json, \(ReportFormat.allCases.filter { $0 != .json }.map(\.rawValue).joined(separator: ", "))"
        )
      }
      body = try await offload {
        let report = try CanonicalJSON.decode(
          Report.self, from: try directory.readObject(signedDigest))
        return try format.renderData(report)
      }
      contentType =
        switch format {
        case .html: "text/html; charset=utf-8"
        case .markdown: "text/markdown; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        case .junit: "application/xml"
        case .sarif: "application/sarif+json"
        default: "text/plain; charset=utf-8"
        }
      // Rendered from an immutable report by this build: stable for this tool version.
      etag = Digests.sha256Hex(Data((signedDigest + name + state.configuration.toolVersion).utf8))
    }
    let quoted = "\"\(etag)\""
    var headers: HTTPFields = [
      .contentType: contentType, .eTag: quoted,
      .cacheControl: "private, max-age=31536000, immutable",
      .contentDisposition:
        "attachment; filename=\"run-\(run.id).\(name == "unsigned-json" ? "unsigned.json" : ReportFormat(rawValue: name)?.fileExtension ?? "json")\"",
    ]
    if name == "html" {
      // The HTML report styles itself inline and draws its chart in inline SVG.
      headers[.contentSecurityPolicy] =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    }
    if request.headers[.ifNoneMatch] == quoted {
      return Response(status: .notModified, headers: headers)
    }
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
  }

  /// The parts of a stored report the service reads itself: decoded loosely, so the report
  /// model can grow without breaking compare.
  struct ReportDigest {
    var verdict: String
    var clauses: [String: String]
    /// Key `clause|rule` -> severity.
    var nonconformities: [String: NC]
    var accounts: [String: Account]

    struct NC: Codable, Sendable, Equatable {
      var clause: String
      var rule: String
      var severity: String
      var summary: String
    }
    struct Account: Codable, Sendable, Equatable {
      var account: String
      var rule: String
      var period: String?
      var opening: String
      var closing: String
      var shortfall: String?
    }

    init(_ data: Data) throws {
      let json = try JSONDecoder().decode(JSONValue.self, from: data)
      verdict = json["verdict"]?.string ?? "?"
      clauses = [:]
      for clause in json["clauses"]?.array ?? [] {
        if let id = clause["id"]?.string { clauses[id] = clause["status"]?.string ?? "?" }
      }
      nonconformities = [:]
      for nc in json["nonconformities"]?.array ?? [] where nc["waived"] != .bool(true) {
        let item = NC(
          clause: nc["clause"]?.string ?? "", rule: nc["rule"]?.string ?? "",
          severity: nc["severity"]?.string ?? "", summary: nc["summary"]?.string ?? "")
        nonconformities["\(item.clause)|\(item.rule)"] = item
      }
      accounts = [:]
      for trace in json["accounts"]?.array ?? [] {
        let opening = trace["opening"]?.string ?? "0"
        let account = Account(
          account: trace["account"]?.string ?? "", rule: trace["rule"]?.string ?? "",
          period: trace["period"]?.string, opening: opening,
          closing: trace["steps"]?.array.last?["balance"]?.string ?? opening,
          shortfall: trace["shortfall"]?.string)
        accounts["\(account.rule)|\(account.account)|\(account.period ?? "")"] = account
      }
    }
  }

  /// GET /runs/{id}/statement: the mass-balance statement of the run: every account the
  /// report traces, with its opening and closing balance and shortfall.
  @Sendable func getStatement(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let run = try await visibleRun(context.parameters.get("run", as: Int64.self), principal)
    let (signed, _) = try finishedReport(run)
    let directory = state.directory
    let digest = try await offload { try ReportDigest(directory.readObject(signed)) }
    struct Statement: Encodable {
      var run: Int64
      var verdict: String
      var accounts: [ReportDigest.Account]
    }
    let accounts = digest.accounts.sorted { $0.key < $1.key }.map(\.value)
    return try JSON.response(
      Statement(run: run.id, verdict: digest.verdict, accounts: accounts),
      etag: signed + "-statement", request: request)
  }

  struct Comparison: Encodable {
    var base: Int64
    var head: Int64
    var organisation: Int64
    var verdict: Change
    var nonconformities: NCs
    var clauses: [ClauseChange]
    var balances: [Balance]

    struct Change: Encodable {
      var base: String
      var head: String
    }
    struct NCs: Encodable {
      var fixed: [ReportDigest.NC]
      var new: [ReportDigest.NC]
      var open: [ReportDigest.NC]
    }
    struct ClauseChange: Encodable {
      var clause: String
      var base: String?
      var head: String?
    }
    struct Balance: Encodable {
      var rule: String
      var account: String
      var period: String?
      var base: ReportDigest.Account?
      var head: ReportDigest.Account?
    }
  }

  /// GET /compare?base=RUN&head=RUN: two finished runs of one organisation. Non-conformities are
  /// matched by clause and rule: fixed (in base only), new (in head only), still open (both).
  @Sendable func compare(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let principal = try context.principal()
    let query = request.uri.queryParameters
    guard let baseID = query.get("base").flatMap({ Int64($0) }),
      let headID = query.get("head").flatMap({ Int64($0) })
    else {
      throw Problem.badRequest("compare.parameters", "compare needs ?base=RUN&head=RUN (run ids)")
    }
    return try JSON.response(try await comparison(base: baseID, head: headID, principal))
  }

  /// Two finished runs of one organisation compared (the API's /compare, the compare page).
  func comparison(base baseID: Int64, head headID: Int64, _ principal: Principal) async throws
    -> Comparison
  {
    let base = try await visibleRun(baseID, principal)
    let head = try await visibleRun(headID, principal)
    guard base.organisation == head.organisation else {
      throw Problem(
        .unprocessableContent, code: "compare.organisations",
        detail: "runs \(base.id) and \(head.id) belong to different organisations")
    }
    let baseDigest = try finishedReport(base).signed
    let headDigest = try finishedReport(head).signed
    let directory = state.directory
    let (a, b) = try await offload {
      (
        try ReportDigest(directory.readObject(baseDigest)),
        try ReportDigest(directory.readObject(headDigest))
      )
    }
    let fixed = a.nonconformities.keys.filter { b.nonconformities[$0] == nil }.sorted().map {
      a.nonconformities[$0]!
    }
    let new = b.nonconformities.keys.filter { a.nonconformities[$0] == nil }.sorted().map {
      b.nonconformities[$0]!
    }
    let open = b.nonconformities.keys.filter { a.nonconformities[$0] != nil }.sorted().map {
      b.nonconformities[$0]!
    }
    let clauses = Set(a.clauses.keys).union(b.clauses.keys).sorted()
      .filter { a.clauses[$0] != b.clauses[$0] }
      .map { Comparison.ClauseChange(clause: $0, base: a.clauses[$0], head: b.clauses[$0]) }
    let balances = Set(a.accounts.keys).union(b.accounts.keys).sorted().map { key in
      let any = (a.accounts[key] ?? b.accounts[key])!
      return Comparison.Balance(
        rule: any.rule, account: any.account, period: any.period, base: a.accounts[key],
        head: b.accounts[key])
    }
    return Comparison(
      base: base.id, head: head.id, organisation: base.organisation,
      verdict: .init(base: a.verdict, head: b.verdict),
      nonconformities: .init(fixed: fixed, new: new, open: open), clauses: clauses,
      balances: balances)
  }
}
