import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// `custody keygen --output NAME`: an Ed25519 key pair for signing reports.
  struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Generate an Ed25519 key pair: NAME (private, mode 0600) and NAME.pub.")

    @Option(
      name: .shortAndLong, help: "Path of the private key; the public key is written to PATH.pub.")
    var output: String

    func run() throws {
      do {
        let keyID = try Signer.keygen(output: output)
        Terminal.err("wrote \(output) (private) and \(output).pub (public), key id \(keyID)\n")
      } catch {
        Terminal.err(error.description + "\n")
        throw Exit.usage
      }
    }
  }
}
