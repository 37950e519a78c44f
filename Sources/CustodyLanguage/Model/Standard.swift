import CustodyDiagnostics
import CustodyValues

/// Whether a requirement comes from a published source or was inferred (domain-notes.md).
public enum Provenance: String, Sendable, Hashable, Codable {
  case modelled, inferred, inHouse = "in_house"
}

/// An external text a standard or clause is modelled on ("ASI CoC V2 criterion 8").
public struct ExternalReference: Sendable, Hashable {
  public var id: String
  public var title: String
  public var locator: String?
  public var provenance: Provenance?
  public init(id: String, title: String, locator: String? = nil, provenance: Provenance? = nil) {
    self.id = id
    self.title = title
    self.locator = locator
    self.provenance = provenance
  }
}

/// A parameter of a standard, a rule or a book, with its value and where it was set.
public struct BoundParameter: Sendable, Hashable {
  public enum Origin: Sendable, Hashable {
    /// The declaration's default.
    case defaultValue
    /// Set by the clause's `with:` binding.
    case binding
    /// Taken from the standard's parameter of that name (`$name`).
    case standardParameter(String)
    /// Overridden on the command line or in a test.
    case override
  }
  public var name: String
  public var type: ValueType
  public var value: Value
  public var origin: Origin
  /// Where the value was written (the default, the binding or the standard parameter).
  public var span: SourceSpan?
  public var description: String
  public init(
    name: String, type: ValueType, value: Value, origin: Origin, span: SourceSpan?,
    description: String = ""
  ) {
    self.name = name
    self.type = type
    self.value = value
    self.origin = origin
    self.span = span
    self.description = description
  }
}

/// How a clause is evidenced.
public enum Evidence: Sendable, Hashable {
  /// By the listed rule instances evaluated against the ledger.
  case ledger(ruleInstances: [String])
  /// Outside the ledger (management system, training, claim wording).
  case documentary
}

public struct Clause: Sendable, Hashable {
  public var id: String
  public var section: String
  public var title: String
  public var requirement: String
  public var severity: ClauseSeverity
  public var evidence: Evidence
  /// Entries dated outside this window are not judged by the clause (both ends included).
  public var effectiveFrom: CivilDate?
  public var effectiveUntil: CivilDate?
  public var provenance: Provenance?
  public var references: [String]
  public var span: SourceSpan?
  public init(
    id: String, section: String, title: String, requirement: String, severity: ClauseSeverity,
    evidence: Evidence, effectiveFrom: CivilDate? = nil, effectiveUntil: CivilDate? = nil,
    provenance: Provenance? = nil, references: [String] = [], span: SourceSpan? = nil
  ) {
    self.id = id
    self.section = section
    self.title = title
    self.requirement = requirement
    self.severity = severity
    self.evidence = evidence
    self.effectiveFrom = effectiveFrom
    self.effectiveUntil = effectiveUntil
    self.provenance = provenance
    self.references = references
    self.span = span
  }
}

public struct Section: Sendable, Hashable {
  public var id: String
  public var title: String
  public var clauseIDs: [String]
  public init(id: String, title: String, clauseIDs: [String]) {
    self.id = id
    self.title = title
    self.clauseIDs = clauseIDs
  }
}

/// A rule bound with parameter values for a standard. The same rule bound twice with different
/// values gives two instances (`rule-id` and `rule-id#2`); bound identically, one instance
/// serving several clauses.
public struct RuleInstance: Sendable, Hashable {
  public var id: String
  public var ruleID: String
  public var title: String
  public var description: String
  public var clauseIDs: [String]
  public var parameters: [BoundParameter]
  public var check: CheckSpec
  public var message: MessageTemplate?
  /// Rule instances that must pass first; if one fails, this one is `skipped`.
  public var requires: [String]
  /// Prerequisites (`unless_failing:`): row or reference rules on the same table; a row one
  /// of them fails is not judged again here (the finding is kept, `suppressed_by` its root).
  public var unlessFailing: [String] = []
  public var effectiveFrom: CivilDate?
  public var effectiveUntil: CivilDate?
  /// The rule file and the `check:` node.
  public var file: String
  public var span: SourceSpan?
  /// sha256 of the instance's canonical compiled form (for `diff` and the graph digest).
  public var digest: String
  public init(
    id: String, ruleID: String, title: String, description: String, clauseIDs: [String],
    parameters: [BoundParameter], check: CheckSpec, message: MessageTemplate?,
    requires: [String], effectiveFrom: CivilDate? = nil, effectiveUntil: CivilDate? = nil,
    file: String, span: SourceSpan?, digest: String
  ) {
    self.id = id
    self.ruleID = ruleID
    self.title = title
    self.description = description
    self.clauseIDs = clauseIDs
    self.parameters = parameters
    self.check = check
    self.message = message
    self.requires = requires
    self.effectiveFrom = effectiveFrom
    self.effectiveUntil = effectiveUntil
    self.file = file
    self.span = span
    self.digest = digest
  }
}

