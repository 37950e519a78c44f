// Times `Compiler.lint` on a folder (scripts/bench-compile.sh); not part of the product.
import CustodyLanguage

#if canImport(Glibc)
  import Glibc
#endif

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
  print("usage: custody-bench-compile DIR [RUNS]")
  exit(64)
}
let runs = arguments.dropFirst().first.flatMap { Int($0) } ?? 5
let clock = ContinuousClock()
var best = Duration.seconds(3600)
var last: LintResult?
for _ in 0..<runs {
  let start = clock.now
  last = Compiler().lint(paths: [path])
  best = min(best, clock.now - start)
}
let ms = Double(best.components.seconds) * 1000 + Double(best.components.attoseconds) / 1e15
print(
  "files: \(last?.files.count ?? 0)  standards: \(last?.standards.count ?? 0)  rules: \(last?.standards.first?.rules.count ?? 0)  errors: \(last?.errorCount ?? 0)  warnings: \(last?.warningCount ?? 0)"
)
print("best of \(runs): \(Int(ms.rounded())) ms")
exit(last?.errorCount == 0 ? 0 : 1)
