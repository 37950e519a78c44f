import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore

/// An error shown as a page: the status, what went wrong, the code (the API's problem code
/// where the failure is the API's own), diagnostics, and where to go back to.
struct WebError: Error {
  var status: HTTPResponse.Status
  var code: String?
  var detail: String
  var items: [String] = []
  var back: String?
  var backLabel: String?

  init(
    _ status: HTTPResponse.Status, code: String? = nil, detail: String, items: [String] = [],
    back: String? = nil, backLabel: String? = nil
  ) {
    self.status = status
    self.code = code
    self.detail = detail
    self.items = items
    self.back = back
    self.backLabel = backLabel
  }

  /// The same failure the API would report, as a page.
  init(_ error: any Error, back: String? = nil, backLabel: String? = nil) {
    switch error {
    case let page as WebError:
      self = page
    case let problem as Problem:
      self.init(
        problem.status, code: problem.code, detail: problem.detail,
        items: problem.extra["diagnostics"] ?? [])
    case let rejection as UploadRejection:
      self.init(
        HTTPResponse.Status(code: rejection.status), code: rejection.code, detail: rejection.detail)
    case is NIOTooManyBytesError:
      self.init(
        .contentTooLarge, code: "upload.body-too-large",
        detail: "the upload is larger than the service accepts")
    case let http as HTTPError:
      self.init(http.status, detail: http.body ?? http.status.reasonPhrase)
    default:
      self.init(
        .internalServerError, code: "internal", detail: "internal error; see the service log")
    }
    if back != nil {
      self.back = back
      self.backLabel = backLabel
    }
  }
}

/// A request that needs a login: answered by a redirect to the login page.
struct WebLoginRequired: Error {
  var next: String
}

/// Turns every failure of a page into an HTML error page (inside the layout, with the
/// person's navigation when they are logged in), and a missing login into a 303 to /login.
struct WebErrorMiddleware: RouterMiddleware {
  typealias Context = ServiceRequestContext
  let state: ServiceState

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    do {
      return try await next(request, context)
    } catch let login as WebLoginRequired {
      let target = "/login?next=" + WebForm.percentEncode(login.next)
      return Response(status: .seeOther, headers: [.location: target])
    } catch {
      let page = WebError(error)
      if page.status == .internalServerError {
        context.logger.error("web page failed: \(error)")
      }
      let session = try? await WebSessions.current(request, database: state.database)
      var response = WebRender.page(
        "error", ErrorView(page), title: "\(page.status.code) \(page.status.reasonPhrase)",
        session: session, section: .none, version: state.configuration.toolVersion,
        status: page.status)
      if page.status == .tooManyRequests, case let problem as Problem = error,
        let retry = problem.headers[.retryAfter]
      {
        response.headers[.retryAfter] = retry
      }
      return response
    }
  }
}

struct ErrorView {
  var status: Int
  var title: String
  var detail: String
  var code: String?
  var items: [String]
  var hasItems: Bool
  var back: String?
  var backLabel: String?

  init(_ error: WebError) {
    status = error.status.code
    title = error.status.reasonPhrase
    detail = error.detail
    code = error.code
    items = error.items
    hasItems = !error.items.isEmpty
    back = error.back ?? ([404, 403, 409].contains(error.status.code) ? "/organisations" : nil)
    backLabel = error.backLabel ?? (error.back == nil ? "the organisations" : "the previous page")
  }
}

/// Which navigation entry a page belongs to.
enum WebSection {
  case none, organisations, standards, audit
}

enum WebRender {
  struct Layout {
    var title: String
    var css: String
    var refresh: Int?
    var user: User?
    var body: String
    var version: String
  }

  struct User {
    var name: String
    var role: String
    var csrf: String
    var showAudit: Bool
    var currentOrganisations: Bool
    var currentStandards: Bool
    var currentAudit: Bool
  }

