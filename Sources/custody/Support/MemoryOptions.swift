import ArgumentParser
import CustodyKit
import Foundation

/// How much of a large ledger's state stays in memory (docs/performance.md, "Memory").
struct MemoryOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Keys or postings a check keeps in memory before writing them to a temporary file.",
      discussion: "Bounds memory on ledgers of any length; results do not depend on it."))
  var spillAfter: Int = EngineOptions.defaultSpillThreshold

  @Option(help: "Directory for temporary spill files (default: $TMPDIR, else /tmp).")
  var spillDir: String?

  func validate() throws {
    if spillAfter < 1 { throw ValidationError("--spill-after must be 1 or more") }
    var isDirectory: ObjCBool = false
    if let spillDir,
      !FileManager.default.fileExists(atPath: spillDir, isDirectory: &isDirectory)
        || !isDirectory.boolValue
    {
      throw ValidationError("--spill-dir '\(spillDir)' is not a directory")
    }
  }
}
