import ArgumentParser
import CustodyAuthoring
import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyLedger

extension CustodyCommand {
  /// `custody inspect LEDGER`: what a ledger folder holds, before validating it.
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a ledger's tables, row counts, date ranges, sha256 and cell errors.",
      discussion:
        "Exit 0 when readable, 2 when the standard or profile does not compile, 3 when the ledger is unreadable."
    )

    @Argument(help: "The ledger folder.")
    var ledger: String

    @Option(help: "The standard whose ledger schema to read the folder with.")
    var standard = "standards/cu-again-coc.yaml"

    @Option(help: "A mapping profile for another system's export.")
    var profile: String?

    func run() throws {
      let sources = SourceCache()
      let compiled = ValidationPipeline.compile(standard, sources: sources)
      guard let s = compiled.standard else {
        Terminal.err(
          DiagnosticsOutput.text(
            compiled.diagnostics, omitted: compiled.omittedDiagnostics, sources: sources))
        throw Exit.compileError
      }
      var bag = DiagnosticBag()
      var mapping: MappingProfile?
      if let profile {
        mapping = MappingProfile.load(
          path: profile, schema: s.schema, into: &bag, derived: RuleLanguageDerivedColumns())
        if bag.hasErrors {
          Terminal.err(DiagnosticsOutput.text(bag.sorted, sources: sources))
          throw Exit.compileError
        }
      }
      let summary: LedgerInspection
      do {
        let folder = try FolderLedger.open(folder: ledger, schema: s.schema, profile: mapping)
        summary = try folder.inspect()
      } catch let error as LedgerError {
        Terminal.err(DiagnosticsOutput.text([error.diagnostic], sources: sources))
        throw Exit.ledgerError
      }
      var out =
        "ledger \(summary.folder)  (schema \(summary.schema)\(summary.profile.map { ", profile \($0)" } ?? ""))\n\n"
      out += "table                 format  rows      sha256            dates\n"
      for t in summary.tables {
        let name = t.name.padding(toLength: 21, withPad: " ", startingAt: 0)
        let format = (t.file.absent ? "absent" : t.format).padding(
          toLength: 7, withPad: " ", startingAt: 0)
        let rows = String(t.file.rows).padding(toLength: 9, withPad: " ", startingAt: 0)
        let sha = String(t.file.sha256.prefix(16)).padding(
          toLength: 17, withPad: " ", startingAt: 0)
        let dates = t.dateRanges.map { "\($0.column) \($0.min)..\($0.max)" }.joined(separator: ", ")
        out += "\(name) \(format) \(rows) \(sha) \(dates)\n"
        if !t.file.extraColumns.isEmpty {
          out += "    extra columns ignored: \(t.file.extraColumns.joined(separator: ", "))\n"
        }
        if !t.mapping.isEmpty { out += "    mapping: \(t.mapping.joined(separator: "; "))\n" }
        for (code, count) in t.cellErrors.sorted(by: { $0.key < $1.key }) {
          out += "    \(count) cell error\(count == 1 ? "" : "s") \(code)\n"
        }
      }
      let total = summary.cellErrorsByCode.reduce(0) { $0 + $1.count }
      out +=
        "\n\(summary.tables.reduce(0) { $0 + $1.file.rows }) rows; \(total) cell error\(total == 1 ? "" : "s")"
      if total > 0 {
        out +=
          ": "
          + summary.cellErrorsByCode.map { "\($0.count) \($0.code.id) (\($0.code.title))" }.joined(
            separator: ", ")
      }
      Terminal.out(out + "\n")
    }
  }
}
