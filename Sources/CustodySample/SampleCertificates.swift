import CustodyValues

/// The certificates table of a sample ledger (CUA-6.1): the group's Cu-again certificate that
/// covers the three in-scope sites over every validity window of the ledger, and the withdrawn
/// certificate of the out-of-scope refinery. Its own file: the generator's other tables do not
/// depend on it, and no random draw is needed.
enum SampleCertificates {
  /// The certificate every CoC document of a conformant ledger names.
  static let active = "CUA-CERT-0417"
  /// The out-of-scope site's former certificate (the withdrawn-certificate plant names it).
  static let withdrawn = "CUA-CERT-0388"

  static func write(world: SampleWorld, dates: DateCache, plant: PlantKind?, dir: String) throws
    -> Int
  {
    let w = try CSVWriter(
      path: dir + "/certificates.csv",
      header: ["certificate", "entity", "sites", "standard", "valid_from", "valid_to", "status"])
    let inScope = world.sites.filter(\.inScope)
    let rows: [(String, String, [String], CivilDate, CivilDate, String)] = [
      (
        active, inScope.first?.entity ?? "", inScope.map(\.id), SampleWorld.windowStart,
        SampleWorld.windowEnd, "active"
      ),
      (
        withdrawn, world.sites[SampleWorld.outOfScopeSite].entity,
        [world.sites[SampleWorld.outOfScopeSite].id], SampleWorld.day(2021, 4, 1),
        SampleWorld.windowEnd, "withdrawn"
      ),
    ]
    for (id, entity, sites, from, to, status) in rows {
      w.string(id)
      w.string(entity)
      w.string(sites.joined(separator: ";"))
      w.string("cu-again-coc")
      w.bytes(dates.bytes(from))
      w.bytes(dates.bytes(to))
      w.string(status)
      w.endRow()
    }
    let count = w.rows
    try w.close()
    return count
  }
}
