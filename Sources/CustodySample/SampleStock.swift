import CustodyValues

/// Copper received and shipped per site and quarter, in micro-tonnes, so that the stock
/// counts follow the ledger's own flows (CUA-4.8: shipped <= received + opening - closing):
/// book stock at a quarter's end is the site's opening stock plus everything received minus
/// everything shipped until then. Its own file and its own random stream (the opening stocks),
/// so that the receipts and shipments stay what they were before the stock followed them.
struct CopperFlows {
  /// Net copper (received - shipped) per site and quarter of SampleWorld.quarters.
  private(set) var net: [[Int64]]
  /// Book stock per site on the day before the ledger starts (the opening count).
  let opening: [Int64]

  init(sites: Int, seed: UInt64) {
    net = Array(repeating: Array(repeating: 0, count: SampleWorld.quarters.count), count: sites)
    // A separate stream: the main one must give the same receipts and shipments as before.
    var side = SplitMix64(seed: seed ^ 0x5107_C0DE_0000_0048)
    opening = (0..<sites).map { _ in side.int(20_000_000_000...30_000_000_000) }
  }

  /// The quarter of SampleWorld.quarters holding `date`, nil outside 2024-2025.
  static func quarter(of date: CivilDate) -> Int? {
    let q = (date.year - SampleWorld.start.year) * 4 + (date.month - 1) / 3
    return q >= 0 && q < SampleWorld.quarters.count ? q : nil
  }

  mutating func received(_ micro: Int64, site: Int, on date: CivilDate) {
    guard site < net.count, let q = Self.quarter(of: date) else { return }
    net[site][q] += micro
  }

  mutating func shipped(_ micro: Int64, site: Int, on date: CivilDate) {
    guard site < net.count, let q = Self.quarter(of: date) else { return }
    net[site][q] -= micro
  }

  /// Book stock of `site` at the end of quarter `q`.
  func book(site: Int, quarter q: Int) -> Int64 {
    opening[site] + net[site][0...q].reduce(0, +)
  }
}
