import Crypto
import CustodyAuthoring
import CustodyDiagnostics
import CustodyLanguage
import CustodyLedger
import CustodyReports
import CustodyValues
import CustodyYAML
import Foundation
import Testing

@testable import CustodyEngine

/// Issue 22 ("Hostile inputs, round two"): one regression per item fixed here (items 1-9, 11
/// and 15; items 10, 12-14 belong to the engine's assembler). Each asserts the exact outcome.
/// docs/limits.md maps every item to its test.
@Suite(.serialized) struct RoundTwoTests {
  // MARK: 1. A forged signed report must not verify

  /// A signed non-conformant report of planted/cua-3.4 and the key pair that signed it.
  struct Signed {
    let variant: Variant
    let report: String
    var key: String { variant.dir + "/key" }

    init() throws {
      variant = try Variant(ledger: "fixtures/planted/cua-3.4")
      try Signer.keygen(output: variant.dir + "/key")
      guard case .evaluated(let r, _, _) = variant.run() else { throw CancellationError() }
      #expect(r.verdict == .nonConformant)
      let signed = try Signer(keyFile: variant.dir + "/key").sign(r)
      report = variant.dir + "/report.json"
      try ReportWriter.write(try ReportFormat.json.renderData(signed), to: report, refusing: [])
    }

    func verify(_ path: String) throws -> [String] {
      try ReportVerification.verify(
        reportPath: path, publicKeyPath: key + ".pub",
        inputs: .init(
          standardPath: variant.standard, ledgerPath: variant.dir + "/ledger",
          asOf: CivilDate(year: 2026, month: 1, day: 1)!))
    }

    /// The report with `insert` spliced in before its final `}`; the line and column of the
    /// first character after the splice point's comma.
    func forged(_ insert: String) throws -> (path: String, line: Int, column: Int) {
      var text = try String(contentsOfFile: report, encoding: .utf8)
      let close = try #require(text.lastIndex(of: "}"))
      let before = text[..<close]
      let line = before.count(where: { $0 == "\n" }) + 1
      let column = before.reversed().prefix { $0 != "\n" }.count + 1
      text.insert(contentsOf: insert, at: close)
      let path = variant.dir + "/forged.json"
      try text.write(toFile: path, atomically: false, encoding: .utf8)
      return (path, line, column)
    }
  }

