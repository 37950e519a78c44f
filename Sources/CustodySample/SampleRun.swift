import CustodyValues

/// One generator run: the merge-walk over receipts and shipments in date order that keeps a
/// shadow of every credit account, so that claims are only made where credits cover them.
///
/// Balances are in nano-tonnes (micro-tonnes of copper x conversion factor in thousandths),
/// exactly what an engine computes from `cu_t * factor`.
struct SampleRun {
  private enum Kind { case concentrate, internalReturn, pendingScrap, pcl, mr }
  private enum Claim { case none, pcl(Int), mr }

  let options: SampleOptions
  private var world = SampleWorld()
  private var rng: SplitMix64
  private let dates: DateCache
  private let plant: PlantKind?
  private let n: Int
  private let m: Int
  private let width: Int
  private var balance = [Int64](repeating: 0, count: 32)
  private var pending: [(account: Int, amount: Int64)] = []
  private var currentDate = CivilDate(dayNumber: Int32.min)
  private var planted: [PlantedRow] = []
  private var plantDone = false
  private var recoveryDue = false
  private var recoveryAfter = SampleWorld.start
  private var suppressUntil: CivilDate?
  private var specialCredit: Int64 = 0
  /// Copper in and out per site and quarter, for stock counts that follow the ledger.
  private var flows: CopperFlows

  /// Claims leave at least this much (2 t) in the account.
  private static let margin: Int64 = 2_000_000_000
  private static let gapDay = SampleWorld.day(2024, 6, 30)
  private static let overdraftFrom = SampleWorld.day(2024, 5, 6)
  private static let closeFrom = SampleWorld.day(2024, 9, 21)
  private static let closeEnd = SampleWorld.day(2024, 9, 30)
  private static let certificate = SampleCertificates.active

  private var receipts: CSVWriter?
  private var shipments: CSVWriter?
  private var documents: CSVWriter?
  private var transfers: CSVWriter?

  init(options: SampleOptions) {
    self.options = options
    rng = SplitMix64(seed: options.seed)
    dates = DateCache(from: SampleWorld.windowStart, days: 1_300)
    plant = options.plant
    n = options.receipts
    m = options.shipments
    width = max(6, String(max(n, m) + 1).count)
    flows = CopperFlows(sites: world.sites.count, seed: options.seed)
    if plant == .overlappingFactors {
      // A second SAG factor for the planted receipt's day only: two rows cover it.
      let g = receiptDate(n / 2)
      world.sites[0].factors.append((970, g, g))
    }
    if plant == .overlappingSuppliers {
      // A failed due-diligence row for MR-01 on the planted receipt's day only.
      let g = receiptDate(n / 2)
      world.plantedSupplierWindows = [
        .init(id: "MR-01", name: "Scrap Dealer 1", status: "failed", from: g, to: g)
      ]
    }
    if plant == .overlappingMasterWindows {
      // A second window of the failed dealer, whom no receipt names: only CUA-1.5 sees it.
      world.plantedSupplierWindows = [
        .init(
          id: world.failedSupplier, name: "Scrap Dealer 10", status: "failed",
          from: SampleWorld.day(2025, 1, 1), to: SampleWorld.day(2025, 3, 31))
      ]
    }
    if plant == .pclAgreementEnded {
      // MTS's one delivery is on 2024-01-01; its agreement now ends mid-2024.
      world.partners[SampleWorld.specialPartner].to = SampleWorld.day(2024, 6, 30)
    }
    if plant == .residualNotConserving,
      let k = world.cfp.firstIndex(where: {
        $0.route == "residual" && $0.from.year == 2025
      }), let average = world.cfp.first(where: { $0.route == "average" && $0.from.year == 2025 })
    {
      world.cfp[k].kg = average.kg
    }
    if plant == .siteOverdraft {
      // The 3,000 t claim lifts 2025's claimed share to about 40 %: a residual that conserves
      // the footprint of that year is higher (CUA-9.2 must not fail on this plant).
      for k in world.cfp.indices where world.cfp[k].route == "residual" { world.cfp[k].kg = 6_000 }
    }
    if plant == .missingConversionFactor {
      // No factor for SAG on the planted receipt's day.
      let g = receiptDate(n / 2)
      world.sites[0].factors = [
        (975, SampleWorld.windowStart, g.addingDays(-1)),
        (968, g.addingDays(1), SampleWorld.windowEnd),
      ]
    }
  }

