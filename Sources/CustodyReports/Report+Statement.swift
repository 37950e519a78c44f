import CustodyValues
import Foundation

extension Report {
  /// The mass-balance statement of one credit book (docs/reports.md#statement): per account
  /// and period opening, credits created (with the copper and factors behind them), credits
  /// used by claims, transfers in and out, expired and closing; the closing lots a next period
  /// opens from; and per site and period the physical copper in and out. Quantities are exact
  /// decimal strings.
  public struct StatementBook: Sendable, Hashable, Codable {
    public var book: String
    /// The mass_balance rule whose replay made it.
    public var rule: String
    public var accountKey: [String]
    public var lifetimeMonths: Int?
    /// The periods table it is cut by, absent when one span covers the run.
    public var periodsTable: String?
    public var accounts: [Account]
    public var physical: [Physical]
    /// Input and output rows not in `physical` because a cell could not be read (absent: 0).
    public var physicalRowsUnread: Int?

    public struct Period: Sendable, Hashable, Codable {
      /// The periods table's id; absent for the run's span or a trailing span.
      public var id: String?
      public var start: String
      public var end: String
      public init(id: String?, start: String, end: String) {
        self.id = id
        self.start = start
        self.end = end
      }
      /// `SAG-2024-Q1 (2024-01-01..2024-03-31)`, or the dates alone.
      public var label: String { (id.map { "\($0) " } ?? "") + "\(start)..\(end)" }
    }

    public struct Lines: Sendable, Hashable, Codable {
      public var period: Period
      public var opening: String
      public var credits: String
      public var creditedCopper: String?
      public var factors: [String]
      public var debits: String
      public var transfersIn: String
      public var transfersOut: String
      public var transfersRefused: String
      public var expired: String
      public var closing: String
      public init(
        period: Period, opening: String, credits: String, creditedCopper: String?,
        factors: [String], debits: String, transfersIn: String, transfersOut: String,
        transfersRefused: String, expired: String, closing: String
      ) {
        self.period = period
        self.opening = opening
        self.credits = credits
        self.creditedCopper = creditedCopper
        self.factors = factors
        self.debits = debits
        self.transfersIn = transfersIn
        self.transfersOut = transfersOut
        self.transfersRefused = transfersRefused
        self.expired = expired
        self.closing = closing
      }
    }

    public struct Lot: Sendable, Hashable, Codable {
      public var created: String
      public var expires: String?
      public var remaining: String
      public init(created: String, expires: String?, remaining: String) {
        self.created = created
        self.expires = expires
        self.remaining = remaining
      }
    }

    public struct Account: Sendable, Hashable, Codable {
      /// Key values in `account_key` order, nulls as empty strings.
      public var account: [String]
      public var periods: [Lines]
      public var closingLots: [Lot]
      /// Claims no unexpired credit covered, outstanding at the end.
      public var deficit: String
      public init(account: [String], periods: [Lines], closingLots: [Lot], deficit: String) {
        self.account = account
        self.periods = periods
        self.closingLots = closingLots
        self.deficit = deficit
      }
      /// `SAG|PCL|KAR`, as findings name accounts.
      public var name: String { account.joined(separator: "|") }
    }

    public struct Physical: Sendable, Hashable, Codable {
      public var site: String
      public var period: Period
      public var copperIn: String
      public var copperOut: String
      public init(site: String, period: Period, copperIn: String, copperOut: String) {
        self.site = site
        self.period = period
        self.copperIn = copperIn
        self.copperOut = copperOut
      }
    }

    public init(
      book: String, rule: String, accountKey: [String], lifetimeMonths: Int?,
      periodsTable: String?, accounts: [Account], physical: [Physical]
    ) {
      self.book = book
      self.rule = rule
      self.accountKey = accountKey
      self.lifetimeMonths = lifetimeMonths
      self.periodsTable = periodsTable
      self.accounts = accounts
      self.physical = physical
    }
  }
}

/// The statement in each format; the reporters call these (kept apart from their code).
enum StatementRendering {
  static let columns = [
    "opening", "credits", "copper", "factor", "debits", "transfers_in", "transfers_out",
    "refused", "expired", "closing",
  ]

  static func values(_ l: Report.StatementBook.Lines) -> [String] {
    [
      l.opening, l.credits, l.creditedCopper ?? "", l.factors.joined(separator: ";"), l.debits,
      l.transfersIn, l.transfersOut, l.transfersRefused, l.expired, l.closing,
    ]
  }

  /// A compact table per book: one row per account and period, then the physical copper.
  static func text(_ books: [Report.StatementBook], bold: (String) -> String, t: (String) -> String)
    -> String
  {
    var out = ""
    for b in books {
      out +=
        "\n" + bold("Mass-balance statement: \(t(b.book))")
        + " (t; account \(t(b.accountKey.joined(separator: "|"))))\n"
      var rows: [[String]] = [["account", "period"] + columns]
      for a in b.accounts {
        for l in a.periods { rows.append([t(a.name), t(l.period.label)] + values(l)) }
      }
      out += table(rows)
      if !b.physical.isEmpty {
        var phys: [[String]] = [["site", "period", "copper_in", "copper_out"]]
        for p in b.physical {
          phys.append([t(p.site), t(p.period.label), p.copperIn, p.copperOut])
        }
        out += "  Physical copper\n" + table(phys)
      }
    }
    return out
  }

