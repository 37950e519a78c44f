import CustodyValues

/// The fixed reference data of a sample ledger: sites, partners, suppliers, customers, factor
/// windows. Modelled loosely on a Japanese copper smelter group; every name is fictitious.
struct SampleWorld {
  struct Site {
    var id: String
    var name: String
    var entity: String
    var inScope: Bool
    /// Conversion-factor windows: factor in thousandths, first and last day.
    var factors: [(milli: Int64, from: CivilDate, to: CivilDate)]
  }
  struct Partner {
    var id: String
    var name: String
    var agreement: String
    var from: CivilDate
    /// Last day of the agreement (the pcl-agreement-ended plant ends one early).
    var to: CivilDate = SampleWorld.windowEnd
    /// Affiliated suppliers (scrap returned under the closed loop).
    var supplierAffiliates: [String]
    /// Affiliated customers (buyers of the PCL100/mb cathode).
    var customerAffiliates: [String]
    var affiliates: [String] { supplierAffiliates + customerAffiliates }
  }
  struct SupplierWindow {
    var id: String
    var name: String
    var status: String
    var from: CivilDate
    var to: CivilDate
  }

  static func day(_ y: Int, _ m: Int, _ d: Int) -> CivilDate {
    // The literals below are valid dates; fall back to the epoch rather than trap.
    CivilDate(year: y, month: m, day: d) ?? CivilDate(dayNumber: 0)
  }

  /// First day of the ledger, its length in days, and the end of every validity window.
  static let start = day(2024, 1, 1)
  static let days = 731
  static let windowStart = day(2023, 10, 1)
  static let windowEnd = day(2026, 12, 31)

  var sites: [Site] = [
    Site(
      id: "SAG", name: "Saganoseki Smelter and Refinery", entity: "JXMS", inScope: true,
      factors: [(975, windowStart, day(2024, 11, 14)), (968, day(2024, 11, 15), windowEnd)]),
    Site(
      id: "HIT", name: "Hitachi Works", entity: "JXMS", inScope: true,
      factors: [(962, windowStart, day(2025, 4, 9)), (958, day(2025, 4, 10), windowEnd)]),
    Site(
      id: "TAM", name: "Tamano Smelter", entity: "HPCC", inScope: true,
      factors: [(970, windowStart, day(2025, 2, 9)), (973, day(2025, 2, 10), windowEnd)]),
    Site(id: "KOS", name: "Kosaka Refinery", entity: "JXMS", inScope: false, factors: []),
  ]
  /// Sites with activity (the out-of-scope one has none in a conformant ledger).
  static let activeSites = 3
  static let outOfScopeSite = 3

  var partners: [Partner] = [
    Partner(
      id: "KAR", name: "Kanto Appliance Recycling", agreement: "CLA-2023-001",
      from: windowStart, supplierAffiliates: ["KAR-ES"], customerAffiliates: ["KAR-CU"]),
    Partner(
      id: "TKW", name: "Tokai Wire Harness", agreement: "CLA-2023-002", from: windowStart,
      supplierAffiliates: ["TKW-RE"], customerAffiliates: ["TKW-CA"]),
    Partner(
      id: "NSE", name: "Nishi Electronics", agreement: "CLA-2024-003", from: day(2024, 3, 1),
      supplierAffiliates: ["NSE-PC"], customerAffiliates: []),
    // One early delivery only; its credits are never claimed (the expired-credits plant uses it).
    Partner(
      id: "MTS", name: "Minato Tube Systems", agreement: "CLA-2023-004", from: windowStart,
      supplierAffiliates: [], customerAffiliates: []),
  ]
  /// Partners that take part in the random flow (MTS is special).
  static let flowPartners = 3
  static let specialPartner = 3

  /// Scrap dealers of the collection network (MR supply).
  let mrSuppliers = (1...8).map { "MR-0\($0)" }
  /// A dealer whose due diligence is still pending (its scrap goes to pool NONE).
  let pendingSupplier = "MR-09"
  /// A dealer whose due diligence failed (used only by the supplier-not-passed plant).
  let failedSupplier = "MR-10"
  let mines = ["MIN-ESC", "MIN-CAN", "MIN-ANT"]
  let internalSupplier = "INTERNAL"
  let customers = (1...6).map { "CUS-0\($0)" }
  /// MR-05's due diligence lapsed for two months: no credited receipts from it then.
  let lapsedSupplier = "MR-05"
  static let lapseFrom = day(2025, 1, 1)
  static let lapseTo = day(2025, 2, 28)

