import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The OpenAPI 3.1 document (Sources/CustodyService/openapi.yaml), served at
/// /api/v1/openapi.yaml.
enum OpenAPIDocument {
  static let bytes: [UInt8] = {
    guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
      let data = try? Data(contentsOf: url)
    else { return Array("openapi: 3.1.0\n# openapi.yaml missing from the resource bundle\n".utf8) }
    return [UInt8](data)
  }()
}

/// `custody serve`: the HTTP API, the worker pool and the database, as one ServiceGroup.
public struct CustodyServer: Sendable {
  let state: ServiceState

  /// Opens DIR (refusing one that `custody serve init` did not create), migrates the database,
  /// clears scratch folders and puts runs interrupted by a crash back to pending.
  public init(configuration: ServiceConfiguration, logger: Logger? = nil) throws {
    var logger = logger ?? Logger(label: "custody.serve")
    logger.logLevel = configuration.logLevel
    state = try ServiceState(configuration: configuration, logger: logger)
    try state.directory.clearScratch()
    let requeued = try WorkerPool.requeueInterrupted(state)
    if requeued > 0 { logger.notice("put \(requeued) interrupted run(s) back to pending") }
  }

  /// The router's routes ("METHOD /path"), for the authorisation matrix test.
  public var routes: [String] {
    Routes.build(state).routes.map { "\($0.method.rawValue) \($0.path)" }
  }

  /// The application: HTTP server plus the worker pool. `onRunning` gets the bound port (useful
  /// with port 0).
  public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    -> some ApplicationProtocol
  {
    let configuration = state.configuration
    var app = Application(
      router: Routes.build(state),
      configuration: .init(
        address: .hostname(configuration.host, port: configuration.port),
        serverName: nil),
      onServerRunning: { channel in
        await onRunning(channel.localAddress?.port ?? 0)
      },
      logger: state.logger)
    app.addServices(WorkerPool(state: state))
    return app
  }

  /// Runs until SIGTERM or SIGINT, then shuts down gracefully: stop accepting, finish requests,
  /// let running validations finish (anything cut short by a kill is re-queued on next start).
  public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    try await application(onRunning: onRunning).runService()
  }
}
