import CustodyValues
import Testing

/// The expiry convention stated in CUA-4.5's requirement text (issue 18): credits created on D
/// expire at the start of D + 24 months, the month's last day when D's day does not exist
/// there. The credit book computes the expiry with `CivilDate.addingMonths`; these are the
/// clause's own examples, so the text and the engine cannot drift apart.
@Suite struct ExpiryConventionTests {
  static func day(_ text: String) throws -> CivilDate {
    try #require(CivilDate.parseISO(text))
  }

  @Test(arguments: [
    ("2024-01-10", "2026-01-10"),  // docs/checks.md: last usable on 2026-01-09
    ("2024-01-31", "2026-01-31"),  // last usable on 2026-01-30
    ("2024-02-29", "2026-02-28"),  // no 29 February in 2026: last usable on 2026-02-27
    ("2023-03-31", "2025-03-31"),
    ("2024-03-31", "2024-04-30"),  // one month: April has 30 days
  ])
  func creditsExpireAtTheStartOfDPlusMonths(created: String, expires: String) throws {
    let months = created == "2024-03-31" ? 1 : 24
    #expect(try Self.day(created).addingMonths(months) == Self.day(expires))
  }

  @Test func lastUsableDayIsTheDayBeforeExpiry() throws {
    #expect(try Self.day("2024-01-31").addingMonths(24).addingDays(-1) == Self.day("2026-01-30"))
    #expect(try Self.day("2024-02-29").addingMonths(24).addingDays(-1) == Self.day("2026-02-27"))
  }
}