  /// Windows a plant adds after the regular ones (an overlapping, failed row).
  var plantedSupplierWindows: [SupplierWindow] = []

  var supplierWindows: [SupplierWindow] {
    var rows: [SupplierWindow] = []
    let renewal = SampleWorld.day(2024, 9, 30)
    for (n, id) in mrSuppliers.enumerated() {
      let name = "Scrap Dealer \(n + 1)"
      if id == lapsedSupplier {
        rows.append(
          .init(
            id: id, name: name, status: "passed", from: Self.windowStart,
            to: Self.lapseFrom.addingDays(-1)))
        rows.append(
          .init(id: id, name: name, status: "pending", from: Self.lapseFrom, to: Self.lapseTo))
        rows.append(
          .init(
            id: id, name: name, status: "passed", from: Self.lapseTo.addingDays(1),
            to: Self.windowEnd))
      } else {
        rows.append(
          .init(id: id, name: name, status: "passed", from: Self.windowStart, to: renewal))
        rows.append(
          .init(
            id: id, name: name, status: "passed", from: renewal.addingDays(1), to: Self.windowEnd))
      }
    }
    rows.append(
      .init(
        id: pendingSupplier, name: "Scrap Dealer 9", status: "pending", from: Self.windowStart,
        to: Self.windowEnd))
    rows.append(
      .init(
        id: failedSupplier, name: "Scrap Dealer 10", status: "failed", from: Self.windowStart,
        to: Self.windowEnd))
    for (n, id) in mines.enumerated() {
      rows.append(
        .init(
          id: id, name: "Concentrate Mine \(n + 1)", status: "passed", from: Self.windowStart,
          to: Self.windowEnd))
    }
    rows.append(
      .init(
        id: internalSupplier, name: "Internal returns", status: "passed", from: Self.windowStart,
        to: Self.windowEnd))
    for partner in partners {
      for id in [partner.id] + partner.supplierAffiliates {
        rows.append(
          .init(
            id: id, name: id == partner.id ? partner.name : "\(partner.name) affiliate",
            status: "passed", from: Self.windowStart, to: Self.windowEnd))
      }
    }
    rows += plantedSupplierWindows
    return rows
  }

  /// CFP factors (kg CO2e per t Cu) per route: value, first and last day. The residual
  /// factor of unclaimed output conserves the group's footprint (CUA-9.2): on the default
  /// ledger about 16 % of the copper shipped is claimed, which needs a residual of at least
  /// 3,866 (2024) and 3,827 (2025); these leave room for a claimed share up to about 22 %.
  var cfp: [(route: String, kg: Int64, from: CivilDate, to: CivilDate)] = [
    ("recycled", 1180, windowStart, day(2024, 12, 31)),
    ("recycled", 1120, day(2025, 1, 1), windowEnd),
    ("average", 3450, windowStart, day(2024, 12, 31)),
    ("average", 3390, day(2025, 1, 1), windowEnd),
    ("residual", 4120, windowStart, day(2024, 12, 31)),
    ("residual", 4060, day(2025, 1, 1), windowEnd),
  ]

  /// The factor a shipment carries: recycled when claimed, residual when not (CUA-9.1), or
  /// the average (the plants of a wrong factor).
  func cfpFactor(route: String, on date: CivilDate) -> Int64 {
    cfp.first { $0.route == route && $0.from <= date && date <= $0.to }?.kg ?? 0
  }

  /// The conversion factor (thousandths) of a site on a date, or nil outside every window.
  func factor(site: Int, on date: CivilDate) -> Int64? {
    sites[site].factors.first { $0.from <= date && date <= $0.to }?.milli
  }

  /// The eight quarters of the ledger: id suffix, first and last day.
  static var quarters: [(id: String, start: CivilDate, end: CivilDate)] {
    var result: [(String, CivilDate, CivilDate)] = []
    for year in 2024...2025 {
      for q in 1...4 {
        let first = day(year, 3 * q - 2, 1)
        result.append(("\(year)Q\(q)", first, first.addingMonths(3).addingDays(-1)))
      }
    }
    return result
  }
}

/// ISO dates pre-encoded as bytes, so writing a date is a copy.
struct DateCache {
  private var encoded: [[UInt8]] = []
  private let first: CivilDate

  init(from first: CivilDate, days: Int) {
    self.first = first
    encoded = (0..<days).map { Array(first.addingDays($0).description.utf8) }
  }

  func bytes(_ date: CivilDate) -> [UInt8] {
    let offset = first.days(to: date)
    if offset >= 0 && offset < encoded.count { return encoded[offset] }
    return Array(date.description.utf8)
  }
}
