import CustodyKit
import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// The bounded worker pool: `workers` loops claim pending runs from the `run` table (the
/// durable queue) one at a time. Graceful shutdown stops claiming and lets running jobs
/// finish; a crash leaves them `running`, and the next start puts them back to `pending`.
final class WorkerPool: Service, Sendable {
  let state: ServiceState
  /// A run that was interrupted this many times is failed instead of retried (a poison input
  /// that kills the process must not loop forever).
  static let maxAttempts = 3

  init(state: ServiceState) { self.state = state }

  /// Called before the server accepts requests.
  static func requeueInterrupted(_ state: ServiceState) throws -> Int {
    try state.database.write { db in
      let ids = try Int64.fetchAll(db, sql: "SELECT id FROM run WHERE status = 'running'")
      for id in ids {
        try db.execute(
          sql: "UPDATE run SET status = 'pending', started_at = NULL WHERE id = ?", arguments: [id])
        try AuditLog.append(
          db, actor: "system:recovery", action: "run.requeued", object: "run:\(id)",
          organisation: organisationOfRun(db, id))
      }
      return ids.count
    }
  }

  static func organisationOfRun(_ db: Database, _ id: Int64) throws -> Int64? {
    try Int64.fetchOne(
      db,
      sql:
        "SELECT submission.organisation_id FROM run JOIN submission ON submission.id = run.submission_id WHERE run.id = ?",
      arguments: [id])
  }

  func run() async throws {
    let count = max(1, state.configuration.workers)
    await withTaskGroup(of: Void.self) { group in
      for worker in 0..<count {
        group.addTask { await self.loop(worker) }
      }
    }
    state.logger.info("workers stopped")
  }

