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
  /// A transfer of 100 t more than the sender's credits (issue 18): CUA-8.1 only; the
  /// uncovered part is not moved, so neither end is overdrawn (fixture planted/cua-8.1-uncovered).
  case transferUncovered = "transfer-uncovered"
  // One root cause each (issue 16): exactly one non-conformity, whatever else it touches.
  /// A SAG conversion factor whose `valid_from` is `2024-13-01`: no SAG factor lookup can be
  /// decided (CUA-1.3; CUA-4.2 and the balances not evaluated), never a silent pass.
  case unreadableFactorBound = "unreadable-factor-bound"
  /// A second, failed due-diligence row for a supplier covering one receipt's date: the
  /// lookup is ambiguous, so that receipt fails CUA-3.2 (and creates no credits).
  case overlappingSuppliers = "overlapping-suppliers"
  /// A second SAG conversion factor covering one day: that day's SAG receipt fails CUA-4.2.
  case overlappingFactors = "overlapping-factors"
  /// A credited receipt whose origin reads `mine`: CUA-1.3 only; it creates no credits.
  case unreadableOrigin = "unreadable-origin"
  /// A credited receipt without its supplier document: CUA-3.3 only; it creates no credits.
  case missingSupplierDocument = "missing-supplier-document"
  /// A claimed shipment from the out-of-scope site: CUA-1.1 only (its debit is not posted).
  case outOfScopeClaim = "out-of-scope-claim"
  /// A `REC50/mb` claim without CoC document and with the average CFP factor: CUA-7.3 only.
  case undocumentedUnknownClaim = "undocumented-unknown-claim"
  /// A concentrate receipt (pool NONE) whose `cu_t` reads `12,5x`: CUA-1.3 only; the books
  /// never select it, so no balance is touched.
  case unreadableConcentrateCopper = "unreadable-concentrate-copper"
  /// Every MR100/mb claim written `REC50/mb` (a systematic export error, the usual first
  /// submission): CUA-7.3 only, however many rows; the bulk-findings benchmark's ledger.
  case systematicUnknownClaims = "systematic-unknown-claims"
  // Cu-again 1.1 (issue 18): one plant per new or changed clause.
  /// Two overlapping due-diligence windows of MR-10, a supplier no receipt uses: CUA-1.5 only.
  case overlappingMasterWindows = "overlapping-master-windows"
  /// A credited MR receipt whose grade reads ten times its true value (cu_pct above 100, cu_t
  /// above gross_t): CUA-3.6 only; it creates no credits.
  case implausibleReceipt = "implausible-receipt"
  /// A claimed shipment whose document names the withdrawn certificate of the out-of-scope
  /// site: CUA-6.1 only.
  case withdrawnCertificate = "withdrawn-certificate"
  /// A claimed shipment whose document is issued 45 days after it: CUA-7.5 only.
  case lateDocument = "late-document"
  /// A PCL claim to partner MTS after its agreement ended (2024-06-30): CUA-5.1 only, its
  /// debit is not posted (fixture planted/pcl-agreement-ended).
  case pclAgreementEnded = "pcl-agreement-ended"
  /// An unclaimed shipment carrying the average CFP factor instead of the residual one:
  /// CUA-9.1 only (fixture planted/unclaimed-average-cfp).
  case unclaimedAverageCfp = "unclaimed-average-cfp"
  /// The 2025 residual CFP factor equal to the average (every unclaimed 2025 shipment carries
  /// it): the claimed footprint disappears, CUA-9.2 only, citing every 2025 shipment.
  case residualNotConserving = "residual-not-conserving"
  /// An unclaimed 30,000 t shipment from SAG that no receipt or stock covers (the stock
  /// counts do not see it): CUA-4.8 only, citing SAG's receipts and shipments of its quarter.
  case physicalOverdraw = "physical-overdraw"

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
    case .transferAcrossEntities, .transferUncovered: "CUA-8.1"
    case .wrongCfpFactor: "CUA-9.1"
    case .siteOverdraft: "CUA-4.3"
    case .unreadableFactorBound, .unreadableOrigin, .unreadableConcentrateCopper: "CUA-1.3"
    case .overlappingSuppliers: "CUA-3.2"
    case .overlappingFactors: "CUA-4.2"
    case .missingSupplierDocument: "CUA-3.3"
    case .outOfScopeClaim: "CUA-1.1"
    case .undocumentedUnknownClaim, .systematicUnknownClaims: "CUA-7.3"
    case .overlappingMasterWindows: "CUA-1.5"
    case .implausibleReceipt: "CUA-3.6"
    case .withdrawnCertificate: "CUA-6.1"
    case .lateDocument: "CUA-7.5"
    case .pclAgreementEnded: "CUA-5.1"
    case .unclaimedAverageCfp: "CUA-9.1"
    case .residualNotConserving: "CUA-9.2"
    case .physicalOverdraw: "CUA-4.8"
    }
  }

  /// Clauses a correct validator cannot evaluate on this plant (a rule could not decide rows
  /// it selected), sorted: never conformant, never a non-conformity.
  public var expectedNotEvaluated: [String] {
    switch self {
    // CUA-8.1: transfers from SAG cannot be judged either (what SAG held is not known).
    case .unreadableFactorBound: ["CUA-1.5", "CUA-4.2", "CUA-4.3", "CUA-4.4", "CUA-8.1"]
    case .unreadableOrigin: ["CUA-3.1"]
    // Every clause reading the receipt's copper: consistency, plausibility, physical balance.
    case .unreadableConcentrateCopper: ["CUA-3.4", "CUA-3.6", "CUA-4.8"]
    default: []
    }
  }

  /// Every clause a correct validator finds non-conformant on this plant, sorted. Most plants
  /// break one clause; a negative period close is also an overdraft (two facts: the balance
  /// went negative, and it was negative at the period's end). A PCL claim to a customer of no
  /// partner is CUA-5.1 only: its debit is not posted (`unless_failing`).
  public var expectedClauses: [String] {
    switch self {
    case .negativePeriodClose: ["CUA-4.3", "CUA-4.4"]
    case .siteOverdraft: ["CUA-4.3", "CUA-4.4"]
    // Overlapping windows are a master-data fault (CUA-1.5) as well as the ambiguous lookup
    // they cause on the planted receipt.
    case .overlappingSuppliers: ["CUA-1.5", "CUA-3.2"]
    case .overlappingFactors: ["CUA-1.5", "CUA-4.2"]
    default: [clause]
    }
  }

  /// Whether this kind is one of the root-cause plants of issue 16 (fixture `planted/<kind>`).
  var isRootCause: Bool {
    switch self {
    case .unreadableFactorBound, .overlappingSuppliers, .overlappingFactors, .unreadableOrigin,
      .missingSupplierDocument, .outOfScopeClaim, .undocumentedUnknownClaim,
      .unreadableConcentrateCopper, .systematicUnknownClaims:
      true
    default: false
    }
  }

  /// The fixture folder under fixtures/: `planted/<clause>` for the one kind per Cu-again
  /// clause, `planted/<kind>` for kinds that serve the other standards.
  public var fixtureFolder: String {
    if self == .transferUncovered { return "planted/cua-8.1-uncovered" }
    return self == .siteOverdraft || self == .pclAgreementEnded || self == .unclaimedAverageCfp
      || isRootCause
      ? "planted/\(rawValue)" : "planted/\(clause.lowercased())"
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