  /// A page: `template` rendered with `view`, inside the layout.
  static func page(
    _ template: String, _ view: Any, title: String, session: WebSessions.Session?,
    section: WebSection, version: String, status: HTTPResponse.Status = .ok, refresh: Int? = nil
  ) -> Response {
    let body = WebTemplates.render(template, view)
    let user = session.map { session in
      User(
        name: session.principal.name, role: session.principal.role.rawValue, csrf: session.csrf,
        showAudit: session.principal.role != .client,
        currentOrganisations: section == .organisations, currentStandards: section == .standards,
        currentAudit: section == .audit)
    }
    let html = WebTemplates.render(
      "layout",
      Layout(
        title: title, css: WebStyle.css, refresh: refresh, user: user, body: body,
        version: version))
    return Response(
      status: status,
      headers: [
        .contentType: "text/html; charset=utf-8",
        .contentSecurityPolicy: WebStyle.contentSecurityPolicy,
      ],
      body: .init(byteBuffer: ByteBuffer(string: html)))
  }

  static func redirect(_ location: String) -> Response {
    Response(status: .seeOther, headers: [.location: location])
  }
}

/// Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data`.
enum WebForm {
  /// Decodes a urlencoded body into name -> value (the last value of a repeated name wins).
  static func urlencoded(_ body: ByteBuffer) -> [String: String] {
    var fields: [String: String] = [:]
    let text = String(buffer: body)
    for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = decode(parts[0])
      let value = parts.count > 1 ? decode(parts[1]) : ""
      if let name { fields[name] = value ?? "" }
    }
    return fields
  }

  private static func decode(_ text: Substring) -> String? {
    text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
  }

  static func percentEncode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~/")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
  }

  struct Part {
    var name: String
    var filename: String?
    var data: Data
  }

  /// The parts of a multipart body (MultipartKit's parser), each bounded by the per-file limit.
  static func multipart(_ body: Data, contentType: String, limits: UploadLimits) throws -> [Part] {
    guard let boundaryRange = contentType.range(of: "boundary=") else {
      throw WebError(
        .badRequest, code: "upload.multipart", detail: "multipart/form-data without a boundary")
    }
    var boundary = String(contentType[boundaryRange.upperBound...])
    if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
    boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    var parts: [Part] = []
    var headers: [(String, String)] = []
    var data = Data()
    var tooLarge = false
    let parser = MultipartParser(boundary: boundary)
    parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
    parser.onBody = { buffer in
      if data.count + buffer.readableBytes > limits.maxFileBytes { tooLarge = true }
      if !tooLarge { data.append(contentsOf: buffer.readableBytesView) }
    }
    parser.onPartComplete = {
      if let disposition = headers.first(where: { $0.0 == "content-disposition" })?.1 {
        parts.append(
          Part(
            name: API.dispositionParameter(disposition, "name") ?? "",
            filename: API.dispositionParameter(disposition, "filename"), data: data))
      }
      headers = []
      data = Data()
    }
    do {
      try parser.execute([UInt8](body))
    } catch {
      throw WebError(
        .badRequest, code: "upload.multipart", detail: "the form's body cannot be read: \(error)")
    }
    if tooLarge {
      throw WebError(
        .contentTooLarge, code: "upload.file-too-large",
        detail: "a file is larger than \(limits.maxFileBytes) bytes")
    }
    return parts
  }
}

/// Labels shared by the pages.
enum WebLabels {
  /// A verdict as stored (its JSON word) in words; an unknown word is shown as it is.
  static func verdict(_ verdict: String?) -> String? {
    guard let verdict else { return nil }
    switch Verdict(rawValue: verdict) {
    case .conformant: return "conformant"
    case .nonConformant: return "non-conformant"
    case .incomplete: return "incomplete"
    case nil: return verdict.replacingOccurrences(of: "_", with: " ")
    }
  }

  /// `2026-12-03T05:54:39.123Z` -> `2026-12-03 05:54 UTC`.
  static func time(_ iso: String?) -> String? {
    guard let iso, iso.count >= 16 else { return iso }
    let date = iso.prefix(10)
    let time = iso.dropFirst(11).prefix(5)
    return "\(date) \(time) UTC"
  }
}
