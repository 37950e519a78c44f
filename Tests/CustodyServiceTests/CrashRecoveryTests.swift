import CustodyReports
import CustodyService
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A real `custody serve` process, its stderr in a file.
final class ServeProcess {
  let process = Process()
  let log: URL
  var port = 0

  init(data: URL, workers: Int = 1) throws {
    log = data.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.executableURL = custodyExecutable
    process.arguments = [
      "serve", "--data", data.path, "--port", "0", "--workers", String(workers), "--log-level",
      "notice",
    ]
    process.standardError = try FileHandle(forWritingTo: log)
    process.standardOutput = FileHandle.nullDevice
  }

  func start() async throws {
    try process.run()
    let deadline = Date().addingTimeInterval(300)
    while Date() < deadline {
      let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      if let range = text.range(of: "listening on http://127.0.0.1:") {
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        if let value = Int(digits), value > 0 {
          port = value
          return
        }
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record(
      "custody serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
  }

  var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
}

/// Acceptance 3: SIGKILL while runs are in progress; after a restart every run completes once,
/// nothing uploaded is lost, and the audit chain verifies.
@Suite struct CrashRecoveryTests {
  @Test func killedWhileRunningThenRestartedCompletesEveryRunOnce() async throws {
    let root = try temporaryDirectory("crash")
    let data = root.appendingPathComponent("data")

    // `serve` refuses a directory that was never initialised.
    let refused = try runProcess(custodyExecutable, ["serve", "--data", data.path, "--port", "0"])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("not an initialised data directory"))
    // `serve init` prints the admin token as its only stdout line, and refuses to run twice.
    let initialised = try runProcess(custodyExecutable, ["serve", "init", "--data", data.path])
    #expect(initialised.status == 0)
    let lines = initialised.stdout.split(separator: "\n")
    #expect(lines.count == 1)
    let token = String(try #require(lines.first))
    #expect(token.hasPrefix("cst_") && token.count > 40)
    #expect(try runProcess(custodyExecutable, ["serve", "init", "--data", data.path]).status == 64)
    let journal = try await DatabaseQueue(path: data.appendingPathComponent("custody.sqlite").path)
      .read {
        try String.fetchOne($0, sql: "PRAGMA journal_mode")
      }
    #expect(journal == "wal")

    let first = try ServeProcess(data: data, workers: 1)
    try await first.start()
    var http = HTTPClient(port: first.port)
    let org = try await http.json(
      "POST", "/api/v1/organisations", token: token, ["slug": "acme", "name": "Acme"])
    let orgID = try #require(org.json["id"] as? Int)
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: token, body: try cuAgainBundle(),
      contentType: "application/zip")
    let digest = try #require(bundle.json["digest"] as? String)
    // First a large generated ledger (a run of several seconds), then five small ones: with one
    // worker the large run is running while the others wait, whatever the machine's load.
    let large = root.appendingPathComponent("large")
    let generated = try runProcess(
      custodyExecutable,
      ["sample", "--out", large.path, "--receipts", "60000", "--shipments", "50000"])
    #expect(generated.status == 0)
    var ledgers: [(files: [(String, Data)], verdict: String)] = [
      (
        try FileManager.default.contentsOfDirectory(atPath: large.path).filter {
          $0.hasSuffix(".csv")
        }.sorted()
          .map { ($0, try Data(contentsOf: large.appendingPathComponent($0))) }, "conformant"
      )
    ]
    for index in 0..<5 {
      ledgers.append(
        index % 2 == 0
          ? (try fixtureFiles("fixtures/sample"), "conformant")
          : (try fixtureFiles("fixtures/planted/cua-4.3"), "non_conformant"))
    }
    var runs: [Int] = []
    var uploaded: [String: String] = [:]  // sha256 -> name
    for (index, ledger) in ledgers.enumerated() {
      for (name, bytes) in ledger.files { uploaded[Digests.sha256Hex(bytes)] = name }
      let reply = try await http.send(
        "POST",
        "/api/v1/organisations/\(orgID)/submissions?period=2025-Q\(index % 4 + 1)&bundle=\(digest)",
        token: token, body: try makeZip(ledger.files), contentType: "application/zip")
      #expect(reply.status == 201)
      runs.append(try #require(((reply.json["runs"] as? [[String: Any]])?.first?["id"]) as? Int))
    }

    // Kill -9 as soon as the large run is running.
    var interrupted: Int?
    let deadline = Date().addingTimeInterval(300)
    while interrupted == nil, Date() < deadline {
      let status =
        try await http.send("GET", "/api/v1/runs/\(runs[0])", token: token).json["status"]
        as? String
      if status == "running" { interrupted = runs[0] }
      if status == "done" { break }
    }
    let victim = try #require(interrupted, "no run was seen running")
    kill(first.process.processIdentifier, SIGKILL)
    first.process.waitUntilExit()
    #expect(first.process.terminationReason == .uncaughtSignal)
    let statusesAtKill = try await DatabaseQueue(
      path: data.appendingPathComponent("custody.sqlite").path
    ).read {
      try String.fetchAll($0, sql: "SELECT status FROM run ORDER BY id")
    }
    #expect(statusesAtKill.contains("running"))
    #expect(statusesAtKill.contains("pending"))

    // Restart: the interrupted run goes back to pending and every run completes.
    let second = try ServeProcess(data: data, workers: 2)
    try await second.start()
    http = HTTPClient(port: second.port)
    for (index, run) in runs.enumerated() {
      let done = try await http.waitForRun(run, token: token)
      #expect(done["status"] as? String == "done", "run \(run): \(done)")
      #expect(done["verdict"] as? String == ledgers[index].verdict, "run \(run)")
    }
    let victimRun = try await http.send("GET", "/api/v1/runs/\(victim)", token: token)
    #expect(victimRun.json["attempts"] as? Int == 2)

    // Each run completed exactly once; the interrupted one was re-queued once.
    let audit = try await http.send("GET", "/api/v1/audit?limit=200", token: token)
    let entries = try #require(audit.json["items"] as? [[String: Any]])
    for run in runs {
      #expect(
        entries.filter {
          $0["action"] as? String == "run.done" && $0["object"] as? String == "run:\(run)"
        }.count == 1)
    }
    #expect(
      entries.filter { $0["action"] as? String == "run.requeued" }.map { $0["object"] as? String }
        == ["run:\(victim)"])

    // Graceful shutdown on SIGTERM.
    kill(second.process.processIdentifier, SIGTERM)
    second.process.waitUntilExit()
    #expect(second.process.terminationStatus == 0, "\(second.logText)")

    // Nothing uploaded is lost: every file is an object whose bytes hash to its name.
    for (sha, name) in uploaded {
      let url = data.appendingPathComponent("objects/\(sha.prefix(2))/\(sha.dropFirst(2))")
      let bytes = try #require(FileManager.default.contents(atPath: url.path), "\(name) lost")
      #expect(Digests.sha256Hex(bytes) == sha)
    }
    let verify = try runProcess(custodyExecutable, ["serve", "audit-verify", "--data", data.path])
    #expect(verify.status == 0)
    #expect(verify.stdout.hasPrefix("audit chain intact: \(entries.count) entries"))

    // Backup through SQLite's online backup: a restorable copy that verifies too.
    let backup = root.appendingPathComponent("backup")
    #expect(
      try runProcess(custodyExecutable, ["serve", "backup", "--data", data.path, backup.path])
        .status == 0)
    #expect(
      try runProcess(custodyExecutable, ["serve", "audit-verify", "--data", backup.path]).status
        == 0)

    // An edited audit entry breaks the chain at that entry (the triggers stop the service's
    // own connection; an attacker with the file drops them first).
    try await DatabaseQueue(path: data.appendingPathComponent("custody.sqlite").path).write { db in
      try db.execute(sql: "DROP TRIGGER audit_no_update")
      try db.execute(sql: "UPDATE audit SET actor = 'user:9:mallory' WHERE id = 3")
    }
    let tampered = try runProcess(
      custodyExecutable, ["serve", "audit-verify", "--data", data.path])
    #expect(tampered.status == 1)
    #expect(tampered.stdout.contains("BROKEN at entry 3"))
    try? FileManager.default.removeItem(at: root)
  }
}
