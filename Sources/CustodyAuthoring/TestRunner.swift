import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyLedger
import CustodyValues
import CustodyYAML
import Foundation

/// `custody test`: runs the `tests:` cases of rules and standards and compares outcomes with
/// expectations, exactly (status, and the evidence rows as entry ids or `line:N`).
///
/// A rule test evaluates the rule alone (its `requires` are not run), with the rule's defaults
/// and the test's `params:`; it is compiled through a small generated standard so it goes
/// through exactly the compiler and engine a real standard does.
public struct TestRunner {
  public struct CaseResult: Sendable, Hashable {
    public var name: String
    public var owner: String
    public var file: String
    public var span: SourceSpan?
    public var passed: Bool
    /// `expected ...` / `actual ...` lines, empty when passed.
    public var differences: [String]
    /// Rule and clause ids this case exercised, with the outcome it expected (pass / fail).
    public var exercised: [String: String]
  }

  public struct Coverage: Sendable, Hashable {
    public var id: String
    /// clause | rule
    public var kind: String
    public var failingCase: Bool
    public var passingCase: Bool
    public var documentary: Bool
  }

  public struct Run: Sendable {
    public var cases: [CaseResult]
    public var diagnostics: [Diagnostic]
    public var coverage: [Coverage]
    public var passed: Int { cases.count { $0.passed } }
    public var failed: Int { cases.count { !$0.passed } }
  }

  /// Why a case could not run at all.
  public struct SetupFailure: Error {
    public var diagnostics: [Diagnostic]
    init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
  }

  public var sources: SourceCache
  public var evidenceLimit = 10_000
  /// The `--fail-on` level a standard test's `verdict:` is judged at (as `validate` does).
  public var failOn: ClauseSeverity = .minor

  public init(sources: SourceCache) { self.sources = sources }

  /// Runs the tests of every standard under `paths` and of every rule they bind (with no paths:
  /// everything under standards/). Rule files given directly are tested through the standards
  /// that bind them; a rule file no standard binds is reported.
  public func run(paths: [String], filter: String? = nil) -> Run {
    let targets = paths.isEmpty ? ["standards"] : paths
    var options = CompilerOptions()
    options.sources = sources
    let compiler = Compiler(options: options)
    let lint = compiler.lint(paths: expandToStandards(targets))
    var diagnostics = lint.diagnostics.filter { $0.severity == .error }
    var cases: [CaseResult] = []
    var coverage: [String: Coverage] = [:]
    var seenRuleTests = Set<String>()
    let onlyFiles = Set(
      targets.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map(normalize))
    for standard in lint.standards.sorted(by: { $0.file < $1.file }) {
      for clause in standard.clauses {
        let key = "clause:\(standard.id):\(clause.id)"
        coverage[key] =
          coverage[key]
          ?? Coverage(
            id: "\(standard.id) \(clause.id)", kind: "clause", failingCase: false,
            passingCase: false,
            documentary: clause.evidence == .documentary)
      }
      for rule in standard.rules {
        coverage["rule:\(rule.ruleID)"] =
          coverage["rule:\(rule.ruleID)"]
          ?? Coverage(
            id: rule.ruleID, kind: "rule", failingCase: false, passingCase: false,
            documentary: false)
      }
      for test in standard.tests {
        if let filter, !test.name.contains(filter), !test.owner.contains(filter) { continue }
        if !onlyFiles.isEmpty && !onlyFiles.contains(normalize(test.file))
          && !onlyFiles.contains(normalize(standard.file))
        {
          continue
        }
        let result: CaseResult
        if test.owner == standard.id {
          result = runStandardTest(test, standard: standard)
        } else {
          let key = "\(test.file)#\(test.name)"
          guard seenRuleTests.insert(key).inserted else { continue }
          switch runRuleTest(test, in: standard, compiler: compiler) {
          case .success(let r): result = r
          case .failure(let problems):
            diagnostics += problems.diagnostics
            continue
          }
        }
        cases.append(result)
        for (id, outcome) in result.exercised {
          let isFail = outcome == "fail"
          for k in [id, "rule:\(id)", "clause:\(standard.id):\(id)"] where coverage[k] != nil {
            if isFail { coverage[k]!.failingCase = true } else { coverage[k]!.passingCase = true }
          }
        }
      }
    }
    return Run(
      cases: cases, diagnostics: diagnostics,
      coverage: coverage.values.sorted { ($0.kind, $0.id) < ($1.kind, $1.id) })
  }

