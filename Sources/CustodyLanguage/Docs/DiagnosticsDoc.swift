import CustodyDiagnostics

/// Renders docs/diagnostics.md from `DiagnosticCode.all`; a test keeps the file in step.
public enum DiagnosticsDoc {
  static let phases: [(prefix: String, title: String, text: String)] = [
    (
      "CUS1", "Reading YAML",
      "Syntax, encoding, limits and duplicate keys, found before any meaning is read."
    ),
    (
      "CUS2", "Structure of standards, rules, schemas and books",
      "Keys, value shapes, ids and references between files."
    ),
    (
      "CUS3", "Expressions",
      "Syntax, names, types, units and functions inside `where:`, `assert:` and other expressions; the location points at the token."
    ),
    ("CUS4", "Rule graph", "`requires:` and `exclude_failing:` between rule instances."),
    (
      "CUS5", "Lint warnings",
      "Reported by `custody lint`; they do not stop a compile (`--strict` makes them errors)."
    ),
    ("CUS6", "Ledger structure", "Problems that stop a run (exit 3)."),
    ("CUS7", "Ledger cells", "Data-integrity findings; the run goes on."),
    (
      "CUS8", "Evaluation",
      "Run-time errors inside rules, reported as findings with status `error`."
    ),
    ("CUS9", "Command line, reports and verification", ""),
  ]

  /// The whole Markdown page.
  public static func render() -> String {
    var out = """
      # Diagnostics

      Every problem custody reports has a stable code. Messages may improve; codes do not change.
      Text output shows `file:line:column: severity: message [CODE]`, the source line with a caret,
      notes and "did you mean" suggestions.

      This page is generated from the code (`DiagnosticsDoc.render()`); a test fails when it is out
      of date. Re-record with `CUSTODY_RECORD=1 swift test --filter DiagnosticsDocTests`.


      """
    let all = DiagnosticCode.all
    for phase in phases {
      let codes = all.filter { $0.id.hasPrefix(phase.prefix) }
      guard !codes.isEmpty else { continue }
      out += "## \(phase.prefix)xxx: \(phase.title)\n\n"
      if !phase.text.isEmpty { out += phase.text + "\n\n" }
      out += "| code | severity | meaning | how to fix |\n|---|---|---|---|\n"
      for code in codes {
        out +=
          "| \(code.id) | \(code.defaultSeverity.rawValue) | \(cell(code.title)) | \(cell(code.fix)) |\n"
      }
      out += "\n"
    }
    return out
  }

  static func cell(_ text: String) -> String {
    text.replacingPipes()
  }
}

extension String {
  fileprivate func replacingPipes() -> String {
    var out = ""
    for c in self { out += c == "|" ? "\\|" : (c == "\n" ? " " : String(c)) }
    return out
  }
}
