import ArgumentParser
import CustodyService
import Foundation
import Logging
import Synchronization

extension CustodyCommand {
  /// `custody serve`: the certification body's intake service (docs/service.md).
  struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run the intake service: submissions in, signed verdicts out, history kept.",
      discussion: "See docs/service.md. `custody serve --data DIR` runs the service.",
      subcommands: [
        ServeRun.self, ServeInit.self, ServeBackup.self, ServeAuditVerify.self,
        ServeUserPassword.self,
      ],
      defaultSubcommand: ServeRun.self)
  }

  struct ServeRun: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run", abstract: "Serve HTTP on HOST:PORT from an initialised data directory.")

    @Option(help: "The data directory (made by `custody serve init`).")
    var data: String

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed on stderr).")
    var port = 8080

    @Option(help: "Validation workers (default: the number of cores).")
    var workers: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    /// Test only: see ServiceConfiguration.holdRunsWhileFileExists.
    @Option(help: .hidden)
    var holdRunsWhile: String?

    func validate() throws {
      if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
      if let workers, workers < 1 { throw ValidationError("--workers must be 1 or more") }
      if Logger.Level(rawValue: logLevel) == nil {
        throw ValidationError(
          "--log-level must be one of trace, debug, info, notice, warning, error, critical")
      }
    }

    func run() throws {
      var configuration = ServiceConfiguration(data: data, toolVersion: CustodyCommand.version)
      configuration.host = host
      configuration.port = port
      if let workers { configuration.workers = workers }
      configuration.logLevel = Logger.Level(rawValue: logLevel) ?? .info
      configuration.holdRunsWhileFileExists = holdRunsWhile
      LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
      let server: CustodyServer
      do {
        server = try CustodyServer(configuration: configuration)
      } catch let error as ServiceSetupError {
        Terminal.err("custody serve: \(error.description)\n")
        throw Exit.usage
      }
      // The CLI's root command is synchronous; the service runs on its own task while this
      // thread waits for it to end (SIGTERM/SIGINT shut it down gracefully).
      let done = DispatchSemaphore(value: 0)
      let failure = ErrorBox()
      Task.detached {
        do {
          try await server.run { port in
            Terminal.err("custody serve: listening on http://\(host):\(port)\n")
          }
        } catch {
          failure.set(error)
        }
        done.signal()
      }
      done.wait()
      if let error = failure.get() {
        Terminal.err("custody serve: \(error)\n")
        throw Exit.usage
      }
    }
  }

  struct ServeInit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Create the database, signing key and an admin token; print the token (once).")

    @Option(help: "The data directory to create.")
    var data: String

    @Option(help: "The admin user's name.")
    var admin = "admin"

    func run() throws {
      do {
        let token = try ServiceSetup.initialise(data: data, adminName: admin)
        Terminal.out(token + "\n")
      } catch let error as ServiceSetupError {
        Terminal.err("custody serve init: \(error.description)\n")
        throw Exit.usage
      }
    }
  }

  struct ServeBackup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "backup",
      abstract: "Copy the data directory to DEST (database through SQLite's online backup).")

    @Option(help: "The data directory.")
    var data: String

    @Argument(help: "The backup directory to create (must not exist).")
    var destination: String

    func run() throws {
      do {
        let result = try ServiceSetup.backup(data: data, to: destination)
        Terminal.err(
          "custody serve backup: database \(result.bytes) bytes, \(result.objects) objects -> \(destination)\n"
        )
      } catch let error as ServiceSetupError {
        Terminal.err("custody serve backup: \(error.description)\n")
        throw Exit.usage
      }
    }
  }

  struct ServeAuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "audit-verify",
      abstract: "Check the audit log's hash chain; exit 1 at the first broken entry.")

    @Option(help: "The data directory.")
    var data: String

    func run() throws {
      let result: AuditLog.VerifyResult
      do {
        result = try ServiceSetup.auditVerify(data: data)
      } catch let error as ServiceSetupError {
        Terminal.err("custody serve audit-verify: \(error.description)\n")
        throw Exit.usage
      }
      if let broken = result.broken {
        Terminal.out(
          "audit chain BROKEN at entry \(broken.id): \(broken.reason) (\(result.entries) entries verified before it)\n"
        )
        throw Exit.nonConformant
      }
      Terminal.out("audit chain intact: \(result.entries) entries\n")
    }
  }
}

/// The service task's error, handed to the waiting thread.
private final class ErrorBox: Sendable {
  private let error = Mutex<(any Error)?>(nil)
  func set(_ error: any Error) { self.error.withLock { $0 = error } }
  func get() -> (any Error)? { error.withLock { $0 } }
}
