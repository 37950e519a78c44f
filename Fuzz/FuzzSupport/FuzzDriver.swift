import FuzzCEntry

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One fuzz input: the bytes libFuzzer (or a replayed file) hands over.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs a fuzz target two ways from one source file.
///
/// Built with `-sanitize=fuzzer -DFUZZING` (scripts/fuzz.sh) it hands control to libFuzzer's
/// driver, which parses libFuzzer flags. In an ordinary build it replays the files and folders
/// named on the command line once each, so corpora and crash reproducers run without libFuzzer
/// (and the package links with plain `swift build`).
public enum FuzzDriver {
  public static func main(_ callback: FuzzCallback) -> Never {
    #if FUZZING
      var argc = CommandLine.argc
      var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
      exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    #else
      let paths = CommandLine.arguments.dropFirst()
      if paths.isEmpty {
        print("usage: \(CommandLine.arguments[0]) FILE_OR_FOLDER...  (replays each input once)")
        exit(64)
      }
      var count = 0
      for path in paths {
        for file in FuzzFiles.inputs(at: path) {
          guard let bytes = FuzzFiles.read(file) else {
            print("cannot read \(file)")
            exit(66)
          }
          _ = bytes.withUnsafeBufferPointer { callback($0.baseAddress, $0.count) }
          count += 1
        }
      }
      print("replayed \(count) inputs without a crash")
      exit(0)
    #endif
  }

  /// Stops the run with a message when a property every input must satisfy does not hold.
  /// libFuzzer records the input as a crash; a replay names it on stderr.
  public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
      let text = Array("property violated: \(message())\n".utf8)
      _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
      abort()
    }
  }
}
