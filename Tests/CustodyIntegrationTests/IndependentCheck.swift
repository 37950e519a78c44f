import CustodyValues

/// An independent, deliberately plain re-implementation of the automated Cu-again clauses
/// (issue 5), used to prove the generator's ledgers before the engine exists. It is a test
/// oracle, not the product: the product's rules are YAML (rules/, standards/).
struct IndependentCheck {
  struct Problem: Hashable, CustomStringConvertible {
    var clause: String
    var row: String
    var description: String { "\(clause) \(row)" }
  }
  typealias Row = SampleLedger.Row
  let ledger: SampleLedger
  private var out: [Problem] = []
  /// Accounts with a credit that could not be decided (issue 16): no shortfall is shown there.
  private var undecided: Set<String> = []

  init(ledger: SampleLedger) { self.ledger = ledger }

  private func id(_ row: Row, _ table: String, _ column: String? = "entry_id") -> String {
    if let column, let value = row[column] { return value }
    return "\(table).csv:\(row["#line"] ?? "?")"
  }

  private static func covers(_ row: Row, _ date: CivilDate) -> Bool {
    guard let from = day(row["valid_from"]), let to = day(row["valid_to"]) else { return false }
    return from <= date && date <= to
  }

  mutating func problems() -> [Problem] {
    out = []
    let sites = Dictionary(ledger.table("sites").map { ($0["site"] ?? "", $0) }) { a, _ in a }
    let inScope = { (site: String?) in sites[site ?? ""]?["in_scope"] == "true" }
    let partners = ledger.table("partners")
    /// The partners whose agreement covers the date and that are, or list, the party (CUA-5.1).
    func partnersOf(_ party: String, on date: CivilDate) -> [Row] {
      partners.filter {
        Self.covers($0, date)
          && ($0["partner"] == party
            || ($0["affiliates"] ?? "").split(separator: ";").contains { $0 == party })
      }
    }
    let receipts = ledger.table("receipts")
    let shipments = ledger.table("shipments")
    let transfers = ledger.table("transfers")
    let factors = ledger.table("conversion_factors")
    // Issue 16: lookups never guess. Exactly one covering row answers; two are ambiguous (the
    // rule fails); a row of the key whose window cannot be read makes it undecidable.
    enum Lookup { case one(Row), none, ambiguous, undecidable }
    func lookup(_ rows: [Row], _ column: String, _ key: String?, _ date: CivilDate) -> Lookup {
      let mine = rows.filter { $0[column] == key }
      if mine.contains(where: { day($0["valid_from"]) == nil || day($0["valid_to"]) == nil }) {
        let covering = mine.filter { Self.covers($0, date) }
        return covering.count > 1 ? .ambiguous : .undecidable
      }
      let covering = mine.filter { Self.covers($0, date) }
      if covering.count > 1 { return .ambiguous }
      return covering.first.map(Lookup.one) ?? .none
    }
    // Unreadable cells are records findings (CUA-1.3) and nothing else.
    for f in factors where day(f["valid_from"]) == nil || day(f["valid_to"]) == nil {
      add("CUA-1.3", "conversion_factors.csv:\(f["#line"] ?? "?")")
    }
    let origins = ["post_consumer", "pre_consumer", "primary", "same_process", "unknown"]

    // CUA-1.5: windows of one key never overlap (rows with unreadable bounds are CUA-1.3's).
    for (table, key) in [
      ("suppliers", "supplier"), ("partners", "partner"), ("conversion_factors", "site"),
      ("cfp_factors", "route"), ("certificates", "certificate"),
    ] {
      var byKey: [String: [(from: CivilDate, to: CivilDate, row: Row)]] = [:]
      for r in ledger.table(table) {
        guard let from = day(r["valid_from"]), let to = day(r["valid_to"]) else { continue }
        byKey[r[key] ?? "", default: []].append((from, to, r))
      }
      for list in byKey.values {
        let sorted = list.sorted { $0.from < $1.from }
        for (i, a) in sorted.enumerated() {
          // The engine names a window by the table's entry id, else by its span.
          let name = { (w: (from: CivilDate, to: CivilDate, row: Row)) in
            table == "partners" || table == "certificates"
              ? w.row[key] ?? "" : "\(w.from)..\(w.to)"
          }
          if a.to < a.from { add("CUA-1.5", name(a)) }
          for b in sorted[(i + 1)...] where b.from <= a.to {
            add("CUA-1.5", name(a))
            add("CUA-1.5", name(b))
          }
        }
      }
    }

    // CUA-1.1 scope, CUA-1.3 unique entry ids, CUA-8.1 transfers.
    for r in receipts where !inScope(r["site"]) { add("CUA-1.1", id(r, "receipts")) }
    for s in shipments where !inScope(s["site"]) { add("CUA-1.1", id(s, "shipments")) }
    // The first receipt of a supplier document (by date, then entry id) keeps it.
    var firstOfDocument: [String: (CivilDate, String)] = [:]
    for r in receipts {
      guard let doc = r["document_id"], !doc.isEmpty, let d = day(r["date"]) else { continue }
      let key = (d, r["entry_id"] ?? "")
      if let kept = firstOfDocument[doc], kept <= key { continue }
      firstOfDocument[doc] = key
    }
    for t in transfers where !inScope(t["from_site"]) || !inScope(t["to_site"]) {
      add("CUA-1.1", id(t, "transfers", "transfer_id"))
    }
    for table in ["receipts", "shipments"] {
      var seen: [String: Int] = [:]
      for r in ledger.table(table) { seen[r["entry_id"] ?? "", default: 0] += 1 }
      for (entry, count) in seen where count > 1 { add("CUA-1.3", entry) }
    }
    for t in transfers {
      let from = sites[t["from_site"] ?? ""]
      let to = sites[t["to_site"] ?? ""]
      if from?["entity"] != to?["entity"] || !inScope(t["from_site"]) || !inScope(t["to_site"]) {
        add("CUA-8.1", id(t, "transfers", "transfer_id"))
      }
    }

    // CUA-3.x and CUA-4.2 on receipts; credited receipts feed the books below.
    var credits: [(date: CivilDate, account: String, nano: Int64, row: String)] = []
    for r in receipts {
      let rid = id(r, "receipts")
      guard let date = day(r["date"]) else { continue }
      let pool = r["pool"] ?? ""
      let credited = pool == "PCL" || pool == "MR"
      var ok = inScope(r["site"])
      if let doc = r["document_id"], !doc.isEmpty {
        if let kept = firstOfDocument[doc], kept != (date, r["entry_id"] ?? "") {
          add("CUA-3.3", rid)
          ok = false
        }
      } else if credited {
        add("CUA-3.3", rid)
        ok = false
      }
      if !(r["cu_t"] ?? "").isEmpty && scaled(r["cu_t"], 6) == nil { add("CUA-1.3", rid) }
      if let gross = scaled(r["gross_t"], 3), let pct = scaled(r["cu_pct"], 2),
        let cu = scaled(r["cu_t"], 6)
      {
        // gross x pct / 100 in units of 10^-7 t against cu in 10^-6 t; tolerance the larger
        // of 0.001 t and 0.05 % of cu_t.
        let diff = abs(gross * pct - cu * 10)
        if diff > 10_000 && diff * 2_000 > cu * 10 { add("CUA-3.4", rid) }
      }
      // CUA-3.6: physically plausible; a receipt failing it creates no credits.
      var plausible = true
      if let gross = scaled(r["gross_t"], 3), let pct = scaled(r["cu_pct"], 2),
        let cu = scaled(r["cu_t"], 6)
      {
        let primary = ["cu_concentrate", "copper_concentrate", "ore"].contains(r["material"] ?? "")
        if gross <= 0 || pct <= 0 || pct > 10_000 || cu > gross * 1_000 || (credited && primary) {
          add("CUA-3.6", rid)
          plausible = false
        }
      }
      let originReadable = origins.contains(r["origin"] ?? "")
      if !originReadable { add("CUA-1.3", rid) }
      guard credited else { continue }
      if !plausible { ok = false }
      if !originReadable {
        ok = false
      } else if r["origin"] != "post_consumer" && r["origin"] != "pre_consumer" {
        add("CUA-3.1", rid); ok = false
      }
      switch lookup(ledger.table("suppliers"), "supplier", r["supplier"], date) {
      case .one(let supplier) where supplier["due_diligence"] == "passed": break
      case .undecidable: ok = false
      default:
        add("CUA-3.2", rid)
        ok = false
      }
      var partner = ""
      if pool == "PCL" {
        partner = r["partner"] ?? ""
        let p = partners.first { $0["partner"] == partner && Self.covers($0, date) }
        let affiliates = (p?["affiliates"] ?? "").split(separator: ";").map(String.init)
        if p == nil || (r["supplier"] != partner && !affiliates.contains(r["supplier"] ?? "")) {
          add("CUA-3.5", rid)
          ok = false
        }
      }
      let account = "\(r["site"] ?? "")|\(pool)|\(partner)"
      let f: Int64
      switch lookup(factors, "site", r["site"], date) {
      case .undecidable:
        if ok { undecided.insert(account) }
        continue
      case .one(let row):
        guard let value = scaled(row["factor"], 3), value > 0, value <= 1_000 else {
          add("CUA-4.2", rid); continue
        }
        f = value
      default:
        add("CUA-4.2", rid); continue
      }
      if ok, let cu = scaled(r["cu_t"], 6) {
        credits.append((date, "\(r["site"] ?? "")|\(pool)|\(partner)", cu * f, rid))
      }
    }

    // CUA-4.1 periods.
    var periodsBySite: [String: [(id: String, start: CivilDate, end: CivilDate)]] = [:]
    for p in ledger.table("periods") {
      guard let s = day(p["start"]), let e = day(p["end"]) else { continue }
      periodsBySite[p["site"] ?? "", default: []].append((p["period"] ?? "", s, e))
    }
    for (site, list) in periodsBySite {
      let sorted = list.sorted { $0.start < $1.start }
      for (a, b) in zip(sorted, sorted.dropFirst()) where a.end.addingDays(1) != b.start {
        add("CUA-4.1", a.id)
      }
      for p in sorted where p.start.addingMonths(12) <= p.end { add("CUA-4.1", p.id) }
      periodsBySite[site] = sorted
    }
    func inPeriod(_ site: String?, _ date: String?) -> Bool {
      guard let d = day(date) else { return false }
      return (periodsBySite[site ?? ""] ?? []).contains { $0.start <= d && d <= $0.end }
    }
    for r in receipts where !inPeriod(r["site"], r["date"]) { add("CUA-4.1", id(r, "receipts")) }
    for s in shipments where !inPeriod(s["site"], s["date"]) { add("CUA-4.1", id(s, "shipments")) }
    for t in transfers
    where !inPeriod(t["from_site"], t["date"]) || !inPeriod(t["to_site"], t["date"]) {
      add("CUA-4.1", id(t, "transfers", "transfer_id"))
    }

    // CUA-4.6 stock counts.
    for c in ledger.table("stock_counts") {
      if let physical = scaled(c["physical_cu_t"], 6), let book = scaled(c["book_cu_t"], 6),
        abs(physical - book) * 1_000 > book * 5
      {
        add("CUA-4.6", id(c, "stock_counts", nil))
      }
    }

    // CUA-4.8: per in-scope site and period, shipped <= received + opening - closing stock,
    // within 0.5 % of the two counts; a failing group cites its receipts and shipments.
    var counts: [String: Int64] = [:]
    for c in ledger.table("stock_counts") {
      if let physical = scaled(c["physical_cu_t"], 6) {
        counts["\(c["site"] ?? "")|\(c["date"] ?? "")"] = physical
      }
    }
    for (site, list) in periodsBySite where inScope(site) {
      for p in list {
        func inside(_ r: Row) -> Bool {
          guard r["site"] == site, let d = day(r["date"]) else { return false }
          return p.start <= d && d <= p.end
        }
        let ins = receipts.filter(inside)
        let outs = shipments.filter(inside)
        let received = ins.compactMap { scaled($0["cu_t"], 6) }.reduce(0, +)
        let shipped = outs.compactMap { scaled($0["cu_t"], 6) }.reduce(0, +)
        let opening = counts["\(site)|\(p.start.addingDays(-1))"] ?? 0
        let closing = counts["\(site)|\(p.end)"] ?? 0
        if shipped * 200 > (received + opening - closing) * 200 + (opening + closing) {
          for r in ins { add("CUA-4.8", id(r, "receipts")) }
          for s in outs { add("CUA-4.8", id(s, "shipments")) }
        }
      }
    }

    // CUA-5.1, 6.1, 7.x, 9.x on shipments; debits feed the books.
    let documents = Dictionary(ledger.table("documents").map { ($0["document_id"] ?? "", $0) }) {
      a, _ in a
    }
    let cfp = ledger.table("cfp_factors")
    let certificates = ledger.table("certificates")
    var claimedDocuments: [String: [String]] = [:]
    // CUA-9.2 per year: kg CO2e x 10^-6 carried (claimed x recycled + unclaimed x residual)
    // and at the average, with the year's rows.
    var footprint: [Int: (carried: Int64, average: Int64, rows: [String])] = [:]
    func factor(_ route: String, _ date: CivilDate) -> Int64? {
      scaled(cfp.first { $0["route"] == route && Self.covers($0, date) }?["kg_co2e_per_t"], 0)
    }
    var debits: [(date: CivilDate, account: String, nano: Int64, row: String)] = []
    for s in shipments {
      let sid = id(s, "shipments")
      guard let date = day(s["date"]), let cu = scaled(s["cu_t"], 6) else { continue }
      let claim = s["claim"] ?? ""
      // An unknown claim is CUA-7.3 only: the claim rules name claim-known as prerequisite.
      if !["", "PCL100/mb", "MR100/mb"].contains(claim) {
        add("CUA-7.3", sid)
        continue
      }
      // A claim at a site outside the scope is CUA-1.1 only: its debit is not posted.
      let posted = inScope(s["site"])
      let route = claim.isEmpty ? "residual" : "recycled"
      let expected = cfp.first { $0["route"] == route && Self.covers($0, date) }?["kg_co2e_per_t"]
      if expected == nil || expected != s["cfp_kg_per_t"] { add("CUA-9.1", sid) }
      if inScope(s["site"]), let carried = factor(route, date),
        let average = factor("average", date)
      {
        var year = footprint[date.year] ?? (0, 0, [])
        year.carried += cu * carried
        year.average += cu * average
        year.rows.append(sid)
        footprint[date.year] = year
      }
      guard !claim.isEmpty else { continue }
      claimedDocuments[s["document_id"] ?? "", default: []].append(sid)
      if let doc = documents[s["document_id"] ?? ""],
        ["issue_date", "recipient", "cu_t", "claim", "certificate"].allSatisfy({
          !(doc[$0] ?? "").isEmpty
        }),
        doc["model"] == "mass_balance"
      {
        if doc["recipient"] != s["customer"] || scaled(doc["cu_t"], 6) != cu
          || doc["claim"] != claim
        {
          add("CUA-7.2", sid)
        }
      } else {
        add("CUA-7.1", sid)
      }
      if let doc = documents[s["document_id"] ?? ""] {
        // CUA-7.5: issued on or after the shipment, within 30 days.
        if let issued = day(doc["issue_date"]), issued < date || date.addingDays(30) < issued {
          add("CUA-7.5", sid)
        }
        // CUA-6.1: the document's certificate is active on the date, of this standard, and
        // covers the site.
        // A claim outside the scope is CUA-1.1 only.
        if let certificate = doc["certificate"], !certificate.isEmpty, posted {
          let covering = certificates.filter {
            $0["certificate"] == certificate && Self.covers($0, date)
          }
          if covering.count != 1 || covering[0]["status"] != "active"
            || covering[0]["standard"] != "cu-again-coc"
            || !(covering[0]["sites"] ?? "").split(separator: ";").contains(where: {
              $0 == (s["site"] ?? "")
            })
          {
            add("CUA-6.1", sid)
          }
        }
      }
      if claim == "MR100/mb" && posted {
        debits.append((date, "\(s["site"] ?? "")|MR|", cu * 1_000, sid))
      }
      if claim == "PCL100/mb" {
        // A PCL claim to a customer of no partner with an agreement valid on the date, or of
        // two such partners, is CUA-5.1 only: no debit either.
        let found = partnersOf(s["customer"] ?? "", on: date)
        guard found.count == 1, let partner = found.first else {
          add("CUA-5.1", sid)
          continue
        }
        if posted {
          debits.append(
            (date, "\(s["site"] ?? "")|PCL|\(partner["partner"] ?? "")", cu * 1_000, sid))
        }
      }
    }
    for (name, ids) in claimedDocuments where !name.isEmpty && ids.count > 1 {
      for sid in ids { add("CUA-7.5", sid) }
    }
    for (_, year) in footprint where year.carried < year.average {
      for sid in year.rows { add("CUA-9.2", sid) }
    }
    runBooks(credits: credits, debits: debits, transfers: transfers, periods: periodsBySite)
    return out.sorted { ($0.clause, $0.row) < ($1.clause, $1.row) }
  }

  /// CUA-4.3 (never below zero), 4.4 (period ends) and 4.5 (24-month FIFO expiry).
  private mutating func runBooks(
    credits: [(date: CivilDate, account: String, nano: Int64, row: String)],
    debits: [(date: CivilDate, account: String, nano: Int64, row: String)],
    transfers: [Row], periods: [String: [(id: String, start: CivilDate, end: CivilDate)]]
  ) {
    // Event order: by date; credits (0), transfers (1), debits (2); then file order.
    var events: [(date: CivilDate, order: Int, seq: Int, kind: Int, index: Int)] = []
    for (i, c) in credits.enumerated() { events.append((c.date, 0, i, 0, i)) }
    for (i, t) in transfers.enumerated() {
      if let d = day(t["date"]) { events.append((d, 1, i, 1, i)) }
    }
    for (i, d) in debits.enumerated() { events.append((d.date, 2, i, 2, i)) }
    events.sort { ($0.date, $0.order, $0.seq) < ($1.date, $1.order, $1.seq) }
    var balance: [String: Int64] = [:]
    var lots: [String: [(nano: Int64, expires: CivilDate)]] = [:]
    var firstNegative: [String: String] = [:]
    var periodEnds: [(date: CivilDate, site: String)] = []
    for (site, list) in periods { for p in list { periodEnds.append((p.end, site)) } }
    periodEnds.sort { ($0.date, $0.site) < ($1.date, $1.site) }
    var nextEnd = 0
    func closePeriods(before date: CivilDate?) {
      while nextEnd < periodEnds.count, date.map({ periodEnds[nextEnd].date < $0 }) ?? true {
        let (_, site) = periodEnds[nextEnd]
        for (account, value) in balance
        where value < 0 && account.hasPrefix(site + "|") && !undecided.contains(account) {
          add("CUA-4.4", firstNegative[account] ?? account)
        }
        nextEnd += 1
      }
    }
    func take(_ account: String, _ amount: Int64, on date: CivilDate) -> (
      taken: [(Int64, CivilDate)], short: Int64
    ) {
      var need = amount
      var taken: [(Int64, CivilDate)] = []
      var queue = lots[account] ?? []
      queue.removeAll { $0.expires <= date }
      while need > 0, !queue.isEmpty {
        let use = min(need, queue[0].nano)
        taken.append((use, queue[0].expires))
        need -= use
        queue[0].nano -= use
        if queue[0].nano == 0 { queue.removeFirst() }
      }
      lots[account] = queue
      return (taken, need)
    }
    for event in events {
      closePeriods(before: event.date)
      switch event.kind {
      case 0:
        let c = credits[event.index]
        balance[c.account, default: 0] += c.nano
        lots[c.account, default: []].append((c.nano, c.date.addingMonths(24)))
      case 1:
        let t = transfers[event.index]
        guard let amount = scaled(t["cu_t"], 6).map({ $0 * 1_000 }) else { continue }
        let from = "\(t["from_site"] ?? "")|\(t["pool"] ?? "")|\(t["partner"] ?? "")"
        let to = "\(t["to_site"] ?? "")|\(t["pool"] ?? "")|\(t["partner"] ?? "")"
        // CUA-8.1 (issue 18): only the sender's unexpired credits move; the rest is the
        // transfer's finding, neither moved nor credited at the receiver.
        let moved = take(from, amount, on: event.date)
        let covered = amount - moved.short
        balance[from, default: 0] -= covered
        balance[to, default: 0] += covered
        lots[to, default: []] += moved.taken.map { (nano: $0.0, expires: $0.1) }
        if undecided.contains(from) {
          // What the sender could cover is not known: nor is what the receiver holds.
          if moved.short > 0 { undecided.insert(to) }
        } else if moved.short > 0 {
          add("CUA-8.1", t["transfer_id"] ?? "?")
        }
      default:
        let d = debits[event.index]
        let before = balance[d.account, default: 0]
        balance[d.account, default: 0] -= d.nano
        let result = take(d.account, d.nano, on: event.date)
        if undecided.contains(d.account) {
          // A shortfall here may be an undecided credit's: not shown.
        } else if before - d.nano < 0 {
          add("CUA-4.3", d.row)
          if firstNegative[d.account] == nil { firstNegative[d.account] = d.row }
        } else if result.short > 0 {
          add("CUA-4.5", d.row)
        }
      }
      for (account, value) in balance where value >= 0 { firstNegative[account] = nil }
    }
    closePeriods(before: nil)
  }

  private mutating func add(_ clause: String, _ row: String) {
    let problem = Problem(clause: clause, row: row)
    if !out.contains(problem) { out.append(problem) }
  }
}