  private func loop(_ worker: Int) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      do {
        if let job = try claim() {
          await execute(job)
          continue
        }
      } catch {
        state.logger.error("worker \(worker): cannot claim a run: \(error)")
      }
      try? await Task.sleep(for: .milliseconds(100))
    }
  }

  struct Job: Sendable {
    var run: Int64
    var submission: Int64
    var organisation: Int64
    var bundle: String
    var entry: String
    var profile: String?
    var files: [(name: String, sha256: String)]
    var attempts: Int
    /// The signed report (object sha256) of the submission's previous-period run, if named.
    var previousSigned: String? = nil
  }

  /// Claims the oldest pending run in one write transaction (SQLite serialises writers, so two
  /// workers never claim the same run).
  func claim() throws -> Job? {
    try state.database.write { db -> Job? in
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT run.id, run.submission_id, run.bundle_digest, run.attempts, bundle.entry,
                   submission.organisation_id, submission.profile_sha256,
                   previous.signed_sha256 AS previous_signed
            FROM run JOIN bundle ON bundle.digest = run.bundle_digest
                     JOIN submission ON submission.id = run.submission_id
                     LEFT JOIN run AS previous ON previous.id = submission.previous_run_id
            WHERE run.status = 'pending' ORDER BY run.id LIMIT 1
            """)
      else { return nil }
      let id: Int64 = row["id"]
      let attempts: Int = row["attempts"]
      let organisation: Int64 = row["organisation_id"]
      if attempts >= Self.maxAttempts {
        let message = "gave up after \(attempts) interrupted attempts"
        try db.execute(
          sql: "UPDATE run SET status = 'failed', error = ?, finished_at = ? WHERE id = ?",
          arguments: [message, Clock.now(), id])
        try AuditLog.append(
          db, actor: "system:worker", action: "run.failed", object: "run:\(id)",
          organisation: organisation, details: ["error": message])
        return nil
      }
      try db.execute(
        sql:
          "UPDATE run SET status = 'running', started_at = ?, attempts = attempts + 1 WHERE id = ?",
        arguments: [Clock.now(), id])
      let submission: Int64 = row["submission_id"]
      let files = try Row.fetchAll(
        db, sql: "SELECT name, sha256 FROM submission_file WHERE submission_id = ? ORDER BY name",
        arguments: [submission]
      ).map { (name: $0["name"] as String, sha256: $0["sha256"] as String) }
      return Job(
        run: id, submission: submission, organisation: organisation, bundle: row["bundle_digest"],
        entry: row["entry"], profile: row["profile_sha256"], files: files, attempts: attempts + 1,
        previousSigned: row["previous_signed"])
    }
  }

  /// Runs the validation pipeline on a thread of its own (it is blocking and CPU-bound, so it
  /// stays off the cooperative pool), then records the outcome.
  func execute(_ job: Job) async {
    let started = Date()
    let state = self.state
    let outcome: RunOutcome = await withCheckedContinuation { continuation in
      Thread.detachNewThread {
        continuation.resume(returning: RunExecutor(state: state).run(job))
      }
    }
    let seconds = Date().timeIntervalSince(started)
    do {
      try await state.database.write { db in
        switch outcome {
        case .done(let result):
          try db.execute(
            sql: """
              UPDATE run SET status = 'done', finished_at = ?, verdict = ?, major = ?, minor = ?,
                observation = ?, findings = ?, report_sha256 = ?, signed_sha256 = ?, error = NULL
              WHERE id = ? AND status = 'running'
              """,
            arguments: [
              Clock.now(), result.verdict, result.major, result.minor, result.observation,
              result.findings, result.reportSHA256, result.signedSHA256, job.run,
            ])
          try AuditLog.append(
            db, actor: "system:worker", action: "run.done", object: "run:\(job.run)",
            organisation: job.organisation,
            details: [
              "verdict": result.verdict, "report_sha256": result.reportSHA256,
              "signed_sha256": result.signedSHA256, "bundle": job.bundle,
            ])
        case .failed(let code, let message):
          try db.execute(
            sql:
              "UPDATE run SET status = 'failed', finished_at = ?, error = ? WHERE id = ? AND status = 'running'",
            arguments: [Clock.now(), "\(code): \(message)", job.run])
          try AuditLog.append(
            db, actor: "system:worker", action: "run.failed", object: "run:\(job.run)",
            organisation: job.organisation, details: ["code": code, "error": message])
        }
      }
    } catch {
      state.logger.error("run \(job.run): cannot record the outcome: \(error)")
    }
    switch outcome {
    case .done(let result):
      state.metrics.runFinished(status: "done", seconds: seconds)
      state.logger.info(
        "run done",
        metadata: ["run": "\(job.run)", "verdict": "\(result.verdict)", "seconds": "\(seconds)"])
    case .failed(let code, _):
      state.metrics.runFinished(status: "failed", seconds: seconds)
      state.logger.warning("run failed", metadata: ["run": "\(job.run)", "code": "\(code)"])
    }
  }
}

enum RunOutcome: Sendable {
  struct Done: Sendable {
    var verdict: String
    var major: Int
    var minor: Int
    var observation: Int
    var findings: Int
    var reportSHA256: String
    var signedSHA256: String
  }
  case done(Done)
  case failed(code: String, message: String)
}

/// One run: lay the inputs out in a scratch folder, call the CLI's pipeline, store the report.
///
/// The scratch folder mirrors what a person running the CLI has: the bundle's tree
/// (`standards/…`, `rules/…`) and the ledger under `ledger/` (and `profile.yaml`). Paths in the
/// report are made relative to that folder, so the stored report is byte for byte what
/// `custody validate --standard ENTRY --ledger ledger [--profile profile.yaml] --format json
/// --deterministic` prints when run from such a folder.
struct RunExecutor {
  let state: ServiceState

  func run(_ job: WorkerPool.Job) -> RunOutcome {
    let directory = state.directory
    let bundleRoot = directory.bundleURL(job.bundle)
    let work = directory.work.appendingPathComponent("run-\(job.run)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: work) }
    do {
      // The bundle tree is copied (not linked: a resolved link would put the bundle's own
      // path into the report), the ledger copied from objects.
      try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
      for item in try FileManager.default.contentsOfDirectory(atPath: bundleRoot.path) {
        try FileManager.default.copyItem(
          at: bundleRoot.appendingPathComponent(item), to: work.appendingPathComponent(item))
      }
      let ledger = work.appendingPathComponent("ledger", isDirectory: true)
      try FileManager.default.createDirectory(at: ledger, withIntermediateDirectories: true)
      for file in job.files {
        try FileManager.default.copyItem(
          at: directory.objectURL(file.sha256), to: ledger.appendingPathComponent(file.name))
      }
      var profilePath: String?
      if let profile = job.profile {
        let url = work.appendingPathComponent("profile.yaml")
        try FileManager.default.copyItem(at: directory.objectURL(profile), to: url)
        profilePath = url.path
      }
      if let hold = state.configuration.holdRunsWhileFileExists {
        state.logger.notice("run held", metadata: ["run": "\(job.run)", "while": "\(hold)"])
        while FileManager.default.fileExists(atPath: hold) { Thread.sleep(forTimeInterval: 0.02) }
      }
      var request = ValidationPipeline.Request(
        standardPath: work.appendingPathComponent(job.entry).path, ledgerPath: ledger.path,
        profilePath: profilePath, asOf: Self.today, deterministic: true,
        toolVersion: state.configuration.toolVersion, sources: SourceCache())
      // `validate --previous previous.json --key previous.pub`: the previous run's signed
      // report, checked against the service's own public key like any other.
      if let previous = job.previousSigned {
        let report = work.appendingPathComponent("previous.json")
        let key = work.appendingPathComponent("previous.pub")
        try FileManager.default.copyItem(at: directory.objectURL(previous), to: report)
        try FileManager.default.copyItem(at: directory.publicKey, to: key)
        request.previous = PreviousPeriod(report: report.path, key: key.path)
      }
      switch ValidationPipeline.run(request) {
      case .invalidInput(let diagnostics, _):
        let first = diagnostics.first
        return .failed(
          code: first.map { "\($0.code)" } ?? "invalid-input",
          message: Self.relative(
            diagnostics.prefix(20).map { "\($0)" }.joined(separator: "\n"), to: work))
      case .unreadableLedger(let diagnostic):
        return .failed(
          code: "\(diagnostic.code)", message: Self.relative("\(diagnostic)", to: work))
      case .evaluated(let report, _, _):
        let relativeReport = try Self.relative(report, to: work)
        let json = try ReportFormat.json.renderData(relativeReport)
        let signed = try ReportFormat.json.renderData(try state.signer.signer.sign(relativeReport))
        let reportSHA = try directory.storeObject(json)
        let signedSHA = try directory.storeObject(signed)
        let summary = relativeReport.summary
        return .done(
          .init(
            verdict: relativeReport.verdict.rawValue, major: summary.major, minor: summary.minor,
            observation: summary.observation, findings: summary.findings, reportSHA256: reportSHA,
            signedSHA256: signedSHA))
      }
    } catch {
      return .failed(code: "run.internal", message: "\(error)")
    }
  }

  /// Reports and diagnostics name files by the paths the pipeline was given; make every path
  /// under the scratch folder relative to it (see the type's comment).
  static func relative(_ text: String, to work: URL) -> String {
    text.replacingOccurrences(of: work.path + "/", with: "")
  }

  /// Rewrites every string of the report through its JSON form, so that no path-bearing field
  /// (present or added later to the model) is missed.
  static func relative(_ report: Report, to work: URL) throws -> Report {
    // The mass-balance statement names no file, and its nesting (book, account, period) took
    // the recursive JSONValue round trip past a worker thread's stack: it is carried over.
    var shallow = report
    shallow.statement = nil
    let tree = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(shallow))
    let rewritten = tree.mapStrings { relative($0, to: work) }
    var result = try JSONDecoder().decode(Report.self, from: try JSONEncoder().encode(rewritten))
    result.statement = report.statement
    return result
  }

  /// Today's date in UTC, the CLI's default `--as-of`.
  static var today: CivilDate {
    CivilDate(dayNumber: Int32(Int(Date().timeIntervalSince1970 / 86_400)))
  }
}

/// A JSON document as a value (Foundation's JSONSerialization blurs booleans and numbers on
/// Linux; this keeps them apart).
enum JSONValue: Codable, Sendable, Equatable {
  case null, bool(Bool), int(Int64), double(Double), string(String)
  case array([JSONValue]), object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .int(value)
    } else if let value = try? container.decode(Double.self) {
      self = .double(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .int(let value): try container.encode(value)
    case .double(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  func mapStrings(_ transform: (String) -> String) -> JSONValue {
    switch self {
    case .string(let value): .string(transform(value))
    case .array(let values): .array(values.map { $0.mapStrings(transform) })
    case .object(let values): .object(values.mapValues { $0.mapStrings(transform) })
    default: self
    }
  }

  subscript(key: String) -> JSONValue? {
    if case .object(let values) = self { return values[key] }
    return nil
  }
  var string: String? { if case .string(let value) = self { value } else { nil } }
  var int: Int64? { if case .int(let value) = self { value } else { nil } }
  var array: [JSONValue] { if case .array(let values) = self { values } else { [] } }
}
