import CustodyService
import Foundation
import GRDB
import Synchronization
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A browser as far as the pages care: keeps its own cookies (none shared with other
/// browsers), never follows redirects (tests assert the exact 303), posts forms.
final class Browser: NSObject, URLSessionTaskDelegate, Sendable {
  let port: Int
  private let jar = Mutex<[String: String]>([:])
  private let session = Mutex<URLSession?>(nil)

  init(port: Int) {
    self.port = port
    super.init()
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieAcceptPolicy = .never
    configuration.httpShouldSetCookies = false
    configuration.httpCookieStorage = nil
    session.withLock {
      $0 = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }
  }

  func urlSession(
    _ session: URLSession, task: URLSessionTask,
    willPerformHTTPRedirection response: HTTPURLResponse,
    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
  ) {
    completionHandler(nil)
  }

  var cookies: [String: String] {
    get { jar.withLock { $0 } }
    set { jar.withLock { $0 = newValue } }
  }

  func cookie(_ name: String) -> String? { jar.withLock { $0[name] } }

  func send(
    _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
    headers: [String: String] = [:]
  ) async throws -> HTTPClient.Reply {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.httpMethod = method
    request.timeoutInterval = 120
    let cookieHeader = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      .joined(separator: "; ")
    if !cookieHeader.isEmpty { request.setValue(cookieHeader, forHTTPHeaderField: "Cookie") }
    if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    request.httpBody = body
    let urlSession = session.withLock { $0! }
    let (data, response) = try await urlSession.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
    // Set-Cookie: NAME=VALUE; attributes. Max-Age=0 deletes.
    let reply = HTTPClient.Reply(status: http.statusCode, headers: fields, body: data)
    for line in Self.setCookies(reply) {
      guard let pair = line.split(separator: ";").first,
        let equals = pair.firstIndex(of: "=")
      else { continue }
      let name = String(pair[..<equals]).trimmingCharacters(in: .whitespaces)
      let value = String(pair[pair.index(after: equals)...])
      jar.withLock { jar in
        if line.contains("Max-Age=0") || value.isEmpty {
          jar[name] = nil
        } else {
          jar[name] = value
        }
      }
    }
    return reply
  }

  /// The Set-Cookie lines of a reply (Foundation joins repeated headers with ", ").
  static func setCookies(_ reply: HTTPClient.Reply) -> [String] {
    guard let joined = reply.header("Set-Cookie") else { return [] }
    return joined.components(separatedBy: ", custody_").enumerated().map { index, part in
      index == 0 ? part : "custody_" + part
    }
  }

  func get(_ path: String) async throws -> HTTPClient.Reply { try await send("GET", path) }

  /// POSTs an urlencoded form.
  func post(_ path: String, _ fields: [(String, String)]) async throws -> HTTPClient.Reply {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let body = fields.map {
      "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
    }.joined(separator: "&")
    return try await send(
      "POST", path, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded")
  }

  /// Logs in through the login form; returns the login POST's reply.
  @discardableResult
  func logIn(_ name: String, _ password: String, next: String = "/organisations") async throws
    -> HTTPClient.Reply
  {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~/")
    let page = try await get(
      "/login?next=\(next.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")")
    let token = try #require(hidden("_csrf", in: page.text))
    return try await post(
      "/login", [("_csrf", token), ("next", next), ("name", name), ("password", password)])
  }

  /// The session's CSRF token, as the logout form in every page's header carries it.
  func csrf() async throws -> String {
    let page = try await get("/organisations")
    return try #require(
      hidden("_csrf", in: page.text), "no _csrf on /organisations: \(page.status)")
  }
}

/// The value of the hidden input `name` in a page.
func hidden(_ name: String, in html: String) -> String? {
  guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
  let rest = html[range.upperBound...]
  guard let end = rest.firstIndex(of: "\"") else { return nil }
  return String(rest[..<end])
}

/// A service with what the pages show: organisations A and B, the Cu-again bundle, in A a
/// conformant run (fixtures/sample) and a CUA-4.3 run (fixtures/planted/cua-4.3), in B one
/// run; an admin, an auditor of A, a client of A and a client of B, each with a password.
struct WebWorld {
  let server: TestServer
  let orgs: [Int]
  let digest: String
  let submissions: [Int]
  /// A's conformant run, A's CUA-4.3 run, B's run.
  let runs: [Int]
  static let password = "correct horse battery staple"
  static let users = ["admin", "auditor", "client", "bystander"]

  /// `holdRunsWhile`: runs claimed while that file exists wait (ServiceConfiguration's test
  /// hook); the file is created by the test when it wants a run held.
  static func start(_ name: String, workers: Int = 2, holdRunsWhile: String? = nil) async throws
    -> WebWorld
  {
    let server = try await TestServer.start(name, workers: workers) {
      $0.holdRunsWhileFileExists = holdRunsWhile
    }
    let http = server.client
    let admin = server.adminToken
    var orgs: [Int] = []
    for slug in ["org-a", "org-b"] {
      let reply = try await http.json(
        "POST", "/api/v1/organisations", token: admin,
        ["slug": slug, "name": slug == "org-a" ? "Smelter A" : "Refinery B"])
      orgs.append(try #require(reply.json["id"] as? Int))
    }
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: admin, body: try cuAgainBundle(),
      contentType: "application/zip")
    let digest = try #require(bundle.json["digest"] as? String)
    var submissions: [Int] = []
    var runs: [Int] = []
    for (org, fixture, period) in [
      (orgs[0], "fixtures/sample", "2024"), (orgs[0], "fixtures/planted/cua-4.3", "2025"),
      (orgs[1], "fixtures/planted/cua-4.3", "2025"),
    ] {
      let reply = try await http.send(
        "POST", "/api/v1/organisations/\(org)/submissions?period=\(period)&bundle=\(digest)",
        token: admin, body: try makeZip(try fixtureFiles(fixture)),
        contentType: "application/zip")
      submissions.append(try #require(reply.json["id"] as? Int, "\(reply.text)"))
      runs.append(try #require(((reply.json["runs"] as? [[String: Any]])?.first?["id"]) as? Int))
    }
    for run in runs {
      let done = try await http.waitForRun(run, token: admin)
      #expect(done["status"] as? String == "done", "run \(run): \(done)")
    }
    for (user, body) in [
      (
        "auditor",
        ["name": "auditor", "role": "auditor", "organisations": [orgs[0]]] as [String: Any]
      ),
      ("client", ["name": "client", "role": "client", "organisation": orgs[0]]),
      ("bystander", ["name": "bystander", "role": "client", "organisation": orgs[1]]),
    ] {
      let created = try await http.json("POST", "/api/v1/users", token: admin, body)
      #expect(created.status == 201, "\(user): \(created.text)")
    }
    for user in users {
      try ServiceSetup.setPassword(
        data: server.data.path, user: user, password: password, cost: 4)
    }
    return WebWorld(
      server: server, orgs: orgs, digest: digest, submissions: submissions, runs: runs)
  }

  func browser() -> Browser { Browser(port: server.port) }

  /// A browser logged in as `user`.
  func loggedIn(_ user: String) async throws -> Browser {
    let browser = self.browser()
    let reply = try await browser.logIn(user, Self.password)
    #expect(reply.status == 303, "login \(user): \(reply.status) \(reply.text.prefix(300))")
    return browser
  }

  /// The service's database, opened beside the running service (WAL allows it).
  func database() throws -> DatabaseQueue {
    try DatabaseQueue(path: server.data.appendingPathComponent("custody.sqlite").path)
  }
}
