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

  init(data: URL, workers: Int = 1, holdRunsWhile hold: URL? = nil) throws {
    log = data.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.executableURL = custodyExecutable
    process.arguments =
      [
        "serve", "--data", data.path, "--port", "0", "--workers", String(workers), "--log-level",
        "notice",
      ] + (hold.map { ["--hold-runs-while", $0.path] } ?? [])
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

/// Acceptance 3: SIGKILL while a run is in progress; after a restart on the same data
/// directory every run completes once (the interrupted one with the report an uninterrupted
/// run gives), nothing uploaded is lost, and the audit chain verifies.
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

    // One worker that holds every run it claims while `hold` exists: the first run is
    // certainly in progress (claimed, scratch folder laid out) when the process is killed, and
    // the five after it are certainly still pending, however loaded the machine is.
    let hold = root.appendingPathComponent("hold")
    FileManager.default.createFile(atPath: hold.path, contents: nil)
    let first = try ServeProcess(data: data, workers: 1, holdRunsWhile: hold)
    try await first.start()
    var http = HTTPClient(port: first.port)
    let org = try await http.json(
      "POST", "/api/v1/organisations", token: token, ["slug": "acme", "name": "Acme"])
    let orgID = try #require(org.json["id"] as? Int)
    let bundle = try await http.send(
      "POST", "/api/v1/bundles", token: token, body: try cuAgainBundle(),
      contentType: "application/zip")
    let digest = try #require(bundle.json["digest"] as? String)
    var ledgers: [(files: [(String, Data)], verdict: String)] = []
    for index in 0..<6 {
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
    let victim = runs[0]

    // Wait until the worker holds the first run, then kill -9.
    let deadline = Date().addingTimeInterval(300)
    var status: String?
    while Date() < deadline {
      status =
        try await http.send("GET", "/api/v1/runs/\(victim)", token: token).json["status"]
        as? String
      if status == "running", first.logText.contains("run held") { break }
      try await Task.sleep(for: .milliseconds(50))
    }
    #expect(status == "running", "\(first.logText)")
    let work = data.appendingPathComponent("work")
    let scratch = try FileManager.default.contentsOfDirectory(atPath: work.path)
    #expect(scratch.count == 1 && scratch.first?.hasPrefix("run-\(victim)-") == true, "\(scratch)")
    kill(first.process.processIdentifier, SIGKILL)
    first.process.waitUntilExit()
    #expect(first.process.terminationReason == .uncaughtSignal)
    #expect(first.process.terminationStatus == SIGKILL)
    let statusesAtKill = try await DatabaseQueue(
      path: data.appendingPathComponent("custody.sqlite").path
    ).read {
      try String.fetchAll($0, sql: "SELECT status FROM run ORDER BY id")
    }
    #expect(statusesAtKill == ["running"] + Array(repeating: "pending", count: 5))

    // Restart on the same data directory, without the hold: the interrupted run goes back to
    // pending (logged, audited below), its scratch folder is cleared, and every run completes.
    try FileManager.default.removeItem(at: hold)
    let second = try ServeProcess(data: data, workers: 2)
    try await second.start()
    #expect(
      second.logText.contains("put 1 interrupted run(s) back to pending"), "\(second.logText)")
    #expect(
      !((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).contains {
        scratch.contains($0)
      })
    http = HTTPClient(port: second.port)
    for (index, run) in runs.enumerated() {
      let done = try await http.waitForRun(run, token: token)
      #expect(done["status"] as? String == "done", "run \(run): \(done)")
      #expect(done["verdict"] as? String == ledgers[index].verdict, "run \(run)")
    }
    let victimRun = try await http.send("GET", "/api/v1/runs/\(victim)", token: token)
    #expect(victimRun.json["attempts"] as? Int == 2)
    #expect(
      (try await http.send("GET", "/api/v1/runs/\(runs[2])", token: token)).json["attempts"]
        as? Int == 1)

    // The interrupted run's report is byte for byte the CLI's for the same inputs, and the
    // report of an uninterrupted run of the same ledger.
    let victimReport = try await http.send(
      "GET", "/api/v1/runs/\(victim)/report?format=unsigned-json", token: token)
    #expect(victimReport.status == 200)
    #expect(victimReport.body == (try cliReport(fixture: "fixtures/sample")))
    let twinReport = try await http.send(
      "GET", "/api/v1/runs/\(runs[2])/report?format=unsigned-json", token: token)
    #expect(victimReport.body == twinReport.body)

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
