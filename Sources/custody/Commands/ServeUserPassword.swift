import ArgumentParser
import CustodyService
import Foundation

extension CustodyCommand {
  /// `custody serve user-password --data DIR --user NAME`: the password a person logs in to the
  /// web pages with, read from standard input (never from the command line, where `ps` and shell
  /// history would show it).
  struct ServeUserPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "user-password",
      abstract: "Set a user's web password (first line of standard input; bcrypt-hashed).",
      discussion: """
        Ends the user's open web sessions. The user's API tokens keep working. A password is \
        12 to 72 bytes of UTF-8 (bcrypt reads no further). Works while the service runs.
        """)

    @Option(help: "The data directory.")
    var data: String

    @Option(help: "The user's name (as created through POST /api/v1/users).")
    var user: String

    func run() throws {
      guard let line = readLine(strippingNewline: true) else {
        Terminal.err("custody serve user-password: no password on standard input\n")
        throw Exit.usage
      }
      do {
        try ServiceSetup.setPassword(data: data, user: user, password: line)
        Terminal.err("custody serve user-password: password set for '\(user)'\n")
      } catch let error as ServiceSetupError {
        Terminal.err("custody serve user-password: \(error.description)\n")
        throw Exit.usage
      }
    }
  }
}
