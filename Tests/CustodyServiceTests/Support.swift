import CustodyService
import Foundation
import Hummingbird
import ServiceLifecycle
import Testing
import ZIPFoundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The repository root (fixtures/, standards/, rules/).
let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `custody` executable built beside this test binary.
let custodyExecutable: URL = {
  let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("custody")
  if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
  return repositoryRoot.appendingPathComponent(".build/debug/custody")
}()

/// `custody --version`: the tool version every report carries.
let toolVersion: String = {
  (try? runProcess(custodyExecutable, ["--version"]).stdout.trimmingCharacters(
    in: .whitespacesAndNewlines))
    ?? "0.1.0"
}()

func temporaryDirectory(_ name: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("custody-service-\(name)-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

struct ProcessResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs a program to completion (stdout and stderr to files, so a full pipe never blocks it).
@discardableResult
func runProcess(_ executable: URL, _ arguments: [String], cwd: URL? = nil) throws -> ProcessResult {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let cwd { process.currentDirectoryURL = cwd }
  let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
  let out = scratch.appendingPathExtension("out")
  let err = scratch.appendingPathExtension("err")
  FileManager.default.createFile(atPath: out.path, contents: nil)
  FileManager.default.createFile(atPath: err.path, contents: nil)
  process.standardOutput = try FileHandle(forWritingTo: out)
  process.standardError = try FileHandle(forWritingTo: err)
  try process.run()
  process.waitUntilExit()
  defer {
    try? FileManager.default.removeItem(at: out)
    try? FileManager.default.removeItem(at: err)
  }
  return ProcessResult(
    status: process.terminationStatus,
    stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
    stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}

/// A `custody serve` started in this process on 127.0.0.1 (port 0) with SQLite on disk in a
/// temporary folder.
final class TestServer: Sendable {
  let data: URL
  let adminToken: String
  let port: Int
  let group: ServiceGroup
  let task: Task<Void, any Error>

  static func start(
    _ name: String, workers: Int = 2, configure: (inout ServiceConfiguration) -> Void = { _ in }
  )
    async throws -> TestServer
  {
    let data = try temporaryDirectory(name).appendingPathComponent("data")
    let token = try ServiceSetup.initialise(data: data.path)
    var configuration = ServiceConfiguration(data: data.path, toolVersion: toolVersion)
    configuration.port = 0
    configuration.workers = workers
    configuration.logLevel = .warning
    configure(&configuration)
    let server = try CustodyServer(configuration: configuration)
    let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = server.application { port in continuation.yield(port) }
    let group = ServiceGroup(
      configuration: .init(services: [app], logger: .init(label: "test")))
    let task = Task { try await group.run() }
    var port = 0
    for await bound in stream {
      port = bound
      break
    }
    return TestServer(data: data, adminToken: token, port: port, group: group, task: task)
  }

  init(data: URL, adminToken: String, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
    self.data = data
    self.adminToken = adminToken
    self.port = port
    self.group = group
    self.task = task
  }

  func stop() async {
    await group.triggerGracefulShutdown()
    _ = try? await task.value
  }

  var client: HTTPClient { HTTPClient(port: port) }
}

/// A small HTTP client over URLSession for loopback.
struct HTTPClient: Sendable {
  let port: Int

  struct Reply: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data
    var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? {
      headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
  }

  func send(
    _ method: String, _ path: String, token: String? = nil, body: Data? = nil,
    contentType: String? = nil, headers: [String: String] = [:]
  ) async throws -> Reply {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.httpMethod = method
    request.timeoutInterval = 60
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    request.httpBody = body
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
    return Reply(status: http.statusCode, headers: fields, body: data)
  }

  func json(_ method: String, _ path: String, token: String?, _ object: [String: Any]) async throws
    -> Reply
  {
    try await send(
      method, path, token: token, body: try JSONSerialization.data(withJSONObject: object),
      contentType: "application/json")
  }

  /// Polls a run until it is done or failed.
  func waitForRun(_ id: Int, token: String, timeout: Double = 600) async throws -> [String: Any] {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let reply = try await send("GET", "/api/v1/runs/\(id)", token: token)
      let status = reply.json["status"] as? String
      if status == "done" || status == "failed" { return reply.json }
      try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("run \(id) did not finish in \(timeout) s")
    return [:]
  }
}

/// multipart/form-data body.
func multipart(fields: [String: String], files: [(field: String, name: String, data: Data)]) -> (
  Data, String
) {
  let boundary = "custody-\(UUID().uuidString)"
  var body = Data()
  for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
    body.append(
      Data(
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8
      ))
  }
  for file in files {
    body.append(
      Data(
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
          .utf8))
    body.append(file.data)
    body.append(Data("\r\n".utf8))
  }
  body.append(Data("--\(boundary)--\r\n".utf8))
  return (body, "multipart/form-data; boundary=\(boundary)")
}

/// A zip of `files` (path -> bytes), deflated.
func makeZip(_ files: [(String, Data)]) throws -> Data {
  let archive = try Archive(data: Data(), accessMode: .create)
  for (path, data) in files {
    try archive.addEntry(
      with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
    ) { position, size in
      data.subdata(in: Int(position)..<Int(position) + size)
    }
  }
  return archive.data!
}

/// The Cu-again bundle as the certifier would pack it: standards/cu-again-coc.yaml with its
/// schema, and rules/ (books included).
func cuAgainBundle() throws -> Data {
  var files: [(String, Data)] = []
  let fm = FileManager.default
  for folder in ["standards/schema", "rules"] {
    let root = repositoryRoot.appendingPathComponent(folder)
    for case let path as String in fm.enumerator(atPath: root.path)! {
      let url = root.appendingPathComponent(path)
      var isDirectory: ObjCBool = false
      fm.fileExists(atPath: url.path, isDirectory: &isDirectory)
      if !isDirectory.boolValue { files.append(("\(folder)/\(path)", try Data(contentsOf: url))) }
    }
  }
  files.append(
    (
      "standards/cu-again-coc.yaml",
      try Data(contentsOf: repositoryRoot.appendingPathComponent("standards/cu-again-coc.yaml"))
    ))
  return try makeZip(files.sorted { $0.0 < $1.0 })
}

/// The CSV files of a fixture folder.
func fixtureFiles(_ relative: String) throws -> [(String, Data)] {
  let root = repositoryRoot.appendingPathComponent(relative)
  return try FileManager.default.contentsOfDirectory(atPath: root.path).filter {
    $0.hasSuffix(".csv")
  }.sorted()
    .map { ($0, try Data(contentsOf: root.appendingPathComponent($0))) }
}

/// What the CLI prints for the same inputs, laid out as the service lays out a run: the bundle's
/// standards/ and rules/, the ledger under ledger/ and the profile as profile.yaml.
func cliReport(fixture: String, extra: [String] = []) throws -> Data {
  try cliReport(files: try fixtureFiles(fixture), extra: extra)
}

func cliReport(files: [(String, Data)], profile: Data? = nil, extra: [String] = []) throws -> Data {
  let work = try temporaryDirectory("cli")
  defer { try? FileManager.default.removeItem(at: work) }
  let fm = FileManager.default
  try fm.createDirectory(
    at: work.appendingPathComponent("standards"), withIntermediateDirectories: true)
  try fm.copyItem(
    at: repositoryRoot.appendingPathComponent("standards/schema"),
    to: work.appendingPathComponent("standards/schema"))
  try fm.copyItem(
    at: repositoryRoot.appendingPathComponent("standards/cu-again-coc.yaml"),
    to: work.appendingPathComponent("standards/cu-again-coc.yaml"))
  try fm.copyItem(
    at: repositoryRoot.appendingPathComponent("rules"), to: work.appendingPathComponent("rules"))
  try fm.createDirectory(
    at: work.appendingPathComponent("ledger"), withIntermediateDirectories: true)
  for (name, data) in files {
    try data.write(to: work.appendingPathComponent("ledger/\(name)"))
  }
  var arguments = [
    "validate", "--standard", "standards/cu-again-coc.yaml", "--ledger", "ledger", "--format",
    "json", "--deterministic",
  ]
  if let profile {
    try profile.write(to: work.appendingPathComponent("profile.yaml"))
    arguments += ["--profile", "profile.yaml"]
  }
  let result = try runProcess(custodyExecutable, arguments + extra, cwd: work)
  return Data(result.stdout.utf8)
}
