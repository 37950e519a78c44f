import CustodyDiagnostics
import CustodyValues

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Options for opening a ledger folder.
public struct LedgerOpenOptions: Sendable, Hashable {
  public var limits: LedgerReadLimits
  public init(limits: LedgerReadLimits = .default) { self.limits = limits }
}

/// A ledger export on disk: one CSV (`x.csv`) or JSON Lines (`x.jsonl`) file per table.
///
/// `open` checks the structure up front (files present, headers complete, UTF-8 at the header)
/// so a broken export stops before any rule runs; `read` then streams each table in one pass,
/// hashing the file as it goes. Only the current row is held in memory.
public final class FolderLedger: LedgerSource, Sendable {
  public let folder: String
  public let schema: LedgerSchema
  public let profile: MappingProfile?
  public let options: LedgerOpenOptions
  let plans: [String: TablePlan]
  /// Files in the ledger folder that no table reads (names, sorted): nothing handed over is
  /// silently ignored (issue 19).
  public let unreadFiles: [String]

  /// What `read` recorded: a read-ahead thread may read one table while the engine asks for
  /// these, so they live behind a mutex (taken once per table read, never per row).
  private struct Record {
    var files: [LedgerFileInfo] = []
    var cellErrors: [CellError] = []
    var cellErrorCounts: [String: [DiagnosticCode: Int]] = [:]
    var readTables: Set<String> = []
    var dateRanges: [String: ClosedRange<CivilDate>] = [:]
    var segments: [String: [(start: Int, file: String)]] = [:]
  }
  private let record = Locked(Record())

  public var files: [LedgerFileInfo] { record.withLock { $0.files } }
  /// Cell errors kept (the first `limits.maxCellErrors` of the ledger).
  public var cellErrors: [CellError] { record.withLock { $0.cellErrors } }
  /// Every cell error counted by table and code, including those past the keep limit.
  public var cellErrorCounts: [String: [DiagnosticCode: Int]] {
    record.withLock { $0.cellErrorCounts }
  }
  /// Per table with a `date` column: the first and last date read.
  public var dateRanges: [String: ClosedRange<CivilDate>] { record.withLock { $0.dateRanges } }

  /// How one table is stored in the folder.
  enum Format: String, Sendable { case csv, jsonl, xlsx, absent }

  static func format(of file: String) -> Format {
    let lower = file.lowercased()
    if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
    if isWorkbook(lower) { return .xlsx }
    return .csv
  }

  struct TablePlan: Sendable {
    var table: TableSchema
    /// The (first) file; for an absent table, the file expected.
    var path: String
    var format: Format
    var settings: TableSettings
    /// Every file the table is read from, in reading order (`files:`); `[path]` otherwise.
    var parts: [String] = []

    func part(_ path: String) -> TablePlan {
      var p = self
      p.path = path
      return p
    }
  }

  private init(
    folder: String, schema: LedgerSchema, profile: MappingProfile?, options: LedgerOpenOptions,
    plans: [String: TablePlan], unreadFiles: [String]
  ) {
    self.folder = folder
    self.schema = schema
    self.profile = profile
    self.options = options
    self.plans = plans
    self.unreadFiles = unreadFiles
  }

