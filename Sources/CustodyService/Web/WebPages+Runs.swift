import CustodyKit
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore

extension WebPages {
  struct RunView {
    struct Input {
      var kind: String
      var name: String
      var size: String
      var sha256: String
    }
    struct Other {
      var id: Int64
      var label: String
    }
    var id: Int64
    var organisationID: Int64
    var organisationName: String
    var submission: Int64
    var period: String
    /// The run whose signed report opened this period's balances (`previousRun`).
    var previousRun: Int64?
    var status: String
    var finishedAt: String?
    var waiting: Bool
    var error: String?
    var standardID: String
    var standardTitle: String
    var standardVersion: String
    var effectiveFrom: String?
    var bundle: String
    var inputs: [Input]
    var report: ReportView?
    var others: [Other]
    var hasOthers: Bool
  }

  /// What the run page shows of a finished run's signed report.
  struct ReportView {
    struct Clause {
      var id: String
      var status: String
      var statusLabel: String
      var severity: String
      var title: String
      var rules: String
      var reason: String
    }
    struct NC {
      var number: Int
      var id: String
      var clause: String
      var rule: String
      var severity: String
      var summary: String
      var waived: Bool
      var messages: [String]
      /// When the report lists fewer findings than there are: "N of TOTAL".
      var moreFindings: String?
      var evidence: [Evidence]
      var hasEvidence: Bool
      var shown: Int
      var total: Int
    }
    struct Evidence {
      var file: String
      var line: Int
      var entry: String
      var column: String
      var value: String
    }
    struct Account {
      var number: Int
      var account: String
      var rule: String
      var period: String?
      var opening: String
      var closing: String
      var shortfall: String?
      var chart: String
      var steps: [Step]
      var truncated: Bool
      var shown: Int
      var total: Int
    }
    struct Step {
      var date: String
      var kind: String
      var amount: String
      var balance: String
      var row: String
      var failing: Bool
    }
    struct Format {
      var id: Int64
      var format: String
      var label: String
    }
    var verdict: String
    var headline: String
    var major: Int
    var minor: Int
    var observation: Int
    var waived: Int
    var findings: Int
    var failOn: String
    var clauses: [Clause]
    var nonconformities: [NC]
    var ncCount: Int
    var accounts: [Account]
    var hasAccounts: Bool
    var formats: [Format]
    var signature: Signature?
    var id: Int64

    struct Signature {
      var algorithm: String
      var keyId: String
      var value: String
      var runID: Int64
    }

    init(_ report: Report, run: Int64) {
      id = run
      verdict = report.verdict.rawValue
      headline = report.verdictHeadline
      major = report.summary.major
      minor = report.summary.minor
      observation = report.summary.observation
      waived = report.summary.waived
      findings = report.summary.findings
      failOn = report.failOn.rawValue
      clauses = report.clauses.map {
        Clause(
          id: $0.id, status: $0.status.rawValue,
          statusLabel: $0.status.rawValue.replacingOccurrences(of: "_", with: " "),
          severity: $0.severity.rawValue,
          title: $0.title, rules: $0.rules.joined(separator: ", "), reason: $0.reason ?? "")
      }
      let messages = Dictionary(
        report.findings.map { ($0.id, $0.message) }, uniquingKeysWith: { a, _ in a })
      nonconformities = report.nonconformities.enumerated().map { index, nc in
        NC(
          number: index + 1, id: nc.id, clause: nc.clause, rule: nc.rule,
          severity: nc.severity.rawValue,
          summary: nc.summary, waived: nc.waived,
          messages: nc.findings.compactMap { messages[$0] }.prefix(20).map { $0 },
          moreFindings: nc.findingsTotal > min(nc.findings.count, 20)
            ? "\(min(nc.findings.count, 20)) of \(nc.findingsTotal)" : nil,
          evidence: nc.evidence.map {
            Evidence(
              file: $0.file, line: $0.line, entry: $0.entryId ?? "", column: $0.column ?? "",
              value: $0.value ?? "")
          }, hasEvidence: !nc.evidence.isEmpty, shown: nc.evidence.count, total: nc.evidenceTotal)
      }
      ncCount = report.nonconformities.count
      accounts = report.accounts.enumerated().map { index, trace in
        let caption =
          "\(trace.account): running balance by date (\(trace.rule))"
        return Account(
          number: index + 1, account: trace.account, rule: trace.rule, period: trace.period,
          opening: trace.opening, closing: trace.steps.last?.balance ?? trace.opening,
          shortfall: trace.shortfall, chart: BalanceChart().svg(trace, title: caption) ?? "",
          steps: trace.steps.enumerated().map { i, step in
            var row = step.file.map { f in step.line.map { "\(f):\($0)" } ?? f } ?? ""
            if let entry = step.entryId { row += " \(entry)" }
            return Step(
              date: step.date, kind: step.kind, amount: step.amount, balance: step.balance,
              row: row, failing: i == trace.firstFailure)
          }, truncated: trace.stepsTotal > trace.steps.count, shown: trace.steps.count,
          total: trace.stepsTotal)
      }
      hasAccounts = !accounts.isEmpty
      formats =
        [Format(id: run, format: "json", label: "JSON (signed)")]
        + [Format(id: run, format: "unsigned-json", label: "JSON (unsigned)")]
        + ReportFormat.allCases.filter { $0 != .json }.map {
          Format(id: run, format: $0.rawValue, label: Self.formatLabel($0))
        }
      signature = report.signature.map {
        Signature(algorithm: $0.algorithm, keyId: $0.keyId, value: $0.value, runID: run)
      }
    }

