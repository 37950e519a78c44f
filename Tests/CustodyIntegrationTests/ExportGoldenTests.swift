import CustodyAuthoring
import CustodyReports
import CustodyValues
import Foundation
import Testing

/// Issue 19, acceptance 1: the golden ERP exports of fixtures/sample (Tests/Exports/, written by
/// scripts/generate-golden-exports.py), each read with its profile (fixtures/profiles/), give
/// the canonical ledger's verdict, clause statuses and finding ids; evidence names the
/// export's own file and line; the report pins the export files' own sha256.
@Suite struct ExportGoldenTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  struct Style: Sendable, CustomStringConvertible {
    /// Tests/Exports/<source>/<name>, exported from fixtures/<canonical>.
    var source: String
    var canonical: String
    var name: String
    /// Export file -> the table it holds (the first field holding the entry id is found by
    /// scanning the file's lines; for the workbook, rows are listed by sheet).
    var receipts: [String]
    var shipments: [String]
    var delimiter: UInt8
    var description: String { "\(source)/\(name)" }
    var folder: String { root + "/Tests/Exports/\(source)/\(name)" }
  }

  static let sources = [("sample", "sample"), ("site-overdraft", "planted/site-overdraft")]

  /// Files of `folder` whose names start with `prefix`, in name order (byte order).
  static func named(_ prefix: String, in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
      .filter { $0.hasPrefix(prefix) }
      .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
  }

  static let styles: [Style] = sources.flatMap { source, canonical in
    [
      Style(
        source: source, canonical: canonical, name: "sap-de", receipts: ["WE_Wareneingang.csv"],
        shipments: ["WA_Warenausgang.csv"], delimiter: UInt8(ascii: ";")),
      Style(
        source: source, canonical: canonical, name: "jp-cp932",
        receipts: named("入荷実績_", in: root + "/Tests/Exports/\(source)/jp-cp932"),
        shipments: named("出荷実績_", in: root + "/Tests/Exports/\(source)/jp-cp932"),
        delimiter: UInt8(ascii: ",")),
      Style(
        source: source, canonical: canonical, name: "movements",
        receipts: ["Warenbewegungen.csv"], shipments: ["Warenbewegungen.csv"],
        delimiter: UInt8(ascii: ";")),
      Style(
        source: source, canonical: canonical, name: "xlsx",
        receipts: ["Bestandsbuch.xlsx[入荷]"], shipments: ["Bestandsbuch.xlsx[出荷]"],
        delimiter: 0),
    ]
  }

  static func run(ledger: String, profile: String?) throws -> Report {
    let outcome = ValidationPipeline.run(
      .init(
        standardPath: root + "/standards/cu-again-coc.yaml", ledgerPath: ledger,
        profilePath: profile, asOf: CivilDate(year: 2026, month: 1, day: 1)!,
        failOn: .observation, evidenceLimit: 10_000, deterministic: true, toolVersion: "test"))
    switch outcome {
    case .evaluated(let report, _, _): return report
    case .invalidInput(let d, _): throw Failure(d.map(\.description).joined(separator: "\n"))
    case .unreadableLedger(let d): throw Failure(d.description)
    }
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  static let canonical: [String: Result<Report, any Error>] = Dictionary(
    uniqueKeysWithValues: sources.map { source, canonical in
      (source, Result { try run(ledger: root + "/fixtures/" + canonical, profile: nil) })
    })

  /// Entry id -> (file name, line) where the export holds it, from the export's raw bytes
  /// (ASCII ids; cp932 trail bytes are never a delimiter or a line feed).
  static func places(_ style: Style) throws -> [String: (String, Int)] {
    var out: [String: (String, Int)] = [:]
    let folder = style.folder + "/"
    if style.name == "xlsx" {
      // Title row, blank row, header: entries start at row 4, in the canonical order.
      for (table, file) in [("receipts", style.receipts[0]), ("shipments", style.shipments[0])] {
        let text = try String(
          contentsOfFile: root + "/fixtures/\(style.canonical)/\(table).csv", encoding: .utf8)
        for (i, line) in text.split(separator: "\n").dropFirst().enumerated() {
          out[String(line.prefix { $0 != "," })] = (file, i + 4)
        }
      }
      return out
    }
    for file in Set(style.receipts + style.shipments) {
      let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + file)))
      for (i, line) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated()
      where i > 0 {
        for field in line.split(separator: style.delimiter).prefix(2) {
          let id = String(decoding: field, as: UTF8.self)
          if id.hasPrefix("R-") || id.hasPrefix("S-") { out[id] = (file, i + 1) }
        }
      }
    }
    return out
  }

  static func sha256(_ path: String) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let out = Pipe()
    p.standardOutput = out
    try? p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
  }

  @Test func theCanonicalLedgersGiveBothVerdicts() throws {
    let sample = try #require(ExportGoldenTests.canonical["sample"]).get()
    #expect(sample.verdict == .conformant)
    let planted = try #require(ExportGoldenTests.canonical["site-overdraft"]).get()
    #expect(planted.verdict == .nonConformant)
    #expect(planted.nonconformities.map(\.clause).sorted() == ["CUA-4.3", "CUA-4.4"])
    #expect(planted.findings.contains { $0.evidence.contains { $0.entryId == "S-000500" } })
    #expect(sample.ledger.cellErrors == 0 && planted.ledger.cellErrors == 0)
  }

  @Test(arguments: ExportGoldenTests.styles)
  func exportGivesTheCanonicalResult(_ style: Style) throws {
    let canonical = try #require(ExportGoldenTests.canonical[style.source]).get()
    let folder = style.folder
    let report = try ExportGoldenTests.run(
      ledger: folder,
      profile: ExportGoldenTests.root + "/fixtures/profiles/\(style.name).profile.yaml")
    #expect(report.ledger.cellErrors == 0)
    #expect(report.ledger.warnings == nil)
    #expect(report.verdict == canonical.verdict)
    #expect(report.summary == canonical.summary)
    #expect(
      report.clauses.map { "\($0.id) \($0.status)" }
        == canonical.clauses.map { "\($0.id) \($0.status)" })
    #expect(report.findings.map(\.id) == canonical.findings.map(\.id))
    #expect(report.nonconformities.map(\.id) == canonical.nonconformities.map(\.id))
    #expect(
      report.findings.map { $0.evidence.map { $0.entryId ?? "-" } }
        == canonical.findings.map { $0.evidence.map { $0.entryId ?? "-" } })

    // Evidence names the export's own file and the row's line (or sheet row) in it.
    let places = try ExportGoldenTests.places(style)
    var checked = 0
    for finding in report.findings {
      for e in finding.evidence {
        guard let id = e.entryId, id.hasPrefix("R-") || id.hasPrefix("S-"),
          let (file, line) = places[id]
        else { continue }
        #expect((e.file as NSString).lastPathComponent == file, "\(id)")
        #expect(e.line == line, "\(id) in \(file)")
        checked += 1
      }
    }
    #expect(checked > 0 || canonical.findings.isEmpty)

    // The report pins each export file's own sha256, every file once per table it feeds.
    for (table, files) in [("receipts", style.receipts), ("shipments", style.shipments)] {
      let pinned = report.ledger.files.filter { $0.table == table }
      #expect(pinned.map { ($0.path as NSString).lastPathComponent } == files)
      for p in pinned {
        let onDisk = p.path.hasSuffix("]") ? String(p.path.prefix { $0 != "[" }) : p.path
        #expect(p.sha256 == ExportGoldenTests.sha256(onDisk), "\(p.path)")
      }
      #expect(
        pinned.map(\.rows).reduce(0, +) == canonical.ledger.files.first { $0.table == table }?.rows)
    }
  }

  /// A year's file left out of the glob and a stray copy beside it: both are warnings, in every
  /// report format.
  @Test func missingYearAndStrayFileAreWarningsInEveryFormat() throws {
    let folder = NSTemporaryDirectory() + "/custody-export-\(UUID().uuidString)"
    try FileManager.default.copyItem(
      atPath: ExportGoldenTests.root + "/Tests/Exports/sample/jp-cp932", toPath: folder)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.moveItem(
      atPath: folder + "/入荷実績_2025.csv", toPath: folder + "/入荷実績_2025 (2).csv.bak")
    let report = try ExportGoldenTests.run(
      ledger: folder,
      profile: ExportGoldenTests.root + "/fixtures/profiles/jp-cp932.profile.yaml")
    let warnings = [
      "入荷実績_2025 (2).csv.bak in the ledger folder is read by no table (not named by the schema or the profile)",
      "receipts dates end 2024-12-31, shipments dates run to 2025-12-31: are receipts files missing for the rest of the period?",
    ]
    #expect(report.ledger.warnings == warnings)
    for format in ReportFormat.allCases {
      // Markdown escapes `_` and brackets; HTML escapes quotes.
      let text = try format.render(report).replacingOccurrences(of: "\\", with: "")
      for w in warnings {
        let shown = format == .html ? w.replacingOccurrences(of: "'", with: "&#39;") : w
        #expect(text.contains(shown.prefix(40)), "\(format)")
      }
    }
  }
}