  /// Opens `folder` and validates every table's file and header against `schema` (after the
  /// profile's mapping). Throws the first structural problem, located where it starts.
  public static func open(
    folder: String, schema: LedgerSchema, profile: MappingProfile? = nil,
    options: LedgerOpenOptions = LedgerOpenOptions()
  ) throws(LedgerError) -> FolderLedger {
    var st = stat()
    let found = stat(folder, &st) == 0
    guard found, (st.st_mode & S_IFMT) == S_IFDIR else {
      // The system's reason when stat fails (a 300-character name is "File name too long",
      // not "not a folder"); errno is only meaningful then.
      let reason =
        found
        ? "not a folder" : errno == ELOOP ? "a symlink loop" : String(cString: strerror(errno))
      throw LedgerError(
        Diagnostic(
          .ledgerFolderUnreadable, "cannot open ledger folder '\(folder)': \(reason)",
          at: .file(folder)))
    }
    for (table, derived) in profile?.derivedColumns ?? [] where derived.program == nil {
      // Never a derived column silently left empty: the profile must come compiled.
      throw LedgerError(
        Diagnostic(
          .derivedColumnInvalid,
          "derived column '\(derived.column)' of table '\(table)' was not compiled; load the profile with a DerivedColumnCompiler",
          at: derived.expression.span))
    }
    var plans: [String: TablePlan] = [:]
    for table in schema.tables {
      let settings = profile?.settings(for: table.name) ?? .canonical
      let plan = try locate(table: table, folder: folder, settings: settings)
      switch plan.format {
      case .absent: break
      case .csv:
        for part in plan.parts { _ = try openCSV(plan.part(part), limits: options.limits) }
      case .jsonl:
        for part in plan.parts { _ = try openJSONLines(plan.part(part), limits: options.limits) }
      case .xlsx:
        for part in plan.parts {
          do {
            _ = try openSheet(plan.part(part), limits: options.limits)
          } catch let error as LedgerError {
            throw error
          } catch {
            throw LedgerError(
              Diagnostic(.workbookStructure, "\(part): \(error)", at: .file(part)))
          }
        }
      }
      plans[table.name] = plan
    }
    let base = folder.hasSuffix("/") ? folder : folder + "/"
    let read = Set(plans.values.flatMap(\.parts))
    let unread = ExportFiles.entries(of: base).filter { name in
      var st = stat()
      // YAML and Markdown beside the data are profiles, expectations, notes: not ledger data.
      let lower = name.lowercased()
      guard !name.hasPrefix("."), !lower.hasSuffix(".yaml"), !lower.hasSuffix(".yml"),
        !lower.hasSuffix(".md"), stat(base + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG
      else { return false }
      return !read.contains(base + name)
    }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    return FolderLedger(
      folder: folder, schema: schema, profile: profile, options: options, plans: plans,
      unreadFiles: unread)
  }

  /// Warnings about what was handed over (every report format shows them): files no table
  /// reads; a table whose dates end (or start) more than a quarter before (after) the others',
  /// as when one year's file of a split table is missing. Complete once every table was read.
  public var warnings: [String] {
    var out = unreadFiles.map {
      "\($0) in the ledger folder is read by no table (not named by the schema or the profile)"
    }
    let ranges = record.withLock { $0.dateRanges }.sorted { $0.key < $1.key }
    guard let lastEnd = ranges.map(\.value.upperBound).max(),
      let firstStart = ranges.map(\.value.lowerBound).min()
    else { return out }
    for (table, range) in ranges {
      if range.upperBound.days(to: lastEnd) > 92,
        let other = ranges.first(where: { $0.value.upperBound == lastEnd })
      {
        out.append(
          "\(table) dates end \(range.upperBound), \(other.key) dates run to \(lastEnd): are \(table) files missing for the rest of the period?"
        )
      }
      if firstStart.days(to: range.lowerBound) > 92,
        let other = ranges.first(where: { $0.value.lowerBound == firstStart })
      {
        out.append(
          "\(table) dates start \(range.lowerBound), \(other.key) dates start \(firstStart): are \(table) files missing for the start of the period?"
        )
      }
    }
    return out
  }

  /// Finds the table's file: the profile's `file:`, else `<stem>.csv` or `<stem>.jsonl`.
  private static func locate(table: TableSchema, folder: String, settings: TableSettings)
    throws(LedgerError) -> TablePlan
  {
    let base = folder.hasSuffix("/") ? folder : folder + "/"
    if let patterns = settings.mapping.files {
      let parts = try ExportFiles.expand(patterns, folder: base, table: table.name)
      let format = FolderLedger.format(of: parts[0])
      return TablePlan(
        table: table, path: parts[0], format: format, settings: settings, parts: parts)
    }
    var candidates: [(String, Format)]
    if let file = settings.mapping.file {
      candidates = [(file, FolderLedger.format(of: file))]
    } else {
      let stem = table.file.split(separator: ".", omittingEmptySubsequences: false).dropLast()
        .joined(separator: ".")
      let name = stem.isEmpty ? table.file : stem
      candidates = [(name + ".csv", .csv), (name + ".jsonl", .jsonl)]
    }
    var found: [(String, Format)] = []
    for (file, format) in candidates {
      let path = base + file
      var st = stat()
      if lstat(path, &st) != 0 { continue }  // absent (a dangling symlink still exists)
      found.append((path, format))
    }
    if found.count > 1 {
      throw LedgerError(
        Diagnostic(
          .ambiguousLedgerFile, "table '\(table.name)' has both \(found[0].0) and \(found[1].0)",
          at: .file(found[0].0)))
    }
    guard let (path, format) = found.first else {
      if table.optional {
        return TablePlan(
          table: table, path: base + candidates[0].0, format: .absent, settings: settings,
          parts: [])
      }
      throw LedgerError(
        Diagnostic(
          .missingLedgerFile,
          "ledger folder has no \(candidates.map(\.0).joined(separator: " or ")) for table '\(table.name)'",
          at: .file(base + candidates[0].0)))
    }
    return TablePlan(table: table, path: path, format: format, settings: settings, parts: [path])
  }

  static func delimiterByte(_ settings: TableSettings) -> UInt8 {
    settings.delimiter.utf8.first ?? UInt8(ascii: ",")
  }

  /// Opens a CSV table and binds its header.
  static func openCSV(_ plan: TablePlan, limits: LedgerReadLimits) throws(LedgerError) -> (
    CSVTokenizer, HeaderBinding
  ) {
    let tokenizer = try CSVTokenizer(
      path: plan.path, delimiter: delimiterByte(plan.settings), limits: limits,
      encoding: plan.settings.encoding)
    guard try tokenizer.next() else {
      throw LedgerError(
        Diagnostic(
          .emptyLedgerFile, "\(plan.table.file) is empty; it needs at least a header row",
          at: .file(plan.path)))
    }
    let header = (0..<tokenizer.fieldCount).map { trimmed(tokenizer.fieldString($0)) }
    let binding = try HeaderBinding.bind(
      header: header, columns: tokenizer.headerColumns, line: tokenizer.recordLine,
      table: plan.table,
      settings: plan.settings, path: plan.path)
    return (tokenizer, binding)
  }

  /// Opens a JSON Lines table; the first object's keys are checked like a header.
  static func openJSONLines(_ plan: TablePlan, limits: LedgerReadLimits) throws(LedgerError) -> (
    JSONLinesReader, HeaderBinding, [(key: String, column: Int, value: JSONCell)]?
  ) {
    if !plan.settings.mapping.filter.isEmpty {
      // Not silently ignored: a filter the reader would not apply would let every row in.
      throw LedgerError(
        Diagnostic(
          .profileInvalidValue,
          "`where:` of table '\(plan.table.name)' applies to CSV files and workbooks, not JSON Lines",
          at: .file(plan.path)))
    }
    let reader = try JSONLinesReader(path: plan.path, limits: limits)
    guard let first = try reader.next() else {
      throw LedgerError(
        Diagnostic(
          .emptyLedgerFile, "\(plan.path) is empty; it needs at least one object",
          at: .file(plan.path)))
    }
    let binding = try HeaderBinding.bind(
      header: first.map(\.key), columns: first.map { $0.column }, line: reader.line,
      table: plan.table,
      settings: plan.settings, path: plan.path)
    return (reader, binding, first)
  }

  private static func trimmed(_ s: String) -> String {
    var sub = Substring(s)
    while sub.first == " " || sub.first == "\t" { sub = sub.dropFirst() }
    while sub.last == " " || sub.last == "\t" { sub = sub.dropLast() }
    return String(sub)
  }

  // MARK: Reading

  public func read(table: String, _ body: (consuming LedgerRow) throws -> Void) throws {
    guard let plan = plans[table] else {
      throw LedgerError(
        Diagnostic(
          .unknownTable, "unknown table '\(table)'", at: nil,
          suggestions: Suggestions.closest(to: table, in: schema.tables.map(\.name))))
    }
    // Recorded once, after the first complete read (a failed read records nothing).
    let (first, kept) = record.withLock { (!$0.readTables.contains(table), $0.cellErrors.count) }
    var errors = CellErrorSink(limit: max(0, options.limits.maxCellErrors - kept))
    var infos: [LedgerFileInfo] = []
    var starts: [(start: Int, file: String)] = []
    var earliest: CivilDate?
    var latest: CivilDate?
    let dateColumn = plan.table.columnIndex("date")
    let outer = body
    let body: (consuming LedgerRow) throws -> Void = { row in
      if let i = dateColumn, case .date(let d) = row.values[i] {
        if earliest.map({ d < $0 }) ?? true { earliest = d }
        if latest.map({ $0 < d }) ?? true { latest = d }
      }
      try outer(row)
    }
    var offset = 0
    switch plan.format {
    case .absent:
      infos.append(
        LedgerFileInfo(table: table, path: plan.path, sha256: "", rows: 0, bytes: 0, absent: true))
    case .csv:
      for part in plan.parts {
        starts.append((offset, part))
        let (info, lines) = try readCSV(
          plan.part(part), lineOffset: offset, errors: &errors, body)
        infos.append(info)
        offset += lines
      }
    case .jsonl:
      for part in plan.parts {
        starts.append((offset, part))
        let (info, lines) = try readJSONLines(
          plan.part(part), lineOffset: offset, errors: &errors, body)
        infos.append(info)
        offset += lines
      }
    case .xlsx:
      for part in plan.parts {
        let (info, lines, display) = try readSheet(
          plan.part(part), lineOffset: offset, errors: &errors, body)
        starts.append((offset, display))
        infos.append(info)
        offset += lines
      }
    }
    if first {
      let range = earliest.flatMap { e in latest.map { e...$0 } }
      let (kept, counts) = (errors.kept, errors.counts)
      record.withLock {
        // Checked again under the lock: two reads of one table may have overlapped.
        guard $0.readTables.insert(table).inserted else { return }
        if starts.count > 1 { $0.segments[table] = starts }
        if let range { $0.dateRanges[table] = range }
        $0.files += infos
        $0.cellErrors += kept
        $0.cellErrorCounts[table] = counts
      }
    }
  }

  /// The file and its own line of row `line` of `table` (tables read from several files).
  public func locate(table: String, line: Int) -> (file: String, line: Int)? {
    guard let list = record.withLock({ $0.segments[table] }) else { return nil }
    var found: (start: Int, file: String)?
    for s in list where s.start < line { found = s }
    return found.map { ($0.file, line - $0.start) }
  }

  /// Reads one file; returns what was read and its number of physical lines.
  private func readCSV(
    _ plan: TablePlan, lineOffset: Int, errors: inout CellErrorSink,
    _ body: (consuming LedgerRow) throws -> Void
  ) throws -> (LedgerFileInfo, Int) {
    let (tok, binding) = try FolderLedger.openCSV(plan, limits: options.limits)
    var rows = RowAssembler(plan: plan, binding: binding)
    rows.lineOffset = lineOffset
    var count = 0
    let filtered = !binding.filters.isEmpty
    while try tok.next() {
      if filtered && !binding.keeps({ tok.field($0) }, count: tok.fieldCount) { continue }
      count += 1
      try body(rows.assemble(tok, errors: &errors))
    }
    let lines = tok.line
    let (sha, bytes) = try tok.finish()
    return (
      LedgerFileInfo(
        table: plan.table.name, path: plan.path, sha256: sha, rows: count, bytes: bytes,
        extraColumns: binding.extraColumns), lines
    )
  }

  private func readJSONLines(
    _ plan: TablePlan, lineOffset: Int, errors: inout CellErrorSink,
    _ body: (consuming LedgerRow) throws -> Void
  ) throws -> (LedgerFileInfo, Int) {
    let (reader, binding, firstObject) = try FolderLedger.openJSONLines(
      plan, limits: options.limits)
    var rows = RowAssembler(plan: plan, binding: binding)
    rows.lineOffset = lineOffset
    var extras = binding.extraColumns
    var known = Set(extras)
    var count = 0
    var object = firstObject
    var line = reader.line
    while let pairs = object {
      count += 1
      var row = rows.assembleJSON(
        line: line, pairs: pairs, errors: &errors,
        extras: { key in
          if known.insert(key).inserted { extras.append(key) }
        })
      row.line += lineOffset
      try body(row)
      object = try reader.next()
      line = reader.line
    }
    let (sha, bytes) = try reader.finish()
    return (
      LedgerFileInfo(
        table: plan.table.name, path: plan.path, sha256: sha, rows: count, bytes: bytes,
        extraColumns: extras), line + 1
    )
  }
}
