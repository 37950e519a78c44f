import CustodyValues

/// Writes the small tables of a sample ledger: sites, suppliers, partners, periods,
/// conversion and CFP factors, stock counts.
struct ReferenceTables {
  let world: SampleWorld
  let dates: DateCache
  let plant: PlantKind?
  let dir: String
  let flows: CopperFlows

  private static let gapSite = 0
  private static let gapQuarter = "2024Q2"
  private static let stockSite = 1
  private static let stockQuarter = "2025Q1"

  mutating func write(rng: inout SplitMix64) throws -> ([String: Int], [PlantedRow]) {
    var rows: [String: Int] = [:]
    var planted: [PlantedRow] = []

    let sites = try CSVWriter(
      path: dir + "/sites.csv", header: ["site", "name", "entity", "in_scope"])
    for site in world.sites {
      sites.string(site.id)
      sites.string(site.name)
      sites.string(site.entity)
      sites.boolean(site.inScope)
      sites.endRow()
    }
    rows["sites"] = sites.rows
    try sites.close()

    let suppliers = try CSVWriter(
      path: dir + "/suppliers.csv",
      header: ["supplier", "name", "due_diligence", "valid_from", "valid_to"])
    for window in world.supplierWindows {
      if plant == .overlappingMasterWindows && window.id == world.failedSupplier {
        // Both overlapping windows are the evidence, named by their span.
        planted.append(
          PlantedRow(
            table: "suppliers", entryID: "\(window.from)..\(window.to)", line: suppliers.nextLine))
      }
      suppliers.string(window.id)
      suppliers.string(window.name)
      suppliers.string(window.status)
      suppliers.bytes(dates.bytes(window.from))
      suppliers.bytes(dates.bytes(window.to))
      suppliers.endRow()
    }
    rows["suppliers"] = suppliers.rows
    try suppliers.close()

    let partners = try CSVWriter(
      path: dir + "/partners.csv",
      header: ["partner", "name", "agreement", "valid_from", "valid_to", "affiliates"])
    for partner in world.partners {
      partners.string(partner.id)
      partners.string(partner.name)
      partners.string(partner.agreement)
      partners.bytes(dates.bytes(partner.from))
      partners.bytes(dates.bytes(partner.to))
      if partner.affiliates.isEmpty {
        partners.empty()
      } else {
        partners.string(partner.affiliates.joined(separator: ";"))
      }
      partners.endRow()
    }
    rows["partners"] = partners.rows
    try partners.close()

    let periods = try CSVWriter(
      path: dir + "/periods.csv", header: ["site", "period", "start", "end"])
    for (index, site) in world.sites.enumerated() {
      let quarters = SampleWorld.quarters
      for (qi, quarter) in quarters.enumerated() {
        var end = quarter.end
        let id = "\(site.id)-\(quarter.id)"
        if plant == .periodGap && index == Self.gapSite && quarter.id == Self.gapQuarter {
          end = end.addingDays(-1)
          // The gap lies between this period and the next; both are the evidence.
          planted.append(PlantedRow(table: "periods", entryID: id, line: periods.nextLine))
          planted.append(
            PlantedRow(
              table: "periods",
              entryID: "\(site.id)-\(quarters[min(qi + 1, quarters.count - 1)].id)",
              line: periods.nextLine + 1))
        }
        periods.string(site.id)
        periods.string(id)
        periods.bytes(dates.bytes(quarter.start))
        periods.bytes(dates.bytes(end))
        periods.endRow()
      }
    }
    if plant == .expiredCredits {
      // The period of the 2026 claim on expired credits.
      periods.string("TAM")
      periods.string("TAM-2026Q1")
      periods.bytes(dates.bytes(SampleWorld.day(2026, 1, 1)))
      periods.bytes(dates.bytes(SampleWorld.day(2026, 3, 31)))
      periods.endRow()
    }
    rows["periods"] = periods.rows
    try periods.close()

    let factors = try CSVWriter(
      path: dir + "/conversion_factors.csv",
      header: ["site", "factor", "valid_from", "valid_to", "basis_document"])
    for site in world.sites {
      for (n, window) in site.factors.enumerated() {
        factors.string(site.id)
        factors.decimal(window.milli, scale: 3)
        factors.bytes(dates.bytes(window.from))
        factors.bytes(dates.bytes(window.to))
        factors.string("CF-\(site.id)-\(window.from.year)-\(n + 1)")
        factors.endRow()
      }
    }
    if plant == .unreadableFactorBound {
      // A month 13: the row's window cannot be read, so no SAG lookup can be decided.
      planted.append(PlantedRow(table: "conversion_factors", entryID: nil, line: factors.nextLine))
      factors.string(world.sites[0].id)
      factors.decimal(970, scale: 3)
      factors.string("2024-13-01")
      factors.bytes(dates.bytes(SampleWorld.day(2024, 12, 31)))
      factors.string("CF-\(world.sites[0].id)-2024-9")
      factors.endRow()
    }
    rows["conversion_factors"] = factors.rows
    try factors.close()

    let cfp = try CSVWriter(
      path: dir + "/cfp_factors.csv", header: ["route", "kg_co2e_per_t", "valid_from", "valid_to"])
    for row in world.cfp {
      cfp.string(row.route)
      cfp.integer(row.kg)
      cfp.bytes(dates.bytes(row.from))
      cfp.bytes(dates.bytes(row.to))
      cfp.endRow()
    }
    rows["cfp_factors"] = cfp.rows
    try cfp.close()

    let counts = try CSVWriter(
      path: dir + "/stock_counts.csv", header: ["site", "date", "physical_cu_t", "book_cu_t"])
    for site in 0..<SampleWorld.activeSites {
      for (qi, quarter) in SampleWorld.quarters.enumerated() {
        // Drawn and set aside: the main stream keeps its length (the ppm draws stay aligned).
        _ = rng.int(4_000_000_000...9_000_000_000)
        let book = flows.book(site: site, quarter: qi)
        var ppm = rng.int(-3_000...3_000)
        // At the quarter's end, also when the period-gap plant ends SAG's period a day early:
        // the count is the next period's opening stock.
        let date = quarter.end
        if plant == .stockDifference && site == Self.stockSite && quarter.id == Self.stockQuarter {
          ppm = 8_000  // 0.8 % over book, above the 0.5 % tolerance
          planted.append(PlantedRow(table: "stock_counts", entryID: nil, line: counts.nextLine))
        }
        counts.string(world.sites[site].id)
        counts.bytes(dates.bytes(date))
        counts.micro(book + book / 1_000_000 * ppm)
        counts.micro(book)
        counts.endRow()
      }
    }
    // The opening counts, the day before the first period (CUA-4.8's opening stock), after
    // the quarterly ones so that those keep their lines (planted evidence cites them).
    for site in 0..<SampleWorld.activeSites {
      counts.string(world.sites[site].id)
      counts.bytes(dates.bytes(SampleWorld.start.addingDays(-1)))
      counts.micro(flows.opening[site])
      counts.micro(flows.opening[site])
      counts.endRow()
    }
    rows["stock_counts"] = counts.rows
    try counts.close()
    return (rows, planted)
  }
}
