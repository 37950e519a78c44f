import CustodyValues

/// Writes `awards.csv`: the Copper Mark awards of the concentrate mines (Copper Mark CoC input,
/// standards/coppermark-coc-mb.yaml). Two mines hold the Copper Mark through the whole ledger
/// (an award re-assessed after 3 years is a new window); the third is `in_progress` until its
/// award part-way through 2024, so its earlier concentrate is no Copper Mark input.
///
/// Its draws come from a stream of its own, seeded from the main seed: the other tables stay
/// byte-identical to a ledger generated without awards.
struct AwardsTable {
  /// Mixed into the main seed ("CopperMk"): a stream no other table draws from.
  static let streamSalt: UInt64 = 0x436F_7070_6572_4D6B
  /// Months from an award to its re-assessment (the standard's `award_term_months`).
  static let termMonths = 36

  let world: SampleWorld
  let dates: DateCache
  let dir: String
  var rng: SplitMix64

  init(world: SampleWorld, dates: DateCache, dir: String, seed: UInt64) {
    self.world = world
    self.dates = dates
    self.dir = dir
    rng = SplitMix64(seed: seed ^ Self.streamSalt)
  }

  /// Award windows of one supplier from `first` until past the ledger's end, each
  /// `termMonths` long (the last day is the day before the re-assessment).
  private static func windows(from first: CivilDate) -> [(from: CivilDate, to: CivilDate)] {
    var result: [(CivilDate, CivilDate)] = []
    var from = first
    let ledgerEnd = SampleWorld.start.addingDays(SampleWorld.days - 1)
    while from <= ledgerEnd {
      let to = from.addingMonths(termMonths).addingDays(-1)
      result.append((from, to))
      from = to.addingDays(1)
    }
    return result
  }

  /// Writes the table; returns its row count.
  mutating func write() throws -> Int {
    let w = try CSVWriter(
      path: dir + "/awards.csv",
      header: ["award", "supplier", "site_name", "status", "valid_from", "valid_to"])
    var number = 0
    func row(
      _ supplier: String, _ site: String, _ status: String, _ from: CivilDate, _ to: CivilDate
    ) {
      number += 1
      let digits = String(number)
      w.string("CMA-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits)
      w.string(supplier)
      w.string(site)
      w.string(status)
      w.bytes(dates.bytes(from))
      w.bytes(dates.bytes(to))
      w.endRow()
    }
    for (n, mine) in world.mines.enumerated() {
      let site = "Concentrate Mine \(n + 1) concentrator"
      if n < 2 {
        // Awarded some day in 2022 or 2023, before the ledger starts.
        let first = SampleWorld.day(2022, 1, 1).addingDays(Int(rng.int(0...729)))
        for window in Self.windows(from: first) {
          row(mine, site, "awarded", window.from, window.to)
        }
      } else {
        // In progress from the window's start, awarded in the first half of 2024.
        let award = SampleWorld.day(2024, 2, 1).addingDays(Int(rng.int(0...150)))
        row(mine, site, "in_progress", SampleWorld.windowStart, award.addingDays(-1))
        for window in Self.windows(from: award) {
          row(mine, site, "awarded", window.from, window.to)
        }
      }
    }
    let rows = w.rows
    try w.close()
    return rows
  }
}