    static func formatLabel(_ format: ReportFormat) -> String {
      switch format {
      case .text: "Text"
      case .json: "JSON"
      case .junit: "JUnit XML"
      case .sarif: "SARIF"
      case .markdown: "Markdown"
      case .csv: "CSV"
      case .html: "HTML"
      }
    }
  }

  /// The run `{run}` with its organisation's name and its submission, 404 unless visible.
  func visibleRun(_ id: Int64?, _ principal: Principal) async throws -> (
    run: RunResource, organisation: String, submission: SubmissionResource, bundle: BundleResource
  ) {
    let run = try await api.visibleRun(id, principal)
    let found = try await database.read { db in
      (
        try String.fetchOne(
          db, sql: "SELECT name FROM organisation WHERE id = ?", arguments: [run.organisation]),
        try API.submission(db, id: run.submission),
        try Row.fetchOne(db, sql: "SELECT * FROM bundle WHERE digest = ?", arguments: [run.bundle])
          .map(BundleResource.init)
      )
    }
    guard let name = found.0, let submission = found.1, let bundle = found.2 else {
      throw Problem.notFound("run")
    }
    return (run, name, submission, bundle)
  }

  @Sendable func run(_ request: Request, context: ServiceRequestContext) async throws -> Response {
    let session = try await session(request)
    let (run, organisationName, submission, bundle) = try await visibleRun(
      context.parameters.get("run", as: Int64.self), session.principal)
    var report: Report?
    if run.status == "done", let signed = run.signedReportSha256 {
      let directory = state.directory
      report = try await offload {
        try CanonicalJSON.decode(Report.self, from: try directory.readObject(signed))
      }
    }
    var inputs = submission.files.map {
      RunView.Input(kind: "ledger file", name: $0.name, size: "\($0.size) bytes", sha256: $0.sha256)
    }
    if let profile = submission.profileSha256 {
      inputs.append(.init(kind: "mapping profile", name: "profile.yaml", size: "", sha256: profile))
    }
    if let report {
      inputs.append(
        .init(
          kind: "standard", name: report.standard.file, size: "",
          sha256: report.standard.sha256))
      inputs.append(
        .init(kind: "compiled rule graph", name: "", size: "", sha256: report.standard.graphSha256))
      for file in report.ledger.files where !file.absent {
        inputs.append(
          .init(
            kind: "ledger table \(file.table)", name: file.path, size: "\(file.rows) rows",
            sha256: file.sha256))
      }
    } else {
      inputs.append(
        .init(kind: "standard", name: bundle.entry, size: "", sha256: bundle.standardSha256))
    }
    let organisation = run.organisation
    let others = try await database.read { db in
      try Row.fetchAll(
        db,
        sql: RunResource.select
          + " WHERE submission.organisation_id = ? AND run.status = 'done' AND run.id != ? ORDER BY run.id DESC LIMIT 200",
        arguments: [organisation, run.id]
      ).map(RunResource.init)
    }
    let periods = try await database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT id, period FROM submission WHERE organisation_id = ?",
        arguments: [organisation]
      ).reduce(into: [Int64: String]()) { $0[$1["id"]] = $1["period"] }
    }
    let waiting = run.status == "pending" || run.status == "running"
    let view = RunView(
      id: run.id, organisationID: run.organisation, organisationName: organisationName,
      submission: submission.id, period: submission.period, previousRun: submission.previousRun,
      status: run.status,
      finishedAt: WebLabels.time(run.finishedAt), waiting: waiting, error: run.error,
      standardID: bundle.standard, standardTitle: bundle.title, standardVersion: bundle.version,
      effectiveFrom: bundle.effectiveFrom, bundle: bundle.digest, inputs: inputs,
      report: report.map { ReportView($0, run: run.id) },
      others: others.map {
        .init(
          id: $0.id,
          label:
            "run \($0.id) · period \(periods[$0.submission] ?? "?") · \(WebLabels.verdict($0.verdict) ?? "")"
        )
      }, hasOthers: !others.isEmpty)
    return render(
      "run", view, title: "Run \(run.id) · \(organisationName)", session: session,
      section: .organisations, refresh: waiting ? 2 : nil)
  }

  // MARK: compare

  struct CompareView {
    struct Side {
      var role: String
      var id: Int64
      var verdict: String
      var verdictLabel: String
      var period: String
      var standard: String
      var finishedAt: String
    }
    struct Group {
      var label: String
      var count: Int
      var items: [API.ReportDigest.NC]
      var hasItems: Bool
    }
    struct Clause {
      var clause: String
      var base: String
      var head: String
    }
    struct Balance {
      var account: String
      var rule: String
      var period: String
      var baseClosing: String
      var baseShortfall: String
      var headClosing: String
      var headShortfall: String
    }
    var organisationID: Int64
    var organisationName: String
    var base: Side
    var head: Side
    var sides: [Side]
    var groups: [Group]
    var clauses: [Clause]
    var hasClauses: Bool
    var clauseCount: Int
    var balances: [Balance]
    var hasBalances: Bool
  }

  @Sendable func compare(_ request: Request, context: ServiceRequestContext) async throws
    -> Response
  {
    let session = try await session(request)
    let query = request.uri.queryParameters
    guard let baseID = query.get("base").flatMap({ Int64($0) }),
      let headID = query.get("head").flatMap({ Int64($0) })
    else {
      throw WebError(
        .badRequest, code: "compare.parameters",
        detail: "Choose two runs to compare (?base=RUN&head=RUN).")
    }
    let comparison = try await api.comparison(base: baseID, head: headID, session.principal)
    let base = try await visibleRun(baseID, session.principal)
    let head = try await visibleRun(headID, session.principal)
    func side(_ role: String, _ item: (RunResource, String, SubmissionResource, BundleResource))
      -> CompareView.Side
    {
      CompareView.Side(
        role: role, id: item.0.id, verdict: item.0.verdict ?? "",
        verdictLabel: WebLabels.verdict(item.0.verdict) ?? "", period: item.2.period,
        standard: "\(item.3.title) \(item.3.version)",
        finishedAt: WebLabels.time(item.0.finishedAt) ?? "")
    }
    let baseSide = side("Before", base)
    let headSide = side("After", head)
    let ncs = comparison.nonconformities
    func group(_ label: String, _ items: [API.ReportDigest.NC]) -> CompareView.Group {
      .init(label: label, count: items.count, items: items, hasItems: !items.isEmpty)
    }
    let clauses = comparison.clauses.map {
      CompareView.Clause(
        clause: $0.clause, base: ($0.base ?? "absent").replacingOccurrences(of: "_", with: " "),
        head: ($0.head ?? "absent").replacingOccurrences(of: "_", with: " "))
    }
    let balances = comparison.balances.map {
      CompareView.Balance(
        account: $0.account, rule: $0.rule, period: $0.period ?? "",
        baseClosing: $0.base?.closing ?? "not traced", baseShortfall: $0.base?.shortfall ?? "",
        headClosing: $0.head?.closing ?? "not traced", headShortfall: $0.head?.shortfall ?? "")
    }
    let view = CompareView(
      organisationID: base.run.organisation, organisationName: base.organisation,
      base: baseSide, head: headSide, sides: [baseSide, headSide],
      groups: [
        group("Fixed", ncs.fixed), group("New", ncs.new), group("Still open", ncs.open),
      ], clauses: clauses, hasClauses: !clauses.isEmpty, clauseCount: clauses.count,
      balances: balances, hasBalances: !balances.isEmpty)
    return render(
      "compare", view, title: "Compare runs \(baseID) and \(headID)", session: session,
      section: .organisations)
  }
}
