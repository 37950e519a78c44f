import CustodyValues

/// Copper received and shipped per site and quarter, in micro-tonnes, so that the stock
/// counts follow the ledger's own flows (CUA-4.8: shipped <= received + opening - closing):
/// book stock at a quarter's end is the site's opening stock plus everything received minus
/// everything shipped until then. Its own file and its own random stream (the opening stocks),
/// so that the receipts and shipments stay what they were before the stock followed them.
struct CopperFlows {
  /// Net copper (received - shipped) per site and quarter of SampleWorld.quarters.
  private(set) var net: [[Int64]]
  /// The drawn opening stock per site (20,000 to 30,000 t).
  private let drawn: [Int64]

  init(sites: Int, seed: UInt64) {
    net = Array(repeating: Array(repeating: 0, count: SampleWorld.quarters.count), count: sites)
    // A separate stream: the main one must give the same receipts and shipments as before.
    var side = SplitMix64(seed: seed ^ 0x5107_C0DE_0000_0048)
    drawn = (0..<sites).map { _ in side.int(20_000_000_000...30_000_000_000) }
  }

  /// Book stock per site on the day before the ledger starts (the opening count): the drawn
  /// stock, or, where a site ships more than it receives for longer than that stock lasts (a
  /// large sample: shipments grow with their count faster than the copper received), the
  /// deepest shortfall plus the drawn stock, so no count is ever negative and CUA-4.8 holds.
  /// Samples whose stock never ran out keep the drawn stock, byte for byte.
  var opening: [Int64] {
    drawn.indices.map { site in
      var running: Int64 = 0
      var lowest: Int64 = 0
      for q in net[site].indices {
        running += net[site][q]
        lowest = min(lowest, running)
      }
      return drawn[site] + lowest >= 0 ? drawn[site] : drawn[site] - lowest
    }
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