  func normalize(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
  }

  /// Rule files and folders are tested through the standards that bind them. Whether a file is
  /// a standard is read from its content (the first key of its root mapping, as the compiler
  /// decides it), never from its path; the standards for rules given alone are found beside
  /// them (the nearest `standards/` folder above the rule file), not in the working directory.
  func expandToStandards(_ paths: [String]) -> [String] {
    var standards: [String] = []
    var others: [String] = []
    for p in paths {
      let files = Self.isDirectory(p) ? RulesFolder.yamlFiles(under: p).files : [p]
      if files.contains(where: { Self.fileKind($0) == "standard" }) {
        standards.append(p)
      } else {
        others.append(p)
      }
    }
    if standards.isEmpty {
      for p in others {
        if let found = Self.standardsFolder(near: p), !standards.contains(found) {
          standards.append(found)
        }
      }
    }
    return standards + others
  }

  /// The first key of a YAML file's root mapping (`standard`, `rule`, `book`, ...), or nil
  /// when it cannot be read (the compiler then reports why).
  static func fileKind(_ path: String) -> String? {
    var bag = DiagnosticBag()
    return YAMLLoader().load(path: path, into: &bag)?.mapping?.pairs.first?.key.value
  }

  static func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      && isDirectory.boolValue
  }

  /// The nearest `standards` folder holding a standard, from `path`'s folder upwards.
  static func standardsFolder(near path: String) -> String? {
    var folder = URL(fileURLWithPath: path).standardizedFileURL
    if !Self.isDirectory(folder.path) { folder.deleteLastPathComponent() }
    while true {
      let candidate = folder.appendingPathComponent("standards").path
      if Self.isDirectory(candidate),
        RulesFolder.yamlFiles(under: candidate).files.contains(where: {
          fileKind($0) == "standard"
        })
      {
        return candidate
      }
      if folder.path == "/" { return nil }
      folder.deleteLastPathComponent()
    }
  }

  // MARK: Standard tests

  func runStandardTest(_ test: TestCase, standard: CompiledStandard) -> CaseResult {
    var differences: [String] = []
    var exercised: [String: String] = [:]
    let ledger: any LedgerSource
    do {
      ledger = try makeLedger(test.given, schema: standard.schema)
    } catch {
      return CaseResult(
        name: test.name, owner: test.owner, file: test.file, span: test.span, passed: false,
        differences: ["cannot read the test's ledger: \(error)"], exercised: [:])
    }
    let result: EvaluationResult
    do {
      result = try Engine(standard: standard, options: EngineOptions(evidenceLimit: evidenceLimit))
        .evaluate(ledger: ledger)
    } catch {
      return CaseResult(
        name: test.name, owner: test.owner, file: test.file, span: test.span, passed: false,
        differences: ["the ledger is unreadable: \(error)"], exercised: [:])
    }
    let nonConformant = Set(result.nonConformities.map(\.clause))
    if let verdict = test.expect.verdict {
      // The verdict `validate` would give: the one verdict function, at this run's fail-on.
      let actual = Judgement.verdict(
        openNonConformities: result.nonConformities.map(\.severity),
        clauses: result.clauses.map(\.status), failOn: failOn)
      if actual != verdict {
        differences.append("verdict: expected \(verdict.rawValue), actual \(actual.rawValue)")
        for nc in result.nonConformities.prefix(5) {
          differences.append("  actual non-conformity \(nc.clause) / \(nc.rule): \(nc.summary)")
        }
      }
      if verdict == .conformant {
        for c in standard.clauses where c.evidence != .documentary { exercised[c.id] = "pass" }
        for r in standard.rules { exercised[r.ruleID] = "pass" }
      }
    }
    for (id, expected) in test.expect.statuses.sorted(by: { $0.key < $1.key }) {
      if let clause = result.clause(id) {
        if clause.status.rawValue != expected {
          differences.append(
            "clause \(id): expected \(expected), actual \(clause.status.rawValue)\(clause.reason.map { " (\($0))" } ?? "")"
          )
        }
        let failing = expected == ClauseStatus.nonConformant.rawValue
        exercised[id] = failing ? "fail" : "pass"
        if failing {
          for nc in result.nonConformities where nc.clause == id {
            exercised[standard.rule(nc.rule)?.ruleID ?? nc.rule] = "fail"
          }
        }
      } else if let rule = result.rule(id) ?? result.rules.first(where: { $0.ruleID == id }) {
        if rule.status.rawValue != expected {
          differences.append("rule \(id): expected \(expected), actual \(rule.status.rawValue)")
        }
        exercised[rule.ruleID] = expected == RuleStatus.fail.rawValue ? "fail" : "pass"
      } else {
        differences.append("\(id): no such clause or rule in \(standard.id)")
      }
    }
    // Unless the test names every expected non-conformant clause, any other is a difference.
    if test.expect.verdict == nil && !test.expect.statuses.isEmpty {
      let expectedNC = Set(
        test.expect.statuses.filter { $0.value == ClauseStatus.nonConformant.rawValue }.map(\.key))
      for clause in nonConformant.subtracting(expectedNC).sorted()
      where test.expect.statuses[clause] == nil {
        differences.append("clause \(clause): not expected, actual non_conformant")
      }
    }
    for (id, rows) in test.expect.rows.sorted(by: { $0.key < $1.key }) {
      let actual = Set(
        result.findings.filter { $0.clauseIDs.contains(id) || $0.ruleID == id }.flatMap(\.evidence)
          .map {
            $0.entryID ?? "\($0.file.split(separator: "/").last ?? ""):\($0.line)"
          })
      let expected = Set(rows)
      if actual != expected {
        differences.append(
          "rows of \(id): expected \(expected.sorted().joined(separator: ", ")), actual \(actual.sorted().prefix(20).joined(separator: ", "))"
        )
      }
    }
    return CaseResult(
      name: test.name, owner: test.owner, file: test.file, span: test.span,
      passed: differences.isEmpty, differences: differences, exercised: exercised)
  }

  func makeLedger(_ given: TestCase.Given, schema: LedgerSchema) throws -> any LedgerSource {
    switch given {
    case .rows(let rows): return try InMemoryLedger(schema: schema, rows: rows, origin: "<test>")
    case .ledger(let path): return try FolderLedger.open(folder: path, schema: schema)
    }
  }

  // MARK: Rule tests

  /// Compiles the rule alone through a generated standard that binds it with the test's
  /// parameters, then evaluates it on the test's rows.
  func runRuleTest(_ test: TestCase, in standard: CompiledStandard, compiler: Compiler) -> Result<
    CaseResult, SetupFailure
  > {
    guard let instance = standard.rules.first(where: { $0.ruleID == test.owner }) else {
      return .failure(
        SetupFailure([
          Diagnostic(.testSetup, "rule '\(test.owner)' is not in \(standard.id)", at: test.span)
        ]))
    }
    let schemaFile = standard.inputs.map(\.path).first { $0.contains("schema") } ?? ""
    let ruleFiles = standard.inputs.map(\.path).filter { $0 != standard.file && $0 != schemaFile }
    // Rules whose failing rows a credit book excludes must run too (as the standard binds
    // them), or the book would count credits the standard never grants.
    var helpers: [RuleInstance] = []
    if case .massBalance(let mb) = instance.check {
      let ids = Set(
        mb.book.credits.flatMap(\.excludeFailing) + mb.book.debits.flatMap(\.excludeFailing))
      helpers = standard.rules.filter { ids.contains($0.id) }
    }
    // Written line by line: the indentation is the YAML structure.
    var lines = [
      "standard: rule-test",
      "title: Rule test harness",
      "version: \"0\"",
      "schema: \(quote(absolute(schemaFile)))",
      "rules: [\(ruleFiles.map { quote(absolute($0)) }.joined(separator: ", "))]",
      "sections:",
      "  - id: T",
      "    title: Rule under test",
      "    clauses:",
      "      - id: T-1",
      "        title: \(quote(instance.title))",
      "        requirement: The rule under test.",
      "        severity: major",
      "        rules:",
      "          - rule: \(quote(test.owner))",
    ]
    if !test.parameters.isEmpty {
      lines.append("            with:")
      for (name, value) in test.parameters.sorted(by: { $0.key < $1.key }) {
        lines.append("              \(name): \(yamlValue(value))")
      }
    }
    if !helpers.isEmpty {
      lines += [
        "      - id: T-2", "        title: Rules the book relies on",
        "        requirement: Rows failing these create no credits.", "        severity: major",
        "        rules:",
      ]
      for h in helpers {
        lines.append("          - rule: \(quote(h.ruleID))")
        let bound = h.parameters.filter { $0.origin != .defaultValue }
        if !bound.isEmpty {
          lines.append("            with:")
          for p in bound { lines.append("              \(p.name): \(yamlValue(p.value))") }
        }
      }
    }
    let yaml = lines.joined(separator: "\n") + "\n"
    let folder = NSTemporaryDirectory() + "custody-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/rule-test.yaml"
    FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8))
    let compiled = compiler.compileStandard(path: path)
    guard var harness = compiled.standard else {
      return .failure(
        SetupFailure(
          [
            Diagnostic(
              .testSetup, "test '\(test.name)' of rule '\(test.owner)' cannot be compiled",
              at: test.span)
          ]
            + compiled.diagnostics.filter { $0.severity == .error }))
    }
    // The rule alone: requires are the standard's business, not the rule test's.
    let keep = Set([test.owner] + helpers.map(\.ruleID))
    harness.rules = harness.rules.filter { keep.contains($0.ruleID) }.map { r in
      var r = r
      r.requires = []
      return r
    }
    let order =
      harness.rules.filter { $0.ruleID != test.owner }.map(\.id)
      + harness.rules.filter { $0.ruleID == test.owner }.map(\.id)
    harness.graph = RuleGraph(
      order: order, requires: [:],
      tables: Dictionary(uniqueKeysWithValues: harness.rules.map { ($0.id, $0.check.tables) }))
    var differences: [String] = []
    let expected = test.expect.statuses[test.owner] ?? "pass"
    do {
      let ledger = try makeLedger(test.given, schema: harness.schema)
      let result = try Engine(
        standard: harness, options: EngineOptions(evidenceLimit: evidenceLimit)
      ).evaluate(ledger: ledger)
      let rule = result.rules.first { $0.ruleID == test.owner }
      let actual = rule?.status.rawValue ?? "missing"
      if actual != expected {
        differences.append(
          "status: expected \(expected), actual \(actual)\(rule?.reason.map { " (\($0))" } ?? "")")
        for f in result.findings.prefix(3) { differences.append("  finding: \(f.message)") }
      }
      if let rows = test.expect.rows[test.owner] {
        let actualRows = result.findings.filter { $0.ruleID == test.owner }.flatMap(\.evidence).map(
          Self.rowKey)
        if Set(actualRows) != Set(rows) {
          differences.append(
            "rows: expected \(rows.sorted().joined(separator: ", ")), actual \(Set(actualRows).sorted().joined(separator: ", "))"
          )
        }
      }
    } catch let error as LedgerError {
      differences.append("the test rows cannot be read: \(error.diagnostic.message)")
    } catch {
      differences.append("the test cannot run: \(error)")
    }
    return .success(
      CaseResult(
        name: test.name, owner: test.owner, file: test.file, span: test.span,
        passed: differences.isEmpty, differences: differences,
        exercised: [test.owner: expected == "fail" ? "fail" : "pass"]))
  }

  /// How tests name an evidence row: its entry id, or `file.csv:line` for tables without one
  /// (the form expected.yaml and `rows:` use).
  public static func rowKey(_ e: EvidenceRow) -> String {
    e.entryID ?? "\(e.file.split(separator: "/").last ?? ""):\(e.line)"
  }

  func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
  }

  func quote(_ s: String) -> String {
    "\""
      + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      + "\""
  }

  func yamlValue(_ v: Value) -> String {
    switch v {
    case .null: "null"
    case .list(let items): "[" + items.map(yamlValue).joined(separator: ", ") + "]"
    case .string(let s): quote(s)
    case .integer, .decimal, .bool, .date, .duration: v.description
    }
  }
}
