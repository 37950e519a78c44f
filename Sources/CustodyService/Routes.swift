import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import NIOCore

/// Builds the router: public probes, then /api/v1 behind the token authenticator, then the
/// web pages (sessions, Sources/CustodyService/Web).
enum Routes {
  static func build(_ state: ServiceState) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: state.metrics))
    router.add(middleware: ProblemAndHeadersMiddleware())
    router.add(middleware: TokenAuthenticator(database: state.database, limiter: state.limiter))

    router.get("/healthz") { _, _ -> Response in
      _ = try await state.database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
      return try JSON.response(["status": "ok"])
    }
    router.get("/metrics") { _, _ -> Response in
      try await state.database.read { db in
        let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run WHERE status = 'pending'")
        let running = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run WHERE status = 'running'")
        state.metrics.setQueue(pending: pending ?? 0, running: running ?? 0)
      }
      var buffer: [UInt8] = []
      state.metrics.registry.emit(into: &buffer)
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
    router.get("/api/v1/openapi.yaml") { _, _ -> Response in
      Response(
        status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
    }

    let api = API(state: state)
    let v1 = router.group("/api/v1")
    v1.get("/me", use: api.me)
    v1.post("/organisations", use: api.createOrganisation)
    v1.get("/organisations", use: api.listOrganisations)
    v1.get("/organisations/{org}", use: api.getOrganisation)
    v1.post("/users", use: api.createUser)
    v1.get("/users", use: api.listUsers)
    v1.post("/users/{user}/tokens", use: api.createToken)
    v1.delete("/tokens/{token}", use: api.revokeToken)
    v1.post("/bundles", use: api.uploadBundle)
    v1.get("/bundles", use: api.listBundles)
    v1.get("/bundles/{digest}", use: api.getBundle)
    v1.post("/organisations/{org}/submissions", use: api.createSubmission)
    v1.get("/organisations/{org}/submissions", use: api.listSubmissions)
    v1.get("/submissions/{submission}", use: api.getSubmission)
    v1.post("/submissions/{submission}/runs", use: api.createRun)
    v1.get("/runs/{run}", use: api.getRun)
    v1.get("/runs/{run}/report", use: api.getReport)
    v1.get("/runs/{run}/statement", use: api.getStatement)
    v1.get("/compare", use: api.compare)
    v1.get("/audit", use: api.listAudit)
    // The web pages for people (issue 21): session login, HTML.
    WebPages.register(on: router, state: state, api: api)
    return router
  }
}

/// Counts requests by method and status.
struct MetricsMiddleware: RouterMiddleware {
  typealias Context = ServiceRequestContext
  let metrics: ServiceMetrics
  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    let response = try await next(request, context)
    metrics.request(method: request.method.rawValue, status: response.status.code)
    return response
  }
}

/// Runs blocking work (compiling, unzipping, hashing, file I/O) on its own thread, off the
/// cooperative pool.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread.detachNewThread {
      continuation.resume(with: Result { try work() })
    }
  }
}

/// A page of a listing: `?limit=1..200` (default 50) and `?after=ID` from the previous page's
/// `next`.
struct Page {
  var limit: Int
  var after: Int64

  init(_ request: Request) throws {
    let query = request.uri.queryParameters
    limit = 50
    after = 0
    if let text = query.get("limit") {
      guard let value = Int(text), (1...200).contains(value) else {
        throw Problem.badRequest("request.invalid-limit", "limit must be an integer from 1 to 200")
      }
      limit = value
    }
    if let text = query.get("after") {
      guard let value = Int64(text), value >= 0 else {
        throw Problem.badRequest("request.invalid-after", "after must be a non-negative id")
      }
      after = value
    }
  }
}

struct Listing<Item: Encodable>: Encodable {
  var items: [Item]
  /// The `after` of the next page, absent on the last page.
  var next: String?

  init(items: [Item], limit: Int, id: (Item) -> Int64) {
    self.items = items
    next = items.count == limit ? items.last.map { String(id($0)) } : nil
  }
}
