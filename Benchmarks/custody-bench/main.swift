// custody-bench: measures reading and evaluation of a ledger folder with a compiled standard
// (default standards/cu-again-coc.yaml, from the current folder), in release builds
// (docs/performance.md). Not part of the product.
//
//   custody-bench LEDGER_DIR [--read] [--eval] [--repeat N] [--dump FILE] [--threads N]
//                [--standard FILE]
// (It once built the Cu-again rules in Swift, before the standard compiler existed; that copy
// of the rules and of the ledger schema is gone: the YAML is the one source.)
//
// --read times streaming every table through FolderLedger; --eval times Engine.evaluate
// (read + evaluate). --dump writes the full result (findings, rules, clauses, accounts) so a
// change can be checked to leave behaviour identical (diff two dumps).
import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodyValues

#if canImport(Glibc)
  import Glibc
#endif

var args = Array(CommandLine.arguments.dropFirst())
func flag(_ name: String, _ args: inout [String]) -> Bool {
  if let i = args.firstIndex(of: name) {
    args.remove(at: i)
    return true
  }
  return false
}
func option(_ name: String, _ args: inout [String]) -> String? {
  guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
  let v = args[i + 1]
  args.removeSubrange(i...(i + 1))
  return v
}
let repeats = Int(option("--repeat", &args) ?? "1") ?? 1
let dumpPath = option("--dump", &args)
let threads = Int(option("--threads", &args) ?? "2") ?? 2
let standardPath = option("--standard", &args) ?? "standards/cu-again-coc.yaml"
var doRead = flag("--read", &args)
var doEval = flag("--eval", &args)
if !doRead && !doEval { (doRead, doEval) = (true, true) }
/// Writes `message` to standard error and exits with `code`.
func fail(_ message: String, _ code: Int32) -> Never {
  var line = message + "\n"
  line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
  exit(code)
}
let usage =
  "usage: custody-bench LEDGER_DIR [--read] [--eval] [--repeat N] [--dump FILE] [--threads N]"
  + " [--standard FILE]"
if flag("--help", &args) || flag("-h", &args) {
  print(usage)
  exit(0)
}
guard args.count == 1, let folder = args.first, !folder.hasPrefix("-") else {
  fail("custody-bench: \(args.isEmpty ? "no ledger folder" : "unexpected \(args)")\n\(usage)", 64)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = ContinuousClock.now
  try body()
  let d = ContinuousClock.now - start
  return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

let compiled = Compiler().compileStandard(path: standardPath)
guard let standard = compiled.standard else {
  fail(compiled.diagnostics.map(\.description).joined(separator: "\n"), 2)
}
let schema = standard.schema
print("rules: \(standard.rules.count)")

/// Times reading and evaluation; an unreadable ledger or a failed run is reported, not a crash.
@MainActor func measure() throws {
  if doRead {
    for _ in 0..<repeats {
      var rows = 0
      let t = try seconds {
        let ledger = try FolderLedger.open(folder: folder, schema: schema)
        for table in schema.tables { try ledger.read(table: table.name) { _ in rows += 1 } }
      }
      print(String(format: "read: %.3f s (%d rows)", t, rows))
    }
  }

  if doEval {
    for i in 0..<repeats {
      var result: EvaluationResult?
      let t = try seconds {
        let ledger = try FolderLedger.open(folder: folder, schema: schema)
        result = try Engine(
          standard: standard, options: EngineOptions(evidenceLimit: 20, threads: threads)
        ).evaluate(ledger: ledger)
      }
      guard let result else { continue }
      print(
        String(format: "evaluate: %.3f s", t), "verdict:", result.verdict, "findings:",
        result.findings.count)
      if i == 0 {
        for r in result.rules {
          print(
            "  \(r.id): \(r.status) evaluated=\(r.counts.evaluated) failed=\(r.counts.failed) errors=\(r.counts.errors)"
          )
        }
      }
      if i == 0, let dumpPath {
        var text = ""
        dump(result.findings, to: &text)
        dump(result.rules, to: &text)
        dump(result.clauses, to: &text)
        dump(result.nonConformities, to: &text)
        dump(result.accounts, to: &text)
        dump(result.files, to: &text)
        dump(result.cellErrors, to: &text)
        dump(result.summary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }, to: &text)
        text += "verdict \(result.verdict)\n"
        try text.write(toFile: dumpPath, atomically: true, encoding: .utf8)
      }
    }
  }
}

do {
  try measure()
} catch {
  fail("custody-bench: \(error)", 1)
}