/// The compiled rule graph: standard -> clauses -> rule instances -> tables, plus `requires`
/// edges. `order` is a topological order of instances (ties broken by id) that the engine
/// follows.
public struct RuleGraph: Sendable, Hashable {
  public var order: [String]
  /// instance id -> instance ids it requires.
  public var requires: [String: [String]]
  /// instance id -> tables it reads.
  public var tables: [String: [String]]
  public init(order: [String], requires: [String: [String]], tables: [String: [String]]) {
    self.order = order
    self.requires = requires
    self.tables = tables
  }
}

/// A file that went into a compiled standard, with its hash (reports pin these).
public struct InputFile: Sendable, Hashable, Codable {
  public var path: String
  public var sha256: String
  public init(path: String, sha256: String) {
    self.path = path
    self.sha256 = sha256
  }
}

/// A standard compiled with its schema, rules and books: everything the engine needs.
public struct CompiledStandard: Sendable, Hashable {
  public var id: String
  public var title: String
  public var version: String
  public var effectiveFrom: CivilDate?
  public var effectiveUntil: CivilDate?
  public var references: [ExternalReference]
  public var file: String
  /// sha256 of the standard file itself.
  public var sha256: String
  /// Every file compiled in (standard, schema, rules, books), sorted by path.
  public var inputs: [InputFile]
  public var schema: LedgerSchema
  public var parameters: [BoundParameter]
  public var sections: [Section]
  public var clauses: [Clause]
  /// Rule instances in `graph.order`.
  public var rules: [RuleInstance]
  public var graph: RuleGraph
  /// sha256 of the canonical compiled graph: changes when meaning changes, not formatting.
  public var graphDigest: String
  public var tests: [TestCase]
  public var span: SourceSpan?
  /// The clause unreadable ledger cells count against (`records_clause:`), if any.
  public var recordsClause: String?
  /// The standard's own names for its severity levels (`severity_labels:`, e.g. Copper Mark's
  /// "does not meet" for major): display only; findings, verdicts and `--fail-on` keep the level.
  public var severityLabels: [ClauseSeverity: String] = [:]

  /// The standard's name for `severity`, or its level when the standard names none.
  public func severityName(_ severity: ClauseSeverity) -> String {
    severityLabels[severity] ?? severity.rawValue
  }

  public init(
    id: String, title: String, version: String, effectiveFrom: CivilDate?,
    effectiveUntil: CivilDate?, references: [ExternalReference], file: String, sha256: String,
    inputs: [InputFile], schema: LedgerSchema, parameters: [BoundParameter],
    sections: [Section], clauses: [Clause], rules: [RuleInstance], graph: RuleGraph,
    graphDigest: String, tests: [TestCase], span: SourceSpan?
  ) {
    self.id = id
    self.title = title
    self.version = version
    self.effectiveFrom = effectiveFrom
    self.effectiveUntil = effectiveUntil
    self.references = references
    self.file = file
    self.sha256 = sha256
    self.inputs = inputs
    self.schema = schema
    self.parameters = parameters
    self.sections = sections
    self.clauses = clauses
    self.rules = rules
    self.graph = graph
    self.graphDigest = graphDigest
    self.tests = tests
    self.span = span
  }

  public func clause(_ id: String) -> Clause? { clauses.first { $0.id == id } }
  public func rule(_ id: String) -> RuleInstance? { rules.first { $0.id == id } }
}

/// A `tests:` case from a rule or a standard: given ledger rows (inline or a fixture folder),
/// the expected outcome.
public struct TestCase: Sendable, Hashable {
  public enum Given: Sendable, Hashable {
    /// Inline rows per table, as text cells keyed by column name (parsed with the schema's
    /// types, exactly like a CSV cell). Missing columns are null.
    case rows([String: [[String: String]]])
    /// A ledger folder, relative paths already resolved.
    case ledger(path: String)
  }
  public struct Expectation: Sendable, Hashable {
    /// Expected status per rule instance or clause id: `pass`, `fail`, `error`, `skipped`,
    /// or clause statuses (`conformant`, `non_conformant`, ...).
    public var statuses: [String: String]
    /// Expected evidence entry ids (or `line:N`) per rule or clause id, exactly.
    public var rows: [String: [String]]
    /// Expected verdict for a standard test (`conformant` / `non_conformant`).
    public var verdict: Verdict?
    public init(statuses: [String: String], rows: [String: [String]], verdict: Verdict?) {
      self.statuses = statuses
      self.rows = rows
      self.verdict = verdict
    }
  }
  public var name: String
  /// Owner: the rule id (rule tests) or the standard id.
  public var owner: String
  public var given: Given
  /// Parameter overrides for the test.
  public var parameters: [String: Value]
  public var expect: Expectation
  public var file: String
  public var span: SourceSpan?
  public init(
    name: String, owner: String, given: Given, parameters: [String: Value],
    expect: Expectation, file: String, span: SourceSpan?
  ) {
    self.name = name
    self.owner = owner
    self.given = given
    self.parameters = parameters
    self.expect = expect
    self.file = file
    self.span = span
  }
}