  @Test func forgedVerdictAppendedAsADuplicateKeyIsRefused() throws {
    let signed = try Signed()
    defer { signed.variant.remove() }
    #expect(try signed.verify(signed.report) == [])
    let (path, line, column) = try signed.forged(",\"verdict\": \"conformant\"")
    // Every other JSON reader sees `conformant`; custody must not say "verified".
    let tree = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    #expect((tree as? [String: Any]) != nil)
    #expect(
      try signed.verify(path) == [
        "the report is not strict JSON at line \(line), column \(column + 1): duplicate key \"verdict\" in one object; JSON readers could disagree on what it says, so it is not verified"
      ])
    let result = try Verifier.verify(reportPath: path, publicKeyPath: signed.key + ".pub")
    #expect(result.diagnostics(file: path).map(Robust.at) == ["CUS9114@\(line):\(column + 1)"])
  }

  @Test func trailingContentAndNonCanonicalNumbersAreRefused() throws {
    let signed = try Signed()
    defer { signed.variant.remove() }
    var text = try String(contentsOfFile: signed.report, encoding: .utf8)
    text += "{\"verdict\": \"conformant\"}\n"
    let trailing = signed.variant.dir + "/trailing.json"
    try text.write(toFile: trailing, atomically: false, encoding: .utf8)
    let problems = try signed.verify(trailing)
    #expect(problems.count == 1)
    #expect(problems.first?.contains(": content after the end of the JSON value;") == true)

    let original = try String(contentsOfFile: signed.report, encoding: .utf8)
    let float = signed.variant.dir + "/float.json"
    // The version as a float (reports are schema 2 since issue 16; a replacement that finds
    // nothing would leave the report valid and the check idle).
    let version = "\"schema_version\" : \(Report.schemaVersion)"
    #expect(original.contains(version))
    try original.replacingOccurrences(of: version, with: version + ".0")
      .write(toFile: float, atomically: false, encoding: .utf8)
    #expect(
      try signed.verify(float).first?.contains(
        "non-canonical number: reports hold whole numbers only") == true)
  }

  @Test(arguments: [
    ("{\"a\":1,\"a\":2}", "duplicate key \"a\" in one object@1:8"),
    ("{\"x\":[{\"k\":1,\"\\u006b\":2}]}", "duplicate key \"k\" in one object@1:14"),
    ("{\"a\":{\"b\":{\"c\":1,\n\"c\":1}}}", "duplicate key \"c\" in one object@2:1"),
    ("{\"a\":1} x", "content after the end of the JSON value@1:9"),
    ("{\"a\":-0}", "non-canonical number: -0@1:6"),
    ("{\"a\":01}", "non-canonical number: leading zero@1:6"),
    ("{\"a\":1e3}", "non-canonical number: reports hold whole numbers only@1:6"),
    ("{\"a\":9223372036854775808}", "number out of range@1:6"),
    ("{\"a\":\"\\ud800\"}", "lone surrogate escape@1:7"),
    ("\u{FEFF}{}", "byte-order mark@1:1"),
    ("{\"a\":[1,2],\"b\":{\"c\":[]}}", "ok"),
  ])
  func strictJSON(_ input: String, _ expected: String) {
    let outcome = StrictJSON.check(Array(input.utf8)).map {
      "\($0.message)@\($0.line):\($0.column)"
    }
    #expect((outcome ?? "ok") == expected)
  }

  /// Ambiguity (CUS9114) is told apart from plain syntax errors (CUS9103, not JSON at all).
  @Test func syntaxErrorsAreNotAmbiguity() {
    #expect(StrictJSON.check(Array("{\"a\" ; 1}".utf8))?.ambiguous == false)
    #expect(StrictJSON.check(Array("{\"a\": \"x\u{01}\"}".utf8))?.ambiguous == false)
    #expect(StrictJSON.check(Array("{\"a\":1,\"a\":1}".utf8))?.ambiguous == true)
    #expect(StrictJSON.check(Array("{} {}".utf8))?.ambiguous == true)
  }

  // MARK: 2. --output by kind of path

  @Test func outputToADeviceWritesInPlaceAndNeverReplacesIt() throws {
    var before = stat()
    #expect(stat("/dev/null", &before) == 0)
    try ReportWriter.write(Data("report\n".utf8), to: "/dev/null", refusing: [])
    var after = stat()
    #expect(stat("/dev/null", &after) == 0)
    #expect(after.st_mode & S_IFMT == S_IFCHR)
    #expect(after.st_ino == before.st_ino && after.st_rdev == before.st_rdev)
    #expect(ReportWriter.destination(of: "/dev/null") == .stream)
  }

  @Test func outputToAFIFOStreamsIntoIt() async throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    let fifo = folder + "/pipe"
    #expect(mkfifo(fifo, 0o644) == 0)
    let reader = Task.detached { () -> Data? in
      FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile()
    }
    try ReportWriter.write(Data("streamed report\n".utf8), to: fifo, refusing: [])
    #expect(await reader.value == Data("streamed report\n".utf8))
    var st = stat()
    #expect(lstat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
  }

  @Test func outputThroughASymlinkReplacesTheTargetAndKeepsTheLink() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try FileManager.default.createDirectory(
      atPath: folder + "/real", withIntermediateDirectories: true)
    try "old\n".write(toFile: folder + "/real/report.txt", atomically: false, encoding: .utf8)
    #expect(symlink("real/report.txt", folder + "/link") == 0)
    try ReportWriter.write(Data("new\n".utf8), to: folder + "/link", refusing: [])
    var st = stat()
    #expect(lstat(folder + "/link", &st) == 0 && st.st_mode & S_IFMT == S_IFLNK)
    #expect(try String(contentsOfFile: folder + "/real/report.txt", encoding: .utf8) == "new\n")
    // No temporary file left behind in either folder.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/real") == ["report.txt"])
  }

  @Test func outputPathsThatAreRefused() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    #expect(symlink("missing/report.txt", folder + "/dangling") == 0)
    for (path, reason) in [
      (
        folder + "/dangling",
        "it is a symlink whose target cannot be reached (No such file or directory)"
      ),
      (folder, "it is a folder"),
    ] {
      #expect(throws: ReportError.self) {
        try ReportWriter.write(Data("x".utf8), to: path, refusing: [])
      }
      do {
        try ReportWriter.write(Data("x".utf8), to: path, refusing: [])
      } catch {
        #expect(error.diagnostic.code == .outputPathUnsupported)
        #expect(error.diagnostic.message == "cannot write the report to \(path): \(reason)")
      }
    }
    // A symlink to an input is refused as the input (CUS9101), not followed and replaced.
    try "ledger\n".write(toFile: folder + "/receipts.csv", atomically: false, encoding: .utf8)
    #expect(symlink("receipts.csv", folder + "/out.json") == 0)
    do {
      try ReportWriter.write(
        Data("x".utf8), to: folder + "/out.json", refusing: [folder + "/receipts.csv"])
      Issue.record("no error")
    } catch {
      #expect(error.diagnostic.code == .outputIsInput)
    }
    #expect(try String(contentsOfFile: folder + "/receipts.csv", encoding: .utf8) == "ledger\n")
  }

  @Test func regularFileIsReplacedAtomically() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    let path = folder + "/report.json"
    try "old".write(toFile: path, atomically: false, encoding: .utf8)
    var before = stat()
    #expect(stat(path, &before) == 0)
    try ReportWriter.write(Data("new".utf8), to: path, refusing: [])
    var after = stat()
    #expect(stat(path, &after) == 0)
    #expect(after.st_ino != before.st_ino)  // renamed over, not rewritten in place
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
  }

  // MARK: 3. Write failures

  @Test func writingToAFullDeviceFails() throws {
    do {
      try ReportWriter.write(Data("report".utf8), to: "/dev/full", refusing: [])
      Issue.record("no error")
    } catch {
      #expect(error.diagnostic.code == .reportWriteFailed)
      #expect(
        error.diagnostic.message
          == "cannot write the report to /dev/full: No space left on device")
    }
    // The descriptor path the CLI uses for stdout (`custody validate > /dev/full`, exit 74).
    let fd = open("/dev/full", O_WRONLY)
    defer { close(fd) }
    #expect(ReportWriter.writeAll(Data("report".utf8), to: fd) == "No space left on device")
    #expect(ReportWriter.writeAll(Data(), to: fd) == nil)
  }

  // MARK: 4. Private key permissions

  @Test(arguments: [0o644, 0o640, 0o604, 0o777] as [mode_t])
  func privateKeyReadableByOthersIsRefused(_ mode: mode_t) throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    try Signer.keygen(output: folder + "/key")
    #expect(chmod(folder + "/key", mode) == 0)
    do {
      _ = try Signer(keyFile: folder + "/key")
      Issue.record("signed with a key of mode \(String(mode, radix: 8))")
    } catch {
      #expect(error.diagnostic.code == .keyFilePermissions)
      #expect(
        error.diagnostic.message
          == "private key \(folder)/key has mode 0\(String(mode, radix: 8)): other users can read or change it; refusing to sign with it"
      )
    }
    #expect(chmod(folder + "/key", 0o400) == 0)
    #expect(throws: Never.self) { _ = try Signer(keyFile: folder + "/key") }
  }

  // MARK: 5. YAML tags (corpus: yaml/tag-*.yaml); tags on collections

  @Test func coreTagsAcceptedOnlyWhereTheyAgree() {
    func load(_ text: String) -> [String] {
      var bag = DiagnosticBag()
      _ = YAMLLoader().load(text: text, path: "t.yaml", into: &bag)
      return bag.sorted.map { Robust.at($0) + " " + $0.message }
    }
    #expect(load("a: !!str abc\nb: !!int 5\nc: !!bool true\nd: !!null ~\ne: !!str '12'\n") == [])
    #expect(load("a: !!map {b: 1}\nc: !!seq [1]\n") == [])
    #expect(
      load("a: !!set {b: 1}\n") == [
        "CUS1014@1:4 YAML tag '!!set' is not supported on a mapping"
      ])
    #expect(
      load("a: !!omap [1]\n") == ["CUS1014@1:4 YAML tag '!!omap' is not supported on a list"])
    #expect(
      load("a: !!int 0x1F\n") == [
        "CUS1014@1:4 YAML tag '!!int' on '0x1F', which is not a plain decimal whole number"
      ])
  }

  // MARK: 6. Date arithmetic and parameter ranges

  @Test func civilDateArithmeticIsCheckedAndGoesBackwards() {
    let d = CivilDate(year: 2024, month: 3, day: 31)!
    #expect(d.adding(months: -1) == CivilDate(year: 2024, month: 2, day: 29))
    #expect(d.adding(months: -3) == CivilDate(year: 2023, month: 12, day: 31))
    #expect(d.adding(months: 0) == d)
    #expect(d.adding(months: Int.max) == nil)
    #expect(d.adding(months: Int.min) == nil)
    #expect(d.adding(days: Int.max) == nil)
    #expect(d.adding(days: 2_147_483_647) == nil)
    #expect(CivilDate.latest.adding(days: 1) == nil)
    #expect(CivilDate.earliest.adding(days: -1) == nil)
    #expect(CivilDate(year: 9999, month: 12, day: 1)!.adding(months: 1) == nil)
    #expect(d.addingMonths(Int.max) == CivilDate.latest)
    #expect(d.addingDays(Int.min) == CivilDate.earliest)
  }

  /// `add_days`/`add_months` with a huge count from a rule literal or from an integer ledger
  /// cell: a located `arithmetic_overflow` error, never a trap.
  @Test(arguments: [
    ("add_days(date, lines) > date", Int64.max, "add_days(2024-01-01, 9223372036854775807)"),
    ("add_days(date, 2147483647) > date", 0, "add_days(2024-01-01, 2147483647)"),
    (
      "add_months(date, 9223372036854775807) > date", 0,
      "add_months(2024-01-01, 9223372036854775807)"
    ),
    ("add_months(date, lines) > date", Int64.min, "add_months(2024-01-01, -9223372036854775808)"),
  ])
  func dateFunctionOverflowIsALocatedError(_ text: String, _ lines: Int64, _ call: String) throws {
    let table = Robust.expressionReceipts
    let (node, diagnostics) = ExpressionCompiler.compile(
      text: text, table: table, schema: Robust.expressionSchema)
    #expect(diagnostics.isEmpty)
    let compiled = try #require(node)
    var row = Array(repeating: Value.null, count: table.columns.count)
    row[table.columnIndex("date")!] = .date(CivilDate(year: 2024, month: 1, day: 1)!)
    row[table.columnIndex("lines")!] = .integer(lines)
    var frame = Frame(row: row)
    do {
      _ = try ProgramCompiler(lookups: Lookups()).evaluate(compiled, &frame)
      Issue.record("no error")
    } catch {
      #expect(error.code == .arithmeticOverflow)
      #expect(error.message == "\(call) leaves the calendar (years 1-9999)")
      #expect(error.span?.start.column == 1)
    }
  }

  /// A whole decimal beyond Int64 where a count is expected: `Int(mantissa)` trapped. The
  /// type checker only lets integers reach a count, so this calls the builtin directly.
  @Test func wholeDecimalBeyondInt64AsAMonthCountIsAnError() throws {
    let (node, _) = ExpressionCompiler.compile(
      text: "add_months(date, lines)", table: Robust.expressionReceipts,
      schema: Robust.expressionSchema)
    let big = try #require(ExactDecimal("100000000000000000000000000000"))
    let call = try #require(node)
    do {
      _ = try Builtins.apply(
        .addMonths, [.date(CivilDate(year: 2024, month: 1, day: 1)!), .decimal(big)], call)
      Issue.record("no error")
    } catch {
      #expect(error.code == .arithmeticOverflow)
      #expect(error.message == "add_months(): argument 2 is out of range")
    }
  }

  @Test(arguments: ["9223372036854775807", "0", "-1", "-9223372036854775808", "1201"])
  func creditLifetimeOutOfRangeIsACompileError(_ value: String) throws {
    let v = try Variant()
    defer { v.remove() }
    try v.edit(
      "standards/cu-again-coc.yaml", "credit_lifetime_months: {type: integer, default: 24,",
      "credit_lifetime_months: {type: integer, default: \(value),")
    let at = try v.position(
      of: "lifetime_months: $lifetime_months\n", in: "rules/books/cu-again-credits.yaml")
    let outcome = v.run(ledger: Variant.repository + "/fixtures/planted/cua-4.5")
    #expect(
      v.errors(outcome) == [
        "CUS2005@rules/books/cu-again-credits.yaml:\(at.line):\(at.column + 17)"
      ])
    if case .invalidInput(let d, _) = outcome {
      #expect(
        d.first?.message
          == "`lifetime_months` of book 'cu-again-credits' is \(value) (from $lifetime_months); it must be 1 to 1200 months, or `none`"
      )
    }
  }

  // MARK: 7. Rules-folder walk

  @Test func twoLinksToParentAreWalkedOnce() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    let rules = folder + "/rules"
    try FileManager.default.createDirectory(
      atPath: rules + "/a", withIntermediateDirectories: true)
    try "rule: x\n".write(toFile: rules + "/a/x.yaml", atomically: false, encoding: .utf8)
    try "rule: y\n".write(toFile: rules + "/y.yaml", atomically: false, encoding: .utf8)
    #expect(symlink("..", rules + "/a/b") == 0)
    #expect(symlink("..", rules + "/a/c") == 0)
    #expect(symlink("/proc", rules + "/a/proc") == 0)
    #expect(symlink("/etc", rules + "/etc") == 0)
    let (files, diagnostics) = RulesFolder.yamlFiles(under: rules)
    #expect(files == [rules + "/a/x.yaml", rules + "/y.yaml"])
    #expect(
      Set(diagnostics.map { "\($0.code.id) \($0.severity) \($0.message)" }) == [
        "CUS2021 warning skipped '\(rules)/a/b': a symlink to a folder already read (\(try #require(realpathString(rules))))",
        "CUS2021 warning skipped '\(rules)/a/c': a symlink to a folder already read (\(try #require(realpathString(rules))))",
        "CUS2021 warning skipped '\(rules)/a/proc': a symlink to '/proc', outside '\(rules)'",
        "CUS2021 warning skipped '\(rules)/etc': a symlink to '/etc', outside '\(rules)'",
      ])
  }

  func realpathString(_ path: String) -> String? {
    guard let r = realpath(path, nil) else { return nil }
    defer { free(r) }
    return String(cString: r)
  }

  @Test func walkBoundsFilesAndDepth() throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    for i in 0..<12 {
      try "rule: r\(i)\n".write(toFile: folder + "/r\(i).yaml", atomically: false, encoding: .utf8)
    }
    let (files, diagnostics) = RulesFolder.yamlFiles(under: folder, maxFiles: 10)
    #expect(files.count == 11)
    #expect(
      diagnostics.map { "\($0.code.id) \($0.message)" } == [
        "CUS2022 more than 10 YAML files under '\(folder)'; the walk stopped"
      ])
    var deep = folder + "/d"
    for _ in 0..<5 { deep += "/d" }
    try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
    let (_, deepDiagnostics) = RulesFolder.yamlFiles(under: folder + "/d", maxDepth: 3)
    #expect(deepDiagnostics.map(\.code.id) == ["CUS2022"])
  }

  @Test func standardWhoseRulesFolderLinksToItsParentCompiles() throws {
    let v = try Variant(ledger: "fixtures/planted/cua-3.4")
    defer { v.remove() }
    #expect(symlink("..", v.dir + "/rules/balance/b") == 0)
    #expect(symlink("..", v.dir + "/rules/balance/c") == 0)
    guard case .evaluated(let report, _, _) = v.run() else {
      Issue.record("did not evaluate: \(v.errors(v.run()))")
      return
    }
    #expect(report.verdict == .nonConformant)
  }

  // MARK: 8. Null defaults

  @Test func nullDefaultForATypedParameterIsAnErrorNotExpiryOff() throws {
    for spelling in ["~", "null"] {
      let v = try Variant()
      defer { v.remove() }
      try v.edit(
        "standards/cu-again-coc.yaml", "credit_lifetime_months: {type: integer, default: 24,",
        "credit_lifetime_months: {type: integer, default: \(spelling),")
      let at = try v.position(of: "default: \(spelling),", in: "standards/cu-again-coc.yaml")
      let outcome = v.run(ledger: Variant.repository + "/fixtures/planted/cua-4.5")
      // One error at the default; no spurious CUS2012 "needs a default" (item 15).
      #expect(
        v.errors(outcome) == [
          "CUS2013@standards/cu-again-coc.yaml:\(at.line):\(at.column + 9)"
        ])
    }
  }

  @Test func optionalNullLifetimeMustBeSpelledNone() throws {
    let v = try Variant()
    defer { v.remove() }
    try v.edit(
      "standards/cu-again-coc.yaml", "credit_lifetime_months: {type: integer, default: 24,",
      "credit_lifetime_months: {type: integer, optional: true, default: ~,")
    try v.edit(
      "rules/balance/credits-not-expired.yaml",
      "lifetime_months: {type: integer, default: 24,",
      "lifetime_months: {type: integer, optional: true, default: 24,")
    try v.edit(
      "rules/books/cu-again-credits.yaml", "lifetime_months: {type: integer, default: 24,",
      "lifetime_months: {type: integer, optional: true, default: 24,")
    try v.edit(
      "rules/transfers/transfer-covered.yaml", "lifetime_months: {type: integer, default: 24,",
      "lifetime_months: {type: integer, optional: true, default: 24,")
    let outcome = v.run(ledger: Variant.repository + "/fixtures/planted/cua-4.5")
    let at = try v.position(
      of: "lifetime_months: $lifetime_months\n", in: "rules/books/cu-again-credits.yaml")
    #expect(
      v.errors(outcome) == [
        "CUS2005@rules/books/cu-again-credits.yaml:\(at.line):\(at.column + 17)"
      ])
  }

  @Test func plantedExpiryIsFoundWithTheShippedStandard() throws {
    let v = try Variant()
    defer { v.remove() }
    guard
      case .evaluated(let report, _, _) = v.run(
        ledger: Variant.repository + "/fixtures/planted/cua-4.5")
    else {
      Issue.record("did not evaluate")
      return
    }
    #expect(report.clauses.first { $0.id == "CUA-4.5" }?.status == .nonConformant)
  }

  @Test func badDefaultGivesOneErrorNotTwo() throws {
    let v = try Variant()
    defer { v.remove() }
    try v.edit(
      "standards/cu-again-coc.yaml", "credit_lifetime_months: {type: integer, default: 24,",
      "credit_lifetime_months: {type: integer, default: two years,")
    let at = try v.position(of: "default: two years,", in: "standards/cu-again-coc.yaml")
    #expect(
      v.errors(v.run(ledger: Variant.repository + "/fixtures/planted/cua-4.5")) == [
        "CUS2013@standards/cu-again-coc.yaml:\(at.line):\(at.column + 9)"
      ])
  }

  // MARK: 9. Finding messages

  /// The message of the planted clause's first finding, for every planted fixture
  /// (Corpus/planted-messages.tsv), and no `<error:` in any message.
  @Test func plantedFixtureMessages() throws {
    let golden = try String(
      contentsOfFile: Robust.corpus + "/planted-messages.tsv", encoding: .utf8
    ).split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
      $0.split(separator: "\t", maxSplits: 1).map(String.init)
    }
    let v = try Variant()
    defer { v.remove() }
    #expect(golden.count >= 20)
    for line in golden {
      let (fixture, expected) = (line[0], line[1])
      guard
        case .evaluated(let report, _, _) = v.run(
          ledger: Variant.repository + "/fixtures/planted/" + fixture)
      else {
        Issue.record("\(fixture) did not evaluate")
        continue
      }
      let messages = report.findings.map(\.message)
      #expect(messages.allSatisfy { !$0.contains("<error") }, "\(fixture): \(messages)")
      #expect(messages.contains(expected), "\(fixture): \(Set(messages))")
    }
  }

  @Test func shipmentOutsideEveryPeriodNamesItsSite() throws {
    let v = try Variant()
    defer { v.remove() }
    try FileManager.default.copyItem(
      atPath: Variant.repository + "/fixtures/sample", toPath: v.dir + "/ledger")
    // Site SAG's last period ends 2025-12-31; a shipment on 2026-06-30 is in none.
    let path = v.dir + "/ledger/shipments.csv"
    var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(
      String.init)
    let index = try #require(lines.firstIndex { $0.split(separator: ",")[2] == "SAG" })
    var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(
      String.init)
    fields[1] = "2026-06-30"
    lines[index] = fields.joined(separator: ",")
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: path, atomically: false, encoding: .utf8)
    guard case .evaluated(let report, _, _) = v.run() else {
      Issue.record("did not evaluate")
      return
    }
    let finding = try #require(report.findings.first { $0.rule == "periods-cover-activity" })
    #expect(
      finding.message
        == "accounting periods of site SAG do not cover the ledger as required (at most 12 months, contiguous)"
    )
  }

  @Test func messageNamingAColumnTheCheckDoesNotProvideIsACompileError() throws {
    let v = try Variant()
    defer { v.remove() }
    try v.edit(
      "rules/eligibility/supplier-document-unique.yaml",
      "message: \"supplier document {document_id} appears",
      "message: \"supplier document {document_id} of {supplier} appears")
    let at = try v.position(of: "{supplier}", in: "rules/eligibility/supplier-document-unique.yaml")
    #expect(
      v.errors(v.run(ledger: Variant.repository + "/fixtures/planted/cua-3.3")) == [
        "CUS3002@rules/eligibility/supplier-document-unique.yaml:\(at.line):\(at.column + 1)"
      ])
  }

  // MARK: 11. Identifiers

  @Test(arguments: [
    (
      "\u{FEFF}SD-000001",
      "identifier 'document_id' holds an invisible character U+FEFF at character 1"
    ),
    ("SD-000001 ", "identifier 'document_id' ends with a space"),
    (" SD-000001", "identifier 'document_id' starts with a space"),
    (
      "SD-\u{200B}000001",
      "identifier 'document_id' holds an invisible character U+200B at character 4"
    ),
    (
      "SD-\u{00A0}000001",
      "identifier 'document_id' holds U+00A0 at character 4, which looks like a space"
    ),
  ])
  func invisibleCharactersInALedgerIdAreCellErrors(_ cell: String, _ message: String) throws {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    let csv =
      "entry_id,date,pool,cu_t,document_id\nR-1,2024-01-01,PCL,1,SD-000001\nR-2,2024-01-02,PCL,1,\(cell)\n"
    try csv.write(toFile: folder + "/receipts.csv", atomically: false, encoding: .utf8)
    var receipts = Robust.receipts
    receipts.columns.append(ColumnSchema(name: "document_id", type: .string, required: false))
    let schema = LedgerSchema(id: "r", version: "1", tables: [receipts])
    let ledger = try FolderLedger.open(folder: folder, schema: schema)
    try ledger.read(table: "receipts") { _ in }
    #expect(
      ledger.cellErrors.map {
        "\($0.code.id)@\($0.provenance.line):\($0.provenance.column ?? 0) \($0.message)"
      } == [
        "CUS7012@3:5 \(message); ids are compared exactly, so it would not match the id it looks like"
      ])
  }

  @Test func clauseIdWithATrailingSpaceIsADiagnostic() throws {
    let v = try Variant()
    defer { v.remove() }
    try v.edit("standards/cu-again-coc.yaml", "- id: CUA-4.3\n", "- id: \"CUA-4.3 \"\n")
    let at = try v.position(of: "\"CUA-4.3 \"", in: "standards/cu-again-coc.yaml")
    let outcome = v.run(ledger: Variant.repository + "/fixtures/planted/cua-3.4")
    #expect(v.errors(outcome) == ["CUS2023@standards/cu-again-coc.yaml:\(at.line):\(at.column)"])
    if case .invalidInput(let d, _) = outcome {
      #expect(d.first?.message == "the id id of clause 'CUA-4.3 ' ends with a space")
    }
  }

  // MARK: 15. Messages

  @Test func invalidUTF8NamesTheBadByte() {
    var bag = DiagnosticBag()
    _ = YAMLLoader().load(
      bytes: Array("a: 1\nb: Caf".utf8) + [0xE9] + Array("\"\n".utf8), path: "t.yaml", into: &bag)
    #expect(
      bag.sorted.map { Robust.at($0) + " " + $0.message } == ["CUS1002@2:7 invalid UTF-8 byte 0xE9"]
    )
  }

  @Test func controlCharacterIsLocatedOnItsLine() {
    var bag = DiagnosticBag()
    _ = YAMLLoader().load(
      bytes: Array("a: 1\nb: 2\nc: 3\nd: x".utf8) + [0x01] + Array("y\n".utf8), path: "t.yaml",
      into: &bag)
    #expect(
      bag.sorted.map { Robust.at($0) + " " + $0.message } == [
        "CUS1003@4:5 YAML syntax error: control characters are not allowed (character U+0001)"
      ])
  }

  @Test func overlongPathComponentSaysSo() {
    let folder = Robust.folder()
    defer { Robust.remove(folder) }
    let path = folder + "/" + String(repeating: "x", count: 300)
    do {
      _ = try FolderLedger.open(folder: path, schema: Robust.schema)
      Issue.record("opened")
    } catch {
      #expect(error.diagnostic.message == "cannot open ledger folder '\(path)': File name too long")
    }
  }

  @Test func publicKeyWithACommentLineAfterTheHeaderIsRead() throws {
    let key = Curve25519.Signing.PrivateKey()
    let text =
      "custody-ed25519-public-key v1\n# auditor A, 2026\n\(key.publicKey.rawRepresentation.base64EncodedString())\n"
    #expect(try KeyFile.decodePublicKey(text).rawRepresentation == key.publicKey.rawRepresentation)
    do {
      _ = try KeyFile.decodePublicKey(text + "extra\n", file: "k.pub")
      Issue.record("read")
    } catch {
      #expect(
        error.diagnostic.message
          == "k.pub holds 2 lines after the header 'custody-ed25519-public-key v1'; expected exactly one (the base64 key; `#` comment lines are allowed)"
      )
    }
  }
}
