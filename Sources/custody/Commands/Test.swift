import ArgumentParser
import CustodyKit

extension CustodyCommand {
  /// `custody test [PATHS]`: the `tests:` cases of rules and standards.
  struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run the tests: cases of rules and standards and show a diff on failure.",
      discussion: """
        With no paths, tests everything the standards under standards/ bind. Exit 0 when every \
        case passes, 1 on any failure (and with --coverage, when an automated clause or a rule \
        lacks a failing or a passing case), 2 when the files do not compile.
        """)

    @Argument(help: "Standard or rule files, or folders (default: standards).")
    var paths: [String] = []

    @Flag(help: "List, per clause and rule, whether a failing and a passing case exercise it.")
    var coverage = false

    @Option(help: "Only cases whose name or owner contains this text.")
    var filter: String?

    @Flag(help: "Print passing cases too.")
    var verbose = false

    @Option(
      name: .customLong("fail-on"),
      help: "Severity at or above which a standard test's verdict is non_conformant (as validate).")
    var failOn: ClauseSeverity = .minor

    func run() throws {
      let sources = SourceCache()
      var runner = TestRunner(sources: sources)
      runner.failOn = failOn
      let run = runner.run(paths: paths, filter: filter)
      if !run.diagnostics.isEmpty {
        Terminal.err(DiagnosticsOutput.text(run.diagnostics, sources: sources))
      }
      let colour = Terminal.colour(for: 1)
      func paint(_ s: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
      }
      for c in run.cases {
        let at = c.span.map { "\($0.start): " } ?? "\(c.file): "
        if c.passed {
          if verbose { Terminal.out("\(at)\(paint("PASS", "32")) \(c.owner): \(c.name)\n") }
        } else {
          Terminal.out("\(at)\(paint("FAIL", "1;31")) \(c.owner): \(c.name)\n")
          for d in c.differences { Terminal.out("    \(d)\n") }
        }
      }
      var coverageGap = false
      if coverage {
        Terminal.out("\nCoverage (failing case / passing case):\n")
        for entry in run.coverage {
          if entry.documentary {
            Terminal.out("  \(entry.kind)  \(entry.id)  documentary\n")
            continue
          }
          let ok = entry.failingCase && entry.passingCase
          if !ok { coverageGap = true }
          let mark = ok ? paint("ok", "32") : paint("MISSING", "1;31")
          Terminal.out(
            "  \(entry.kind)  \(entry.id)  fail:\(entry.failingCase ? "yes" : "no ") pass:\(entry.passingCase ? "yes" : "no ")  \(mark)\n"
          )
        }
      }
      Terminal.out("\n\(run.passed) passed, \(run.failed) failed\n")
      if run.diagnostics.contains(where: { $0.severity == .error }) && run.cases.isEmpty {
        throw Exit.compileError
      }
      if run.failed > 0 || coverageGap || run.diagnostics.contains(where: { $0.severity == .error })
      {
        throw Exit.nonConformant
      }
    }
  }
}
