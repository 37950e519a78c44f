import Crypto
import CustodyKit
import Foundation
import GRDB
import Logging
import Prometheus

/// How `custody serve` runs.
public struct ServiceConfiguration: Sendable {
  public var data: String
  public var host = "127.0.0.1"
  public var port = 8080
  /// Validation workers (default: the machine's cores).
  public var workers = ProcessInfo.processInfo.activeProcessorCount
  public var limits = UploadLimits()
  /// Failed token attempts per peer address within `attemptWindow` seconds before 429.
  public var attemptLimit = 20
  public var attemptWindow = 60.0
  /// Goes into every report's `tool.version`, as the CLI's does.
  public var toolVersion: String
  public var logLevel = Logger.Level.info
  /// Test only (`serve --hold-runs-while FILE`): a worker that has claimed a run and laid out
  /// its scratch folder waits while this file exists, so CrashRecoveryTests can kill the
  /// process while a run is certainly in progress, however loaded the machine is.
  public var holdRunsWhileFileExists: String?

  public init(data: String, toolVersion: String) {
    self.data = data
    self.toolVersion = toolVersion
  }
}

/// What every handler and worker shares. Immutable after start; the database and the
/// metrics registry are thread-safe themselves.
final class ServiceState: Sendable {
  let configuration: ServiceConfiguration
  let directory: DataDirectory
  let database: DatabasePool
  let signer: SigningKey
  let logger: Logger
  let metrics: ServiceMetrics
  let limiter: AttemptLimiter

  init(configuration: ServiceConfiguration, logger: Logger) throws {
    self.configuration = configuration
    directory = DataDirectory(configuration.data)
    guard directory.isInitialised else {
      throw ServiceSetupError(
        "\(directory.root.path) is not an initialised data directory; run `custody serve init --data \(configuration.data)` first"
      )
    }
    database = try ServiceDatabase.open(directory.database)
    signer = try SigningKey(path: directory.signingKey.path)
    self.logger = logger
    metrics = ServiceMetrics()
    limiter = AttemptLimiter(limit: configuration.attemptLimit, window: configuration.attemptWindow)
  }
}

/// The service's Ed25519 key (`custody keygen` format, so `custody verify --key` reads its
/// public half).
struct SigningKey: Sendable {
  /// Raw key bytes (the key type itself is not Sendable).
  let raw: Data
  init(path: String) throws {
    raw = try KeyFile.readPrivateKey(path: path).rawRepresentation
  }
  /// The bytes came from a valid key (`init`), so this does not throw in practice; the error
  /// still reaches the run's caller rather than trapping.
  var signer: Signer {
    get throws { Signer(privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: raw)) }
  }
}

public struct ServiceSetupError: Error, CustomStringConvertible {
  public var description: String
  init(_ description: String) { self.description = description }
}

/// Prometheus metrics (text format at /metrics). A registry per service instance, so tests
/// can run several services in one process.
final class ServiceMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()

  func request(method: String, status: Int) {
    registry.makeCounter(
      name: "custody_http_requests_total",
      labels: [("method", method), ("status", String(status))]
    ).increment()
  }

  func runFinished(status: String, seconds: Double) {
    registry.makeCounter(name: "custody_runs_total", labels: [("status", status)]).increment()
    registry.makeValueHistogram(
      name: "custody_run_seconds", buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
    ).record(seconds)
  }

  func uploaded(kind: String, bytes: Int) {
    registry.makeCounter(name: "custody_uploads_total", labels: [("kind", kind)]).increment()
    registry.makeCounter(name: "custody_upload_bytes_total", labels: [("kind", kind)])
      .increment(by: Int64(bytes))
  }

  func setQueue(pending: Int, running: Int) {
    registry.makeGauge(name: "custody_runs_queued", labels: [("status", "pending")]).set(
      Double(pending))
    registry.makeGauge(name: "custody_runs_queued", labels: [("status", "running")]).set(
      Double(running))
  }
}
