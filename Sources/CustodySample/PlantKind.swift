/// One planted non-conformity per automated Cu-again clause (`custody sample --plant KIND`).
public enum PlantKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case outOfScopeSite = "out-of-scope-site"
  case duplicateEntryID = "duplicate-entry-id"
  case ineligibleOrigin = "ineligible-origin"
  case supplierNotPassed = "supplier-not-passed"
  case duplicateDocument = "duplicate-document"
  case copperMismatch = "copper-mismatch"
  case pclWrongSupplier = "pcl-wrong-supplier"
  case periodGap = "period-gap"
  case missingConversionFactor = "missing-conversion-factor"
  case overdraft = "overdraft"
  case negativePeriodClose = "negative-period-close"
  case expiredCredits = "expired-credits"
  case stockDifference = "stock-difference"
  case pclWrongCustomer = "pcl-wrong-customer"
  case missingDocument = "missing-document"
  case documentMismatch = "document-mismatch"
  case unknownClaim = "unknown-claim"
  case transferAcrossEntities = "transfer-across-entities"
  case wrongCfpFactor = "wrong-cfp-factor"
  /// A 3,000 t claim on the last day that exceeds every credit of its site: breaks the
  /// site-level balance (Copper Mark) and the percentage method (ASI) as well as Cu-again's.
  case siteOverdraft = "site-overdraft"

  public var description: String { rawValue }

  /// The clause this kind breaks (its fixture folder is `fixtures/planted/<lowercased id>`).
  public var clause: String {
    switch self {
    case .outOfScopeSite: "CUA-1.1"
    case .duplicateEntryID: "CUA-1.3"
    case .ineligibleOrigin: "CUA-3.1"
    case .supplierNotPassed: "CUA-3.2"
    case .duplicateDocument: "CUA-3.3"
    case .copperMismatch: "CUA-3.4"
    case .pclWrongSupplier: "CUA-3.5"
    case .periodGap: "CUA-4.1"
    case .missingConversionFactor: "CUA-4.2"
    case .overdraft: "CUA-4.3"
    case .negativePeriodClose: "CUA-4.4"
    case .expiredCredits: "CUA-4.5"
    case .stockDifference: "CUA-4.6"
    case .pclWrongCustomer: "CUA-5.1"
    case .missingDocument: "CUA-7.1"
    case .documentMismatch: "CUA-7.2"
    case .unknownClaim: "CUA-7.3"
    case .transferAcrossEntities: "CUA-8.1"
    case .wrongCfpFactor: "CUA-9.1"
    case .siteOverdraft: "CUA-4.3"
    }
  }

  /// Every clause a correct validator finds non-conformant on this plant, sorted. Most plants
  /// break one clause; a negative period close is also an overdraft, and a PCL claim to a
  /// customer of no partner draws on an account without credits (CUA-4.3, 4.4 and 5.1).
  public var expectedClauses: [String] {
    switch self {
    case .negativePeriodClose: ["CUA-4.3", "CUA-4.4"]
    case .pclWrongCustomer: ["CUA-4.3", "CUA-4.4", "CUA-5.1"]
    case .siteOverdraft: ["CUA-4.3", "CUA-4.4"]
    default: [clause]
    }
  }

  /// The fixture folder under fixtures/: `planted/<clause>` for the one kind per Cu-again
  /// clause, `planted/<kind>` for kinds that serve the other standards.
  public var fixtureFolder: String {
    self == .siteOverdraft ? "planted/\(rawValue)" : "planted/\(clause.lowercased())"
  }

  /// Parses a kind from its raw value (`period-gap`), case name (`periodGap`) or clause id
  /// (`CUA-4.1`, `cua-4.1`).
  public init?(argument: String) {
    let lowered = argument.lowercased()
    let squashed = lowered.filter { $0 != "-" && $0 != "_" }
    if let kind = PlantKind.allCases.first(where: {
      $0.rawValue.filter { $0 != "-" } == squashed || $0.clause.lowercased() == lowered
    }) {
      self = kind
    } else {
      return nil
    }
  }
}
