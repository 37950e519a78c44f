import CustodyDiagnostics
import CustodyLedger
import CustodyReports
import CustodyValues
import Foundation

/// `validate --previous REPORT.json --key PUB` (Cu-again CUA-4.7): the previous audited
/// period's signed JSON report, whose statement's closing lots are this period's expected
/// opening balances. The report is used only if its signature verifies with the key, nothing
/// in it changed, and it was made under the same standard; otherwise the run is refused
/// (exit 2) and nothing is evaluated.
public struct PreviousPeriod: Sendable, Hashable {
  public var reportPath: String
  public var keyPath: String
  public init(report: String, key: String) {
    self.reportPath = report
    self.keyPath = key
  }

  /// One closing lot of the previous period: an account's credits created on one day.
  public struct Lot: Sendable, Hashable {
    public var site: String
    public var pool: String
    /// nil for an account without partner.
    public var partner: String?
    public var created: CivilDate
    public var remaining: ExactDecimal
  }

  /// The tables that hold the previous closing (`previous_closing`) in the ledger schema.
  public static let closingTable = "previous_closing"
  public static let openingTable = "opening_balances"
  /// One row per site of the previous report: the end of its last period.
  public static let periodsTable = "previous_periods"

  /// What a verified previous report hands this period.
  public struct Closing: Sendable, Hashable {
    /// The closing lots, in the report's account order.
    public var lots: [Lot]
    /// Per site, the end of its last period in the report (this period's first starts a day
    /// later).
    public var periodEnds: [String: CivilDate]
  }

  /// The verified report's closing lots (of its statement books keyed by site, pool,
  /// partner), or the diagnostic that refuses it, naming the file.
  public struct Refusal: Error, Sendable {
    public var diagnostic: Diagnostic
  }

  public func closing(standardID: String) -> Result<Closing, Refusal> {
    func refuse(_ why: String) -> Result<Closing, Refusal> {
      .failure(
        Refusal(
          diagnostic: Diagnostic(
            .previousReportRefused, "--previous \(reportPath): \(why); nothing was evaluated",
            at: .file(reportPath), help: DiagnosticCode.previousReportRefused.fix)))
    }
    let verified: VerificationResult
    do {
      verified = try Verifier.verify(reportPath: reportPath, publicKeyPath: keyPath)
    } catch {
      return refuse(error.diagnostic.message)
    }
    guard verified.isValid, let report = verified.report else {
      let why = verified.problems.map(\.description).joined(separator: "; ")
      return refuse("the report does not verify with \(keyPath) (\(why))")
    }
    guard report.standard.id == standardID else {
      return refuse(
        "the report is of standard '\(report.standard.id)', not '\(standardID)'")
    }
    guard let books = report.statement,
      let book = books.first(where: { $0.accountKey == ["site", "pool", "partner"] })
    else {
      return refuse("the report has no mass-balance statement of site, pool and partner accounts")
    }
    // Per site, the end of its last identified period (else of the run's span).
    var ends: [String: CivilDate] = [:]
    for a in book.accounts where a.account.count == 3 {
      let last = a.periods.last { $0.period.id != nil } ?? a.periods.last
      if let end = last.flatMap({ CivilDate.parseISO($0.period.end) }) {
        ends[a.account[0]] = max(ends[a.account[0]] ?? end, end)
      }
    }
    var lots: [Lot] = []
    for a in book.accounts where a.account.count == 3 {
      if a.deficit != "0" {
        return refuse(
          "account \(a.name) closed with a deficit of \(a.deficit) t; an overdrawn period opens nothing"
        )
      }
      for l in a.closingLots {
        guard let created = CivilDate.parseISO(l.created), let amount = ExactDecimal(l.remaining)
        else { return refuse("closing lot of \(a.name) is not a date and an amount") }
        lots.append(
          Lot(
            site: a.account[0], pool: a.account[1],
            partner: a.account[2].isEmpty ? nil : a.account[2], created: created,
            remaining: amount))
      }
    }
    return .success(Closing(lots: lots, periodEnds: ends))
  }
}

/// The ledger as read, with the previous period's closing lots as table `previous_closing` and
/// the end of each site's last period as table `previous_periods` (neither is ever read from
/// the folder: only a verified report fills them) and, when the ledger has no
/// `opening_balances` table, the same lots as its opening balances.
final class PreviousPeriodLedger: LedgerSource, Sendable {
  let base: any LedgerSource
  let extra: InMemoryLedger
  let replaced: Set<String>
  /// No previous report: previous_closing is absent (a file of that name is never read).
  let closingAbsent: Bool
  let reportSHA256: String
  var schema: LedgerSchema { base.schema }

  init(
    base: any LedgerSource, closing: PreviousPeriod.Closing?, report: String, openingsAbsent: Bool
  ) throws(LedgerError) {
    self.base = base
    var rows: [String: [[String: String]]] = [:]
    var replaced: Set<String> = [PreviousPeriod.closingTable, PreviousPeriod.periodsTable]
    if let closing {
      let lots = closing.lots
      rows[PreviousPeriod.periodsTable] = closing.periodEnds.sorted { $0.key < $1.key }.map {
        ["site": $0.key, "period_end": $0.value.description, "report": report]
      }
      rows[PreviousPeriod.closingTable] = lots.map { lot in
        var r = [
          "site": lot.site, "pool": lot.pool, "created": lot.created.description,
          "cu_t": lot.remaining.canonicalDescription, "report": report,
        ]
        if let p = lot.partner { r["partner"] = p }
        return r
      }
      if openingsAbsent {
        replaced.insert(PreviousPeriod.openingTable)
        rows[PreviousPeriod.openingTable] = lots.enumerated().map { i, lot in
          var r = [
            "opening_id": "previous-\(i + 1)", "site": lot.site, "pool": lot.pool,
            "created": lot.created.description, "cu_t": lot.remaining.canonicalDescription,
          ]
          if let p = lot.partner { r["partner"] = p }
          return r
        }
      }
    }
    // A schema without one of these tables (an older custody-ledger schema) just does not get it.
    rows = rows.filter { base.schema.table($0.key) != nil }
    self.replaced = replaced
    closingAbsent = closing == nil
    reportSHA256 = Digests.sha256Hex(ofFile: report) ?? ""
    extra = try InMemoryLedger(schema: base.schema, rows: rows, origin: report)
  }

  func read(table: String, _ body: (consuming LedgerRow) throws -> Void) throws {
    if replaced.contains(table) {
      // Without a report only the two report tables are replaced, and they are empty.
      if closingAbsent { return }
      try extra.read(table: table, body)
    } else {
      try base.read(table: table, body)
    }
  }

  /// The replaced tables are recorded as read from the report (its sha256), or absent.
  var files: [LedgerFileInfo] {
    var list = base.files.filter { !replaced.contains($0.table) }
    for f in extra.files {
      var f = f
      f.sha256 = reportSHA256
      list.append(f)
    }
    if closingAbsent {
      for name in [PreviousPeriod.closingTable, PreviousPeriod.periodsTable] {
        guard let t = schema.table(name) else { continue }
        list.append(
          LedgerFileInfo(table: t.name, path: t.file, sha256: "", rows: 0, bytes: 0, absent: true))
      }
    }
    return list
  }
  var cellErrors: [CellError] { base.cellErrors + extra.cellErrors }
  func locate(table: String, line: Int) -> (file: String, line: Int)? {
    replaced.contains(table) ? nil : base.locate(table: table, line: line)
  }
}
