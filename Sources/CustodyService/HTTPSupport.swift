import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import NIOCore

/// Who is calling: resolved from the bearer token by `TokenAuthenticator`.
public struct Principal: Sendable, Equatable {
  public enum Role: String, Sendable, Codable, CaseIterable {
    case admin, auditor, client
  }
  public var userID: Int64
  public var name: String
  public var role: Role
  /// A client's own organisation.
  public var organisation: Int64?
  /// An auditor's assigned organisations.
  public var assigned: Set<Int64>
  public var tokenID: Int64

  /// Whether this principal may see anything of organisation `id`. Callers answer 404 when
  /// not, so that another organisation's existence is not revealed.
  func canSee(organisation id: Int64) -> Bool {
    switch role {
    case .admin: true
    case .auditor: assigned.contains(id)
    case .client: organisation == id
    }
  }

  var actor: String { "user:\(userID):\(name)" }
}

/// The request context: the authenticated principal and the peer's address (rate limiting).
public struct ServiceRequestContext: AuthRequestContext, RequestContext {
  public var coreContext: CoreRequestContextStorage
  public var identity: Principal?
  public var peer: String

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    identity = nil
    peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
  }

  /// 401 problem when no valid token came with the request.
  func principal() throws -> Principal {
    guard let identity else {
      throw Problem(
        .unauthorized, code: "auth.required",
        detail: "a valid bearer token is required (Authorization: Bearer cst_...)")
    }
    return identity
  }

  /// Like `principal()`, but 403 unless the role is one of `roles`.
  func require(_ roles: Principal.Role...) throws -> Principal {
    let principal = try principal()
    guard roles.contains(principal.role) else {
      throw Problem(
        .forbidden, code: "auth.forbidden",
        detail: "role \(principal.role.rawValue) may not do this")
    }
    return principal
  }
}

/// An RFC 9457 problem document. `code` is a stable machine-readable code: the CLI's diagnostic
/// code where one applies (a standard that does not compile), else a `area.reason` code.
public struct Problem: HTTPResponseError, Sendable {
  public var status: HTTPResponse.Status
  public var code: String
  public var detail: String
  public var extra: [String: [String]] = [:]
  var headers: HTTPFields = [:]

  init(
    _ status: HTTPResponse.Status, code: String, detail: String, extra: [String: [String]] = [:]
  ) {
    self.status = status
    self.code = code
    self.detail = detail
    self.extra = extra
  }

  static func notFound(_ what: String) -> Problem {
    Problem(.notFound, code: "not-found", detail: "no \(what) with that id")
  }

  static func badRequest(_ code: String, _ detail: String) -> Problem {
    Problem(.badRequest, code: code, detail: detail)
  }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    var object: [String: Any] = [
      "type": "urn:custody:problem:\(code)",
      "title": status.reasonPhrase,
      "status": status.code,
      "detail": detail,
      "code": code,
      "instance": request.uri.path,
    ]
    for (key, value) in extra { object[key] = value }
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
      ?? Data("{}".utf8)
    var fields = headers
    fields[.contentType] = "application/problem+json"
    return Response(
      status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}

/// Turns every error into a problem document (Hummingbird's own 404 for an unknown route and
/// 413 for an oversized body included) and adds the security headers to every response.
struct ProblemAndHeadersMiddleware: RouterMiddleware {
  typealias Context = ServiceRequestContext

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    var response: Response
    do {
      response = try await next(request, context)
    } catch let problem as Problem {
      response = try problem.response(from: request, context: context)
    } catch let rejection as UploadRejection {
      response = try Problem(
        HTTPResponse.Status(code: rejection.status), code: rejection.code,
        detail: rejection.detail
      ).response(from: request, context: context)
    } catch is NIOTooManyBytesError {
      // request.body.collect(upTo:) stopped reading at the bound.
      response = try Problem(
        .contentTooLarge, code: "upload.body-too-large",
        detail: "the request body is larger than the service accepts"
      ).response(from: request, context: context)
    } catch let error as HTTPError {
      let code: String
      switch error.status {
      case .notFound: code = "not-found"
      case .contentTooLarge: code = "upload.body-too-large"
      case .methodNotAllowed: code = "method-not-allowed"
      default: code = "http.\(error.status.code)"
      }
      response = try Problem(
        error.status, code: code, detail: error.body ?? error.status.reasonPhrase
      ).response(from: request, context: context)
    } catch {
      context.logger.error("unhandled error: \(error)")
      response = try Problem(
        .internalServerError, code: "internal", detail: "internal error; see the service log"
      ).response(from: request, context: context)
    }
    response.headers[.xContentTypeOptions] = "nosniff"
    response.headers[.xFrameOptions] = "DENY"
    // A handler may set a looser policy for what it serves (the HTML report, the web pages).
    if response.headers[.contentSecurityPolicy] == nil {
      response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
    }
    response.headers[.referrerPolicy] = "no-referrer"
    if response.headers[.cacheControl] == nil {
      response.headers[.cacheControl] = "no-store"
    }
    return response
  }
}

extension HTTPField.Name {
  static let xFrameOptions = Self("X-Frame-Options")!
  static let referrerPolicy = Self("Referrer-Policy")!
  static let xContentTypeOptionsField = Self("X-Content-Type-Options")!
}

/// JSON responses: sorted keys so a response is stable for ETags and tests.
enum JSON {
  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  static func response(
    _ value: some Encodable, status: HTTPResponse.Status = .ok, etag: String? = nil,
    request: Request? = nil
  ) throws -> Response {
    let data = try encoder.encode(value)
    var headers: HTTPFields = [.contentType: "application/json"]
    if let etag {
      let quoted = "\"\(etag)\""
      headers[.eTag] = quoted
      headers[.cacheControl] = "private, max-age=31536000, immutable"
      if let request, request.headers[.ifNoneMatch] == quoted {
        return Response(status: .notModified, headers: headers)
      }
    }
    return Response(
      status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = 1 << 20)
    async throws -> T
  {
    let buffer = try await request.body.collect(upTo: limit)
    do {
      return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
    } catch {
      throw Problem.badRequest(
        "request.invalid-json", "the body is not the expected JSON: \(error)")
    }
  }
}