  /// Left-aligned text columns, right-aligned numbers, two spaces apart.
  private static func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = [Int](repeating: 0, count: first.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    var out = ""
    for (n, r) in rows.enumerated() {
      var line = " "
      for (i, c) in r.enumerated() {
        let gap = String(repeating: " ", count: widths[i] - c.count)
        line += " " + (i < 2 || n == 0 ? c + gap : gap + c)
      }
      while line.hasSuffix(" ") { line.removeLast() }
      out += line + "\n"
    }
    return out
  }

  static func markdown(_ books: [Report.StatementBook], md: (String) -> String) -> String {
    guard !books.isEmpty else { return "" }
    var out = "## Mass-balance statement\n\n"
    for b in books {
      out += "### Book \(md(b.book)) (t)\n\n"
      for a in b.accounts {
        out += "#### Account \(md(a.name))\n\n"
        out += "| period | " + columns.joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---:|", count: columns.count) + "\n"
        for l in a.periods {
          out += "| \(md(l.period.label)) | " + values(l).map(md).joined(separator: " | ") + " |\n"
        }
        if let svg = chart(a, book: b.book) {
          out +=
            "\n![closing balance of \(md(a.name)) by date](data:image/svg+xml;base64,\(Data(svg.utf8).base64EncodedString()))\n"
        }
        out += "\nClosing lots: " + lots(a) + ".\n\n"
      }
      if !b.physical.isEmpty {
        out +=
          "#### Physical copper\n\n| site | period | copper in | copper out |\n|---|---|---:|---:|\n"
        for p in b.physical {
          out += "| \(md(p.site)) | \(md(p.period.label)) | \(p.copperIn) | \(p.copperOut) |\n"
        }
        out += "\n"
      }
    }
    return out
  }

  static func lots(_ a: Report.StatementBook.Account) -> String {
    let list = a.closingLots.map {
      "\($0.remaining) created \($0.created)" + ($0.expires.map { ", expires \($0)" } ?? "")
    }
    var s = list.isEmpty ? "none" : list.joined(separator: "; ")
    if a.deficit != "0" { s += " (deficit \(a.deficit))" }
    return s
  }

  /// The account's balance by date: its opening at the first period's start, then its
  /// closing at the end of every period.
  static func chart(_ a: Report.StatementBook.Account, book: String) -> String? {
    guard let first = a.periods.first else { return nil }
    var steps = [
      Report.AccountTrace.Step(
        date: first.period.start, kind: "opening", amount: first.opening,
        balance: first.opening, file: nil, line: nil, entryId: nil)
    ]
    for l in a.periods {
      steps.append(
        Report.AccountTrace.Step(
          date: l.period.end, kind: "period_close", amount: l.closing, balance: l.closing,
          file: nil, line: nil, entryId: l.period.id))
    }
    let trace = Report.AccountTrace(
      rule: book, account: a.name, opening: first.opening, steps: steps,
      stepsTotal: steps.count, firstFailure: nil, shortfall: nil)
    return BalanceChart().svg(trace, title: "\(a.name): closing balance by period", byDate: true)
  }

  static func html(_ books: [Report.StatementBook]) -> String {
    guard !books.isEmpty else { return "" }
    let e = Escape.xml
    var out = "<section id=\"statement\">\n<h2>Mass-balance statement</h2>\n"
    for b in books {
      out += "<h3>Book \(e(b.book)) (t)</h3>\n"
      for a in b.accounts {
        out += "<figure class=\"account\">\n"
        if let svg = chart(a, book: b.book) { out += svg + "\n" }
        out += "<figcaption><b>\(e(a.name))</b>: closing lots \(e(lots(a)))</figcaption>\n"
        out +=
          "<table class=\"steps\">\n<thead><tr><th>period</th>"
          + columns.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for l in a.periods {
          out +=
            "<tr><td>\(e(l.period.label))</td>"
            + values(l).map { "<td class=\"num\">\(e($0))</td>" }.joined() + "</tr>\n"
        }
        out += "</tbody>\n</table>\n</figure>\n"
      }
      if !b.physical.isEmpty {
        out +=
          "<table class=\"steps\">\n<caption>Physical copper</caption>\n<thead><tr><th>site</th><th>period</th><th>copper in</th><th>copper out</th></tr></thead>\n<tbody>\n"
        for p in b.physical {
          out +=
            "<tr><td>\(e(p.site))</td><td>\(e(p.period.label))</td><td class=\"num\">\(e(p.copperIn))</td><td class=\"num\">\(e(p.copperOut))</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
      }
    }
    return out + "</section>\n\n"
  }
}

/// `--format csv --statement`: the statement as CSV (RFC 4180), one row per account and
/// period (`kind` account) and per site and period (`kind` physical).
public struct StatementCSVReporter: Sendable {
  public static let header = [
    "book", "kind", "account", "period", "start", "end", "opening", "credits", "credited_copper",
    "factors", "debits", "transfers_in", "transfers_out", "transfers_refused", "expired",
    "closing", "copper_in", "copper_out",
  ]
  public init() {}

  public func render(_ report: Report) -> String {
    var out = row(Self.header)
    for b in report.statement ?? [] {
      for a in b.accounts {
        for l in a.periods {
          out += row(
            [b.book, "account", a.name, l.period.id ?? "", l.period.start, l.period.end]
              + StatementRendering.values(l) + ["", ""])
        }
      }
      for p in b.physical {
        out += row(
          [b.book, "physical", p.site, p.period.id ?? "", p.period.start, p.period.end]
            + Array(repeating: "", count: 10) + [p.copperIn, p.copperOut])
      }
    }
    return out
  }

  private func row(_ fields: [String]) -> String {
    fields.map(Escape.csv).joined(separator: ",") + "\r\n"
  }
}