  private var plantIndex: Int { n / 2 }
  /// The physical-overdraw plant's shipment and its quarter (SAG's rows of it are evidence).
  private var overdrawShipment: Int { 3 * m / 4 }
  private var overdrawQuarter: Int? { CopperFlows.quarter(of: shipmentDate(overdrawShipment)) }
  private func receiptDate(_ i: Int) -> CivilDate {
    SampleWorld.start.addingDays(i * SampleWorld.days / n)
  }
  private func shipmentDate(_ j: Int) -> CivilDate {
    SampleWorld.start.addingDays(j * SampleWorld.days / m)
  }
  private func pad(_ prefix: String, _ number: Int) -> String {
    let digits = String(number)
    return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
  private static func account(site: Int, pool: Int, partner: Int) -> Int {
    site * 8 + pool * 4 + partner
  }

  mutating func write() throws -> SampleSummary {
    let dir = options.outDir
    receipts = try CSVWriter(
      path: dir + "/receipts.csv",
      header: [
        "entry_id", "date", "site", "supplier", "material", "origin", "pool", "partner", "gross_t",
        "cu_pct", "cu_t", "document_id",
      ])
    shipments = try CSVWriter(
      path: dir + "/shipments.csv",
      header: [
        "entry_id", "date", "site", "customer", "product", "cu_t", "claim", "document_id",
        "cfp_kg_per_t",
      ])
    documents = try CSVWriter(
      path: dir + "/documents.csv",
      header: [
        "document_id", "issue_date", "recipient", "cu_t", "claim", "model", "certificate",
      ])
    transfers = try CSVWriter(
      path: dir + "/transfers.csv",
      header: [
        "transfer_id", "date", "from_site", "to_site", "pool", "partner", "cu_t",
      ])
    var i = 0
    for j in 0..<m {
      let date = shipmentDate(j)
      while i < n && receiptDate(i) <= date {
        try emitReceipt(i)
        i += 1
      }
      try emitShipment(j, on: date)
    }
    while i < n {
      try emitReceipt(i)
      i += 1
    }
    if plant == .expiredCredits { try emitExpiredClaim() }
    var rows: [String: Int] = [:]
    for (name, writer) in [
      ("receipts", receipts), ("shipments", shipments), ("documents", documents),
      ("transfers", transfers),
    ] {
      guard let writer else { continue }
      rows[name] = writer.rows
      try writer.close()
    }
    var reference = ReferenceTables(
      world: world, dates: dates, plant: plant, dir: dir, flows: flows)
    let (referenceRows, referencePlanted) = try reference.write(rng: &rng)
    rows.merge(referenceRows) { a, _ in a }
    rows["certificates"] = try SampleCertificates.write(
      world: world, dates: dates, plant: plant, dir: dir)
    var awards = AwardsTable(world: world, dates: dates, dir: dir, seed: options.seed)
    rows["awards"] = try awards.write()
    planted += referencePlanted
    if let plant, planted.isEmpty {
      throw SampleError.cannotPlant(plant, reason: "no row of the right kind; use more rows")
    }
    return SampleSummary(
      rows: rows, plant: plant, planted: planted, expectedClauses: plant?.expectedClauses ?? [])
  }

  /// Later-day events first receive credits transferred in on earlier days, so a same-day
  /// claim never depends on the order an engine gives transfers and debits.
  private mutating func advance(to date: CivilDate) {
    guard date > currentDate else { return }
    for (account, amount) in pending { balance[account] += amount }
    pending.removeAll(keepingCapacity: true)
    currentDate = date
  }

  private mutating func emitReceipt(_ i: Int) throws {
    let date = receiptDate(i)
    advance(to: date)
    // A fixed number of draws per row keeps planted ledgers aligned with the conformant one.
    var site = rng.index(SampleWorld.activeSites)
    let kindDraw = rng.ppm()
    var partner = rng.index(SampleWorld.flowPartners)
    let supplierDraw = rng.index(8)
    let originDraw = rng.ppm()
    let materialDraw = rng.index(5)
    let grossDraw = Int64(rng.ppm())
    let pctDraw = Int64(rng.ppm())
    var kind: Kind =
      kindDraw < 480_000
      ? .concentrate
      : kindDraw < 530_000
        ? .internalReturn
        : kindDraw < 580_000 ? .pendingScrap : kindDraw < 730_000 ? .pcl : .mr
    if kind == .pcl && date < world.partners[partner].from { partner = 0 }
    var supplier: String? = nil
    var origin: String? = nil
    var excluded = false
    var bigLot = false
    var plantedHere = false
    var entryNumber = i + 1
    var documentNumber = i + 1
    var withDocument = true
    var copperText: String?
    if i == 1 {
      // The special partner's one delivery (its credits stay unclaimed).
      site = 2
      kind = .pcl
      partner = SampleWorld.specialPartner
      supplier = world.partners[partner].id
    }
    if i == plantIndex || i == plantIndex + 1, let plant {
      switch plant {
      case .ineligibleOrigin where i == plantIndex:
        kind = .mr
        origin = "unknown"
        excluded = true
        plantedHere = true
      case .supplierNotPassed where i == plantIndex:
        kind = .mr
        supplier = world.failedSupplier
        excluded = true
        plantedHere = true
      case .pclWrongSupplier where i == plantIndex:
        kind = .pcl
        partner = 0
        supplier = "MR-02"
        excluded = true
        plantedHere = true
      case .missingConversionFactor where i == plantIndex:
        kind = .mr
        site = 0
        excluded = true
        plantedHere = true
      case .copperMismatch where i == plantIndex:
        kind = .concentrate
        plantedHere = true
      case .duplicateEntryID:
        kind = .concentrate
        entryNumber = plantIndex + 1
        plantedHere = true
      case .duplicateDocument:
        documentNumber = plantIndex + 1
        plantedHere = true
      case .unreadableOrigin where i == plantIndex:
        kind = .mr
        origin = "mine"
        excluded = true
        plantedHere = true
      case .missingSupplierDocument where i == plantIndex:
        kind = .mr
        withDocument = false
        excluded = true
        plantedHere = true
      case .unreadableConcentrateCopper where i == plantIndex:
        kind = .concentrate
        copperText = "12,5x"
        plantedHere = true
      case .overlappingSuppliers where i == plantIndex:
        kind = .mr
        supplier = "MR-01"
        excluded = true
        plantedHere = true
      case .overlappingFactors where i == plantIndex:
        kind = .mr
        site = 0
        excluded = true
        plantedHere = true
      case .implausibleReceipt where i == plantIndex:
        kind = .mr
        excluded = true
        plantedHere = true
      default: break
      }
    }
    if recoveryDue && date > recoveryAfter {
      // Credits that make good a planted deficit.
      site = 0
      kind = .mr
      bigLot = true
      recoveryDue = false
    }
    let credited = kind == .pcl || kind == .mr
    if let until = suppressUntil, date <= until, site == 0, kind == .mr { site = 1 }
    if plant == .periodGap && site == 0 && date == Self.gapDay { site = 1 }
    if plant == .missingConversionFactor || plant == .overlappingFactors, site == 0, credited,
      i != plantIndex, date == receiptDate(plantIndex)
    {
      site = 1
    }
    if kind == .mr && supplier == nil {
      var id = world.mrSuppliers[supplierDraw]
      if id == world.lapsedSupplier && SampleWorld.lapseFrom <= date && date <= SampleWorld.lapseTo
      {
        id = "MR-06"
      }
      if plant == .overlappingSuppliers && id == "MR-01" && i != plantIndex
        && date == receiptDate(plantIndex)
      {
        id = "MR-06"
      }
      supplier = id
    }

    let material: String
    var gross: (Int64, Int64)  // milli-tonnes
    var pct: (Int64, Int64)  // hundredths of a percent
    switch kind {
    case .concentrate:
      material = "copper_concentrate"
      gross = (50_000, 300_000)
      pct = (2_400, 3_200)
      supplier = world.mines[supplierDraw % world.mines.count]
      origin = "primary"
    case .internalReturn:
      material = "anode_scrap"
      gross = (5_000, 30_000)
      pct = (9_700, 9_950)
      supplier = world.internalSupplier
      origin = "same_process"
    case .pendingScrap:
      material = "mixed_copper_scrap"
      gross = (5_000, 25_000)
      pct = (6_000, 8_500)
      supplier = world.pendingSupplier
      origin = "post_consumer"
    case .pcl:
      let kinds = [
        ("appliance_copper_scrap", 3_000, 6_000), ("wire_scrap", 9_200, 9_800),
        ("pcb_scrap", 1_800, 2_800),
      ]
      let pick = kinds[materialDraw % kinds.count]
      material = pick.0
      gross = (5_000, 40_000)
      pct = (Int64(pick.1), Int64(pick.2))
      if supplier == nil {
        let p = world.partners[partner]
        supplier = supplierDraw % 2 == 0 ? p.id : (p.supplierAffiliates.first ?? p.id)
      }
    case .mr:
      let kinds = [
        ("no1_copper_scrap", 9_600, 9_950), ("no2_copper_scrap", 8_800, 9_400),
        ("wire_scrap", 9_200, 9_800),
        ("pcb_scrap", 1_800, 2_800), ("tube_scrap", 9_500, 9_900),
      ]
      let pick = kinds[materialDraw]
      material = bigLot ? "wire_scrap" : pick.0
      gross = bigLot ? (30_000, 40_000) : (5_000, 40_000)
      pct = bigLot ? (9_200, 9_800) : (Int64(pick.1), Int64(pick.2))
    }
    var materialName = material
    if i == 1 {
      materialName = "tube_scrap"
      gross = (12_000, 20_000)
      pct = (9_500, 9_900)
    }
    if origin == nil { origin = originDraw < 800_000 ? "post_consumer" : "pre_consumer" }
    let grossMilli = gross.0 + grossDraw * (gross.1 - gross.0) / 1_000_000
    var pctHundredths = pct.0 + pctDraw * (pct.1 - pct.0) / 1_000_000
    // A grade keyed in ten times too high: cu_t follows it, so CUA-3.4 still agrees.
    if plant == .implausibleReceipt && plantedHere { pctHundredths *= 10 }
    // gross_t x cu_pct / 100 in micro-tonnes, rounded half up: within 0.5 micro-t of exact.
    var cuMicro = (grossMilli * pctHundredths + 5) / 10
    if plant == .copperMismatch && plantedHere { cuMicro += 100_000 }

    if credited && !excluded, let factor = world.factor(site: site, on: date) {
      let pool = kind == .pcl ? 0 : 1
      let credit = cuMicro * factor
      balance[Self.account(site: site, pool: pool, partner: kind == .pcl ? partner : 0)] += credit
      if i == 1 { specialCredit = credit }
    }
    flows.received(cuMicro, site: site, on: date)
    guard let w = receipts else { return }
    let entryID = pad("R-", entryNumber)
    if plant == .physicalOverdraw && site == 0 && CopperFlows.quarter(of: date) == overdrawQuarter {
      plantedHere = true
    }
    if plantedHere {
      planted.append(PlantedRow(table: "receipts", entryID: entryID, line: w.nextLine))
    }
    w.string(entryID)
    w.bytes(dates.bytes(date))
    w.string(world.sites[site].id)
    w.string(supplier ?? "")
    w.string(materialName)
    w.string(origin ?? "")
    w.string(kind == .pcl ? "PCL" : kind == .mr ? "MR" : "NONE")
    if kind == .pcl { w.string(world.partners[partner].id) } else { w.empty() }
    w.decimal(grossMilli, scale: 3)
    w.decimal(pctHundredths, scale: 2)
    if let copperText { w.string(copperText) } else { w.micro(cuMicro) }
    if withDocument { w.string(pad("SD-", documentNumber)) } else { w.empty() }
    w.endRow()
  }

  private mutating func emitShipment(_ j: Int, on date: CivilDate) throws {
    advance(to: date)
    var site = rng.index(SampleWorld.activeSites)
    var lot = rng.int(25_000...70_000) * 1_000
    let claimDraw = rng.ppm()
    let partner = rng.index(SampleWorld.flowPartners)
    let customerDraw = rng.index(world.customers.count)
    let affiliateDraw = rng.ppm()
    let transferDraw = rng.ppm()
    let transferFrom = rng.index(2)
    let transferPoolDraw = rng.ppm()
    let transferPartner = rng.index(SampleWorld.flowPartners)

    let late = j >= m / 2
    let forceTransfer = plant == .transferAcrossEntities && late && !plantDone
    let forceUncovered = plant == .transferUncovered && late && !plantDone
    let transferRate = min(1_000_000, 40_000_000 / m)
    if forceTransfer || forceUncovered || transferDraw < transferRate {
      emitTransfer(
        on: date, from: transferFrom, mr: transferPoolDraw < 700_000, partner: transferPartner,
        acrossEntities: forceTransfer, uncovered: forceUncovered)
    }
    if plant == .periodGap && site == 0 && date == Self.gapDay { site = 1 }

    var claim = Claim.none
    var claimText: String? = nil
    var debit = true
    var customer = world.customers[customerDraw]
    var withDocument = true
    var documentExtra: Int64 = 0
    var averageCFP = false
    var certificate = Self.certificate
    var issueDelay = 0
    var plantedHere = false

    if plant == .siteOverdraft && j == m - 1 {
      // Claim all of TAM's credits and 3,000 t more on the ledger's last day.
      site = 2
      let total = (0..<8).reduce(Int64(0)) { $0 + balance[2 * 8 + $1] }
      lot = max(0, total / 1_000) + 3_000_000_000
      claim = .mr
      plantedHere = true
      plantDone = true
    } else if (plant == .overdraft && date >= Self.overdraftFrom)
      || (plant == .negativePeriodClose && date >= Self.closeFrom),
      !plantDone
    {
      if plant == .negativePeriodClose {
        guard date <= Self.closeEnd else {
          throw SampleError.cannotPlant(
            .negativePeriodClose, reason: "no shipment in the last days of 2024Q3")
        }
        suppressUntil = Self.closeEnd
        recoveryAfter = Self.closeEnd
      } else {
        recoveryAfter = date
      }
      // Overdraw SAG's MR account by 0.5 t; later credits make it good.
      site = 0
      let available = balance[Self.account(site: 0, pool: 1, partner: 0)]
      lot = max(0, (available + 999) / 1_000) + 500_000
      claim = .mr
      recoveryDue = true
      plantDone = true
      plantedHere = true
    } else {
      if claimDraw < 300_000
        && balance[Self.account(site: site, pool: 0, partner: partner)] - lot * 1_000 >= Self.margin
      {
        claim = .pcl(partner)
      } else if claimDraw < 650_000
        && balance[Self.account(site: site, pool: 1, partner: 0)] - lot * 1_000 >= Self.margin
      {
        claim = .mr
      }
    }
    if case .pcl(let p) = claim {
      let partnerRow = world.partners[p]
      // Two claims in five go to one of the partner's affiliated customers (when it has any);
      // the book resolves them with partners[affiliates = customer] and debits the partner.
      let affiliates = partnerRow.customerAffiliates
      if !affiliates.isEmpty && affiliateDraw < 400_000 {
        customer = affiliates[affiliateDraw % affiliates.count]
      } else {
        customer = partnerRow.id
      }
      claimText = "PCL100/mb"
    } else if case .mr = claim {
      claimText = "MR100/mb"
    }

    // The generator still books the debit it would have made: the planted ledger has the same
    // shipments and claims as the clean one of the same seed, only the claim text is wrong
    // (an export error), so the two measure the same work (scripts/bench-bulk-findings.sh).
    if plant == .systematicUnknownClaims, case .mr = claim {
      claimText = "REC50/mb"
      plantedHere = true
    }
    if late && !plantDone, let plant {
      let claimed = claimText != nil
      switch plant {
      case .outOfScopeSite where !claimed:
        site = SampleWorld.outOfScopeSite
        plantedHere = true
      case .outOfScopeClaim where claimed:
        site = SampleWorld.outOfScopeSite
        debit = false
        plantedHere = true
      case .undocumentedUnknownClaim:
        if case .mr = claim {
          claimText = "REC50/mb"
          debit = false
          withDocument = false
          averageCFP = true
          plantedHere = true
        }
      case .pclWrongCustomer:
        if case .pcl = claim {
          customer = "CUS-03"
          debit = false
          plantedHere = true
        }
      case .missingDocument where claimed:
        withDocument = false
        plantedHere = true
      case .documentMismatch where claimed:
        documentExtra = 500_000
        plantedHere = true
      case .unknownClaim:
        if case .mr = claim {
          claimText = "MR100"
          debit = false
          plantedHere = true
        }
      case .wrongCfpFactor where claimed:
        averageCFP = true
        plantedHere = true
      case .withdrawnCertificate where claimed:
        certificate = SampleCertificates.withdrawn
        plantedHere = true
      case .lateDocument where claimed:
        issueDelay = 45
        plantedHere = true
      case .pclAgreementEnded:
        if case .pcl = claim {
          customer = world.partners[SampleWorld.specialPartner].id
          debit = false
          plantedHere = true
        }
      case .unclaimedAverageCfp where !claimed:
        averageCFP = true
        plantedHere = true
      default: break
      }
      if plantedHere { plantDone = true }
    }
    // Every 2025 shipment is evidence of the year whose residual does not conserve.
    if plant == .residualNotConserving && date.year == 2025 { plantedHere = true }
    var physical = true
    if plant == .physicalOverdraw && j == overdrawShipment {
      // 30,000 t from SAG, unclaimed, that the stock counts never see.
      site = 0
      claim = .none
      claimText = nil
      lot = 30_000_000_000
      physical = false
    }
    if plant == .physicalOverdraw && site == 0 && CopperFlows.quarter(of: date) == overdrawQuarter {
      plantedHere = true
    }
    if physical { flows.shipped(lot, site: site, on: date) }
    if debit {
      switch claim {
      case .pcl(let p): balance[Self.account(site: site, pool: 0, partner: p)] -= lot * 1_000
      case .mr: balance[Self.account(site: site, pool: 1, partner: 0)] -= lot * 1_000
      case .none: break
      }
    }
    let entryID = pad("S-", j + 1)
    let documentID = pad("CD-", j + 1)
    try writeShipment(
      entryID: entryID, date: date, site: site, customer: customer, cuMicro: lot, claim: claimText,
      documentID: documentID, withDocument: withDocument, documentExtra: documentExtra,
      averageCFP: averageCFP, certificate: certificate, issueDelay: issueDelay,
      planted: plantedHere)
  }

  private mutating func writeShipment(
    entryID: String, date: CivilDate, site: Int, customer: String, cuMicro: Int64, claim: String?,
    documentID: String, withDocument: Bool, documentExtra: Int64, averageCFP: Bool,
    certificate: String = SampleRun.certificate, issueDelay: Int = 0, planted isPlanted: Bool
  ) throws {
    guard let w = shipments, let d = documents else { return }
    if isPlanted {
      planted.append(PlantedRow(table: "shipments", entryID: entryID, line: w.nextLine))
    }
    w.string(entryID)
    w.bytes(dates.bytes(date))
    w.string(world.sites[site].id)
    w.string(customer)
    w.string("copper_cathode")
    w.micro(cuMicro)
    if let claim { w.string(claim) } else { w.empty() }
    if claim != nil { w.string(documentID) } else { w.empty() }
    let route = averageCFP ? "average" : claim != nil ? "recycled" : "residual"
    w.integer(world.cfpFactor(route: route, on: date))
    w.endRow()
    guard let claim, withDocument else { return }
    d.string(documentID)
    d.bytes(dates.bytes(date.addingDays(issueDelay)))
    d.string(customer)
    d.micro(cuMicro + documentExtra)
    d.string(claim)
    d.string("mass_balance")
    d.string(certificate)
    d.endRow()
  }

  /// Moves a quarter of an account's credits between the two same-entity sites (SAG, HIT);
  /// the across-entities plant sends SAG's MR credits to TAM instead.
  private mutating func emitTransfer(
    on date: CivilDate, from fromDraw: Int, mr: Bool, partner draw: Int, acrossEntities: Bool,
    uncovered: Bool = false
  ) {
    var from = fromDraw
    var to = 1 - fromDraw
    var isMR = mr
    if acrossEntities {
      from = 0
      to = 2
      isMR = true
    }
    if plant == .periodGap && (from == 0 || to == 0) && date == Self.gapDay { return }
    if let until = suppressUntil, date <= until, to == 0 { return }
    let pool = isMR ? 1 : 0
    let partner = isMR ? 0 : draw
    let source = Self.account(site: from, pool: pool, partner: partner)
    guard balance[source] > 10_000_000_000, let w = transfers else { return }
    var amount = balance[source] / 4_000 / 1_000 * 1_000  // micro-tonnes, whole kilograms
    var moved = amount * 1_000
    if uncovered {
      // All the sender's credits and 100 t more: only what it holds moves.
      moved = balance[source]
      amount = balance[source] / 1_000 / 1_000 * 1_000 + 100_000_000
    }
    balance[source] -= moved
    pending.append((Self.account(site: to, pool: pool, partner: partner), moved))
    let id = pad("T-", w.rows + 1)
    if acrossEntities || uncovered {
      planted.append(PlantedRow(table: "transfers", entryID: id, line: w.nextLine))
      plantDone = true
    }
    w.string(id)
    w.bytes(dates.bytes(date))
    w.string(world.sites[from].id)
    w.string(world.sites[to].id)
    w.string(isMR ? "MR" : "PCL")
    if isMR { w.empty() } else { w.string(world.partners[partner].id) }
    w.micro(amount)
    w.endRow()
  }

  /// A claim in 2026 on the special partner's 2024-01-01 credits, which expired after 24 months,
  /// and an unclaimed 200 t shipment the same day, so that 2026's footprint is conserved
  /// (CUA-9.2: a year of claims only cannot be).
  private mutating func emitExpiredClaim() throws {
    let date = SampleWorld.day(2026, 2, 16)
    let cu = specialCredit / 2 / 1_000_000 * 1_000
    try writeShipment(
      entryID: pad("S-", m + 1), date: date, site: 2,
      customer: world.partners[SampleWorld.specialPartner].id,
      cuMicro: cu, claim: "PCL100/mb", documentID: pad("CD-", m + 1), withDocument: true,
      documentExtra: 0,
      averageCFP: false, planted: true)
    try writeShipment(
      entryID: pad("S-", m + 2), date: date, site: 2, customer: world.customers[0],
      cuMicro: 200_000_000, claim: nil, documentID: pad("CD-", m + 2), withDocument: false,
      documentExtra: 0, averageCFP: false, planted: false)
  }
}
