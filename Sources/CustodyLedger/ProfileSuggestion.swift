import CustodyDiagnostics
import CustodyValues
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `custody profile suggest FOLDER`: looks at an export folder and drafts the mapping profile
/// that reads it. Every choice is taken from what the files show (byte patterns for the
/// encoding, field counts for the delimiter, number and date shapes of the cells, header names
/// matched to schema columns by name and by English, German and Japanese synonyms), and every
/// choice the files do not settle is a `#?` comment in the draft. It never invents a value map:
/// enum values and "no value" words it cannot map are listed (`unmappedValues`) for a person.
///
/// It lives in the ledger module because it reads exactly as the ledger reads (the same
/// tokenizer, decoders, workbook reader and cell parsers), so a setting it proposes is one the
/// ledger accepts.
public struct ProfileSuggestion: Sendable {
  /// A table of the draft.
  public struct Table: Sendable {
    public var name: String
    /// One file, or `files:` entries (a glob for files split per period).
    public var file: String?
    public var files: [String]?
    public var sheet: String?
    public var headerRow: Int?
    public var encoding: TextEncoding = .utf8
    public var delimiter = ","
    public var decimalComma = false
    public var thousandsSeparator = ""
    public var dateFormat = "yyyy-MM-dd"
    public var round = false
    /// Export column -> kept values (`where:`).
    public var filter: [(column: String, values: [String])] = []
    /// Schema column -> header, in schema order.
    public var columns: [(column: String, header: String)] = []
    public var units: [(column: String, unit: QuantityUnit)] = []
    /// Schema column -> export value -> schema value (filled only by a person or a test).
    public var values: [String: [String: String]] = [:]
    /// Comments printed above the table's keys: what was read and what could not be decided.
    public var notes: [String] = []
    /// Comments printed after a key (`encoding`, `thousands_separator`, ...).
    public var keyNotes: [String: String] = [:]
  }

  /// A column whose export values the draft cannot map onto the schema's.
  public struct UnmappedValues: Sendable, Hashable {
    public var table: String
    public var column: String
    /// The export's values, in first-seen order.
    public var values: [String]
    /// What the schema allows (enum values), empty for a text column.
    public var allowed: [String]
  }

  public var folder: String
  public var schema: String
  public var tables: [Table] = []
  /// Value maps a person must supply.
  public var unmappedValues: [UnmappedValues] = []
  /// Comments at the top: files no table reads, tables without a file.
  public var notes: [String] = []

  /// Suggests a profile for `folder` against `schema`. Throws only when the folder cannot be
  /// listed; a file that cannot be read is a note in the draft.
  public static func suggest(
    folder: String, schema: LedgerSchema, limits: LedgerReadLimits = .default
  ) throws(LedgerError) -> ProfileSuggestion {
    var st = stat()
    let found = stat(folder, &st) == 0
    guard found, (st.st_mode & S_IFMT) == S_IFDIR else {
      let reason = found ? "not a folder" : String(cString: strerror(errno))
      throw LedgerError(
        Diagnostic(
          .ledgerFolderUnreadable, "cannot open export folder '\(folder)': \(reason)",
          at: .file(folder)))
    }
    var s = ProfileSuggester(folder: folder, schema: schema, limits: limits)
    return s.run()
  }

  /// The draft as profile YAML, every undecided choice a `#?` comment.
  public func yaml(name: String? = nil) -> String {
    var out: [String] = []
    out.append("# Draft mapping profile from `custody profile suggest` for \(folder)")
    out.append("# (schema \(schema)). Lines marked #? are choices the files did not settle:")
    out.append("# check them before relying on a validation.")
    for n in notes { out.append("#? \(n)") }
    for u in unmappedValues {
      let what =
        u.allowed.isEmpty
        ? "a value that may mean 'none'" : "not one of \(u.allowed.joined(separator: ", "))"
      out.append(
        "#? \(u.table).\(u.column): map \(u.values.map { "'\($0)'" }.joined(separator: ", ")) (\(what)) under `values:`"
      )
    }
    let base = (folder as NSString).lastPathComponent
    let fallback = "suggested-" + (base.isEmpty ? "export" : base)
    out.append("profile: " + Self.quoted(name ?? fallback))
    if tables.isEmpty {
      out.append("tables: {}")
      return out.joined(separator: "\n") + "\n"
    }
    out.append("tables:")
    for t in tables {
      out.append("  \(t.name):")
      for n in t.notes { out.append("    # \(n)") }
      func key(_ k: String, _ v: String) {
        let note = t.keyNotes[k].map { "  # \($0)" } ?? ""
        out.append("    \(k): \(v)\(note)")
      }
      if let f = t.file { key("file", Self.quoted(f)) }
      if let fs = t.files { key("files", "[" + fs.map(Self.quoted).joined(separator: ", ") + "]") }
      if let sheet = t.sheet { key("sheet", Self.quoted(sheet)) }
      if let row = t.headerRow { key("header_row", "\(row)") }
      if t.sheet == nil {
        if t.encoding != .utf8 || t.keyNotes["encoding"] != nil {
          key("encoding", t.encoding.rawValue)
        }
        if t.delimiter != "," {
          key("delimiter", Self.quoted(t.delimiter))  // a tab is written "\t"
        }
        if t.decimalComma || t.keyNotes["decimal_comma"] != nil {
          key("decimal_comma", "\(t.decimalComma)")
        }
        if !t.thousandsSeparator.isEmpty || t.keyNotes["thousands_separator"] != nil {
          key(
            "thousands_separator",
            t.thousandsSeparator.isEmpty ? "none" : Self.quoted(t.thousandsSeparator))
        }
      }
      if t.round { key("round", "true") }
      if t.dateFormat != "yyyy-MM-dd" || t.keyNotes["date_format"] != nil {
        key("date_format", t.dateFormat)
      }
      if !t.filter.isEmpty {
        let pairs = t.filter.map {
          "\(Self.quoted($0.column)): [\($0.values.map(Self.quoted).joined(separator: ", "))]"
        }
        key("where", "{\(pairs.joined(separator: ", "))}")
      }
      if !t.columns.isEmpty {
        out.append("    columns:")
        for (column, header) in t.columns {
          let note = t.keyNotes["columns.\(column)"].map { "  # \($0)" } ?? ""
          out.append("      \(column): \(Self.quoted(header))\(note)")
        }
      }
      if !t.units.isEmpty {
        out.append(
          "    units: {\(t.units.map { "\($0.column): \($0.unit.rawValue)" }.joined(separator: ", "))}"
        )
      }
      if !t.values.isEmpty {
        out.append("    values:")
        for (column, map) in t.values.sorted(by: { $0.key < $1.key }) {
          out.append("      \(column):")
          for (from, to) in map.sorted(by: { $0.key < $1.key }) {
            out.append("        \(Self.quoted(from)): \(Self.quoted(to))")
          }
        }
      }
    }
    return out.joined(separator: "\n") + "\n"
  }

  /// A YAML double-quoted scalar.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 0x20 || u.value == 0x7F {
          out += String(format: "\\x%02X", u.value)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}

/// One readable table-like thing in the folder: a CSV file (or a group of files split per
/// period), or a workbook sheet.
struct ExportSource {
  var files: [String]
  var glob: String?
  var sheet: String?
  var headerRow: Int?
  var encoding: TextEncoding = .utf8
  var encodingNote: String?
  var delimiter = ","
  var header: [String]
  /// Cells as text per row (numbers of a workbook as their plain text).
  var rows: [[String]]
  /// Workbook cells holding a number with binary-float noise, by column.
  var noisy: Set<Int> = []
  /// Workbook: columns holding numbers (date serials in a date column).
  var numeric: Set<Int> = []
  var truncated = false

  var display: String {
    (glob ?? files[0]) + (sheet.map { "[\($0)]" } ?? "")
  }
}

struct ProfileSuggester {
  let folder: String
  let schema: LedgerSchema
  let limits: LedgerReadLimits
  /// Rows read per source for the decisions (the golden exports are far below it).
  static let maxRows = 200_000

  init(folder: String, schema: LedgerSchema, limits: LedgerReadLimits) {
    self.folder = folder.hasSuffix("/") ? folder : folder + "/"
    self.schema = schema
    self.limits = limits
  }

  mutating func run() -> ProfileSuggestion {
    var result = ProfileSuggestion(
      folder: String(folder.dropLast()), schema: "\(schema.id) v\(schema.version)")
    let names = ExportFiles.entries(of: folder).filter { name in
      var st = stat()
      let lower = name.lowercased()
      return !name.hasPrefix(".") && !lower.hasSuffix(".yaml") && !lower.hasSuffix(".yml")
        && !lower.hasSuffix(".md") && stat(folder + name, &st) == 0
        && (st.st_mode & S_IFMT) == S_IFREG
    }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }

    // Tables whose own file is there are read as they are (or renamed only).
    var claimed = Set<String>()
    var sources: [ExportSource] = []
    for name in names {
      if FolderLedger.format(of: name) == .jsonl {
        // JSON Lines is UTF-8 and keyed by name: only a table's own file is read without a
        // profile; another one is not guessed at.
        if !schema.tables.contains(where: { Self.stem($0.file) == Self.stem(name) }) {
          result.notes.append(
            "\(name): JSON Lines is not looked into; map it to its table with `file:` and `columns:`"
          )
        }
        continue
      }
      if FolderLedger.isWorkbook(name) {
        do {
          sources += try workbookSources(name)
        } catch {
          result.notes.append("\(name): not read (\(error))")
        }
      } else {
        do {
          sources.append(try csvSource(name))
        } catch {
          result.notes.append("\(name): not read (\(error))")
        }
      }
    }
    sources = groupSplitFiles(sources, names: names)

    var chosen: [(table: TableSchema, source: Int, match: HeaderMatch)] = []
    // Files named as the schema names them belong to their table before any search.
    for table in schema.tables {
      for s in sources where s.sheet == nil && s.files.count == 1 {
        if Self.stem(s.files[0]) == Self.stem(table.file) { claimed.insert(s.files[0]) }
      }
    }
    for table in schema.tables {
      let own = Self.stem(table.file)
      if let i = sources.firstIndex(where: {
        $0.sheet == nil && $0.files.count == 1 && Self.stem($0.files[0]) == own
      }) {
        let match = HeaderMatch(table: table, header: sources[i].header)
        claimed.insert(sources[i].files[0])
        if match.isIdentity && sources[i].encoding == .utf8 && sources[i].delimiter == "," {
          continue  // read as it is: nothing to map
        }
        chosen.append((table, i, match))
        continue
      }
      var best: (Int, HeaderMatch)?
      for (i, source) in sources.enumerated()
      where !(source.sheet == nil && source.files.contains { claimed.contains($0) }) {
        let match = HeaderMatch(table: table, header: source.header)
        guard match.covers else { continue }
        if best == nil || match.matched.count > best!.1.matched.count { best = (i, match) }
      }
      if let (i, match) = best {
        chosen.append((table, i, match))
      } else if !table.optional {
        result.notes.append(
          "no file or sheet matches table '\(table.name)' (columns \(table.columns.filter(\.required).map(\.name).joined(separator: ", ")))"
        )
      }
    }
    for c in chosen where sources[c.source].sheet == nil {
      for f in sources[c.source].files { claimed.insert(f) }
    }
    var used = Set(chosen.map(\.source))
    for (i, s) in sources.enumerated() where claimed.contains(s.files[0]) { used.insert(i) }
    for (i, s) in sources.enumerated() where !used.contains(i) {
      result.notes.append("\(s.display): matches no table of the schema; it is not read")
    }

    // Settings per source (number marks and dates settle per source, then per folder).
    var tables: [ProfileSuggestion.Table] = []
    var numberChoice: [Int: NumberMarks] = [:]
    for c in chosen where numberChoice[c.source] == nil {
      let cols = chosen.filter { $0.source == c.source }.flatMap { choice in
        choice.match.matched.compactMap { column, h in
          if case .decimal = choice.table.column(column)?.type { return h }
          return nil
        }
      }
      numberChoice[c.source] = NumberMarks.infer(
        sources[c.source].rows.lazy.flatMap { row in
          Set(cols).compactMap { $0 < row.count ? row[$0] : nil }
        })
    }
    // An undecided source takes the marks of a decided one written by the same system (same
    // encoding and delimiter), with a note.
    for (i, marks) in numberChoice where !marks.decided {
      if let (j, other) = numberChoice.first(where: {
        $0.value.decided && $0.key != i && sources[$0.key].encoding == sources[i].encoding
          && sources[$0.key].delimiter == sources[i].delimiter
          && sources[$0.key].sheet == sources[i].sheet
      }) {
        var m = other
        m.note =
          "the numbers of this file fit both readings; taken from \(sources[j].display), written by the same system"
        m.undecided = true
        numberChoice[i] = m
      }
    }

    for c in chosen {
      let source = sources[c.source]
      var t = ProfileSuggestion.Table(name: c.table.name)
      if let sheet = source.sheet {
        t.file = source.files[0]
        t.sheet = sheet
        t.headerRow = source.headerRow
      } else if let glob = source.glob {
        t.files = [glob]
        t.notes.append(
          "\(source.files.count) files split by period with one header: \(source.files.joined(separator: ", "))"
        )
      } else {
        t.file = source.files[0]
      }
      t.notes.append(
        "\(source.display): \(source.rows.count) rows\(source.truncated ? " read of more (the rest was not inspected)" : "")"
      )
      t.encoding = source.encoding
      if let n = source.encodingNote { t.keyNotes["encoding"] = n }
      t.delimiter = source.delimiter
      if let marks = numberChoice[c.source] {
        t.decimalComma = marks.decimalComma
        t.thousandsSeparator = marks.grouping
        if let note = marks.note {
          t.keyNotes[marks.undecided ? "thousands_separator" : "decimal_comma"] =
            (marks.undecided ? "? " : "") + note
        }
      }
      t.round = source.sheet != nil && c.match.matched.contains { source.noisy.contains($0.1) }
      if t.round {
        t.keyNotes["round"] =
          "numbers carry binary-float noise (more than 15 significant digits): rounded to each column's scale"
      }
      for (column, h) in c.match.matched where source.header[h] != column || c.match.renamed {
        t.columns.append((column, source.header[h]))
      }
      if !c.match.renamed { t.columns = [] }
      for (column, unit) in c.match.units { t.units.append((column, unit)) }
      for (column, note) in c.match.notes { t.keyNotes["columns.\(column)"] = note }
      // Dates.
      let dateColumns = c.match.matched.filter {
        if case .date = c.table.column($0.0)?.type { return true }
        return false
      }.map(\.1)
      let texts = source.rows.lazy.flatMap { row in
        dateColumns.compactMap { i -> String? in
          guard i < row.count, !row[i].isEmpty, !(source.numeric.contains(i) && source.sheet != nil)
          else { return nil }
          return row[i]
        }
      }
      let (format, dateNote) = DateShapes.infer(Array(texts.prefix(Self.maxRows)))
      t.dateFormat = format
      if let dateNote { t.keyNotes["date_format"] = dateNote }
      tables.append(t)
    }

    // Tables sharing a source: the rows of each are told apart by a column's values.
    for (i, _) in sources.enumerated() {
      let sharing = chosen.enumerated().filter { $0.element.source == i }
      guard sharing.count > 1 else { continue }
      let settings = sharing.map { tableSettings(tables[$0.offset], source: sources[i]) }
      if let (column, kept) = discriminator(
        sources[i], tables: sharing.map { $0.element }, settings: settings)
      {
        for (k, s) in sharing.enumerated() {
          tables[s.offset].filter = [(sources[i].header[column], kept[k])]
          tables[s.offset].notes.append(
            "\(sources[i].display) holds \(sharing.map(\.element.table.name).joined(separator: " and ")): rows told apart by '\(sources[i].header[column])'"
          )
        }
      } else {
        for s in sharing {
          tables[s.offset].notes.append(
            "? \(sources[i].display) matches \(sharing.map(\.element.table.name).joined(separator: " and ")), and no column tells their rows apart: add `where:` by hand"
          )
        }
      }
    }

    // Values the profile cannot know, and cells that still do not read.
    for (k, c) in chosen.enumerated() {
      let source = sources[c.source]
      let settings = tableSettings(tables[k], source: source)
      let kept = rowFilter(tables[k], source: source)
      for (column, h) in c.match.matched {
        guard let schemaColumn = c.table.column(column) else { continue }
        var seen: [String] = []
        var set = Set<String>()
        var failures = 0
        var example: String?
        let reader = ColumnReader(column: schemaColumn, settings: settings)
        for row in source.rows where kept(row) {
          let text = h < row.count ? row[h] : ""
          if case .enumeration(let allowed) = schemaColumn.type {
            if !text.isEmpty, !allowed.contains(text), set.insert(text).inserted {
              seen.append(text)
            }
            continue
          }
          if case .string = schemaColumn.type, !schemaColumn.required,
            ProfileSuggester.noneWords.contains(text.lowercased()), set.insert(text).inserted
          {
            seen.append(text)
            continue
          }
          if source.sheet != nil, source.numeric.contains(h) {
            if case .date = schemaColumn.type { continue }
            // A noisy number is rounded (`round: true`); the ledger reads it, not this check.
            if tables[k].round, source.noisy.contains(h) { continue }
          }
          if case .error = reader.read(text) {
            failures += 1
            if example == nil { example = text }
          }
        }
        if !seen.isEmpty {
          var allowed: [String] = []
          if case .enumeration(let a) = schemaColumn.type { allowed = a }
          result.unmappedValues.append(
            .init(table: c.table.name, column: column, values: seen, allowed: allowed))
        }
        if failures > 0 {
          tables[k].notes.append(
            "? \(failures) cells of '\(source.header[h])' (\(column)) do not read with these settings, e.g. '\(example ?? "")'"
          )
        }
      }
    }
    result.tables = tables
    return result
  }

  static let noneWords: Set<String> = [
    "none", "n/a", "na", "-", "—", "nil", "no", "keine", "kein", "ohne", "nein", "なし", "無し", "無",
    "該当なし", "ー",
  ]

  static func stem(_ file: String) -> String {
    let parts = file.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count > 1 ? parts.dropLast().joined(separator: ".") : file
  }

  /// The reading settings a table of the draft gives, as the ledger would apply them.
  func tableSettings(_ t: ProfileSuggestion.Table, source: ExportSource) -> TableSettings {
    var m = TableMapping()
    for (c, h) in t.columns { m.columns[c] = h }
    for (c, u) in t.units { m.units[c] = u }
    m.values = t.values
    return TableSettings(
      mapping: m, delimiter: t.delimiter,
      decimalComma: source.sheet == nil ? t.decimalComma : false, dateFormat: t.dateFormat,
      encoding: t.encoding, thousandsSeparator: source.sheet == nil ? t.thousandsSeparator : "",
      round: t.round)
  }

  func rowFilter(_ t: ProfileSuggestion.Table, source: ExportSource) -> ([String]) -> Bool {
    let filters = t.filter.compactMap { f in
      source.header.firstIndex(of: f.column).map { ($0, Set(f.values)) }
    }
    return { row in
      filters.allSatisfy { i, values in values.contains(i < row.count ? row[i] : "") }
    }
  }

  /// A column outside every sharing table's mapping whose values split the rows: each value's
  /// rows read without a cell error (enum values aside, which a value map may fix) for exactly
  /// the tables it is assigned to.
  func discriminator(
    _ source: ExportSource, tables: [(table: TableSchema, source: Int, match: HeaderMatch)],
    settings: [TableSettings]
  ) -> (Int, [[String]])? {
    let mapped = Set(tables.flatMap { $0.match.matched.map(\.1) })
    for column in source.header.indices where !mapped.contains(column) {
      var byValue: [String: [[String]]] = [:]
      var order: [String] = []
      for row in source.rows {
        let v = column < row.count ? row[column] : ""
        if byValue[v] == nil { order.append(v) }
        byValue[v, default: []].append(row)
        if byValue.count > 20 { break }
      }
      guard (2...20).contains(byValue.count), !byValue.keys.contains("") else { continue }
      var kept: [[String]] = Array(repeating: [], count: tables.count)
      var fits = true
      for v in order {
        let rows = byValue[v] ?? []
        let readers = tables.enumerated().map { k, t in
          t.table.columns.map { ColumnReader(column: $0, settings: settings[k]) }
        }
        let ok = tables.enumerated().map { k, t in
          rows.allSatisfy { row in
            t.table.columns.enumerated().allSatisfy { c, column in
              guard let h = t.match.index(of: column.name) else { return !column.required }
              if case .enumeration = column.type { return !(h < row.count ? row[h] : "").isEmpty }
              if case .error = readers[k][c].read(h < row.count ? row[h] : "") { return false }
              return true
            }
          }
        }
        if ok.filter({ $0 }).count != 1 {
          fits = false
          break
        }
        kept[ok.firstIndex(of: true)!].append(v)
      }
      if fits, kept.allSatisfy({ !$0.isEmpty }) { return (column, kept) }
    }
    return nil
  }

  // MARK: Reading sources

  func csvSource(_ name: String) throws -> ExportSource {
    let path = folder + name
    let (encoding, note) = try Encodings.detect(path: path)
    var best: (String, Int, Int)?  // delimiter, consistent records, fields
    for d in [",", ";", "\t", "|"] {
      guard
        let tok = try? CSVTokenizer(
          path: path, delimiter: d.utf8.first!, limits: limits, encoding: encoding),
        (try? tok.next()) == true
      else { continue }
      let fields = tok.fieldCount
      guard fields > 1 else { continue }
      var consistent = 0
      var records = 0
      while records < 200, (try? tok.next()) == true {
        records += 1
        if tok.fieldCount == fields { consistent += 1 }
      }
      let score = records == 0 ? 1 : consistent * 100 / records
      if best == nil || score > best!.1 || (score == best!.1 && fields > best!.2) {
        best = (d, score, fields)
      }
    }
    let delimiter = best?.0 ?? ","
    let tok = try CSVTokenizer(
      path: path, delimiter: delimiter.utf8.first!, limits: limits, encoding: encoding)
    guard try tok.next() else {
      throw LedgerError(Diagnostic(.emptyLedgerFile, "\(name) is empty", at: .file(path)))
    }
    let header = (0..<tok.fieldCount).map {
      tok.fieldString($0).trimmingCharacters(in: .whitespaces)
    }
    var rows: [[String]] = []
    var truncated = false
    while try tok.next() {
      if rows.count >= Self.maxRows {
        truncated = true
        break
      }
      rows.append((0..<tok.fieldCount).map { tok.fieldString($0) })
    }
    return ExportSource(
      files: [name], encoding: encoding, encodingNote: note, delimiter: delimiter, header: header,
      rows: rows, truncated: truncated)
  }

  func workbookSources(_ name: String) throws -> [ExportSource] {
    let path = folder + name
    let book = try Workbook(path: path, limits: limits)
    let strings = try book.strings()
    var out: [ExportSource] = []
    for (sheet, part) in book.sheets {
      let file = try book.inflate(part)
      defer { unlink(file) }
      var rows: [(Int, [(column: Int, cell: SheetCell)])] = []
      var truncated = false
      let reader = SheetReader(display: path + "[\(sheet)]", strings: strings, limits: limits) {
        row, cells in
        if rows.count >= Self.maxRows {
          truncated = true
          return false
        }
        if !cells.isEmpty { rows.append((row, cells)) }
        return true
      }
      try FolderLedger.run(reader, file: file, book: book, part: part)
      // The header: the first row, among the first 30, with as many text cells as the widest
      // row below it (a title row above has fewer).
      let widths = rows.prefix(60).map(\.1.count)
      guard let widest = widths.max(), widest > 1,
        let h = rows.prefix(30).firstIndex(where: { r in
          r.1.count == widest && r.1.allSatisfy { if case .text = $0.cell { true } else { false } }
        })
      else { continue }
      let headerCells = rows[h].1
      let first = headerCells.first!.column
      let last = headerCells.last!.column
      var header = Array(repeating: "", count: last - first + 1)
      for (c, cell) in headerCells {
        header[c - first] = FolderLedger.text(of: cell).trimmingCharacters(in: .whitespaces)
      }
      var source = ExportSource(
        files: [name], sheet: sheet, headerRow: rows[h].0, header: header, rows: [],
        truncated: truncated)
      for (_, cells) in rows[(h + 1)...] {
        var row = Array(repeating: "", count: header.count)
        for (c, cell) in cells where c >= first && c <= last {
          row[c - first] = FolderLedger.text(of: cell)
          if case .number(let s) = cell {
            source.numeric.insert(c - first)
            if let plain = SheetNumber.plain(s), SheetNumber.significantDigits(plain) > 15 {
              source.noisy.insert(c - first)
            }
          }
        }
        source.rows.append(row)
      }
      out.append(source)
    }
    return out
  }

  /// Files with one header whose names differ only in digits (`入荷実績_2024.csv`,
  /// `入荷実績_2025.csv`) are one table split by period: a glob with `*` for the digits, kept
  /// only when it matches exactly those files of the folder.
  func groupSplitFiles(_ sources: [ExportSource], names: [String]) -> [ExportSource] {
    var out: [ExportSource] = []
    var done = Set<Int>()
    for (i, s) in sources.enumerated() where !done.contains(i) {
      guard s.sheet == nil else {
        out.append(s)
        continue
      }
      let shape = Self.digitShape(s.files[0])
      let group = sources.indices.filter { j in
        !done.contains(j) && sources[j].sheet == nil && sources[j].header == s.header
          && sources[j].encoding == s.encoding && sources[j].delimiter == s.delimiter
          && Self.digitShape(sources[j].files[0]) == shape
      }
      guard group.count > 1, shape.contains("*") else {
        out.append(s)
        done.insert(i)
        continue
      }
      let files = group.map { sources[$0].files[0] }
      let matched = names.filter { fnmatch(shape, $0, FNM_PERIOD) == 0 }
      guard Set(matched) == Set(files) else {
        out.append(s)
        done.insert(i)
        continue
      }
      var merged = s
      merged.files = files
      merged.glob = shape
      merged.rows = group.flatMap { sources[$0].rows }
      merged.truncated = group.contains { sources[$0].truncated }
      out.append(merged)
      done.formUnion(group)
    }
    return out
  }

  /// The name with each run of digits replaced by `*`.
  static func digitShape(_ name: String) -> String {
    var out = ""
    var inDigits = false
    for ch in name {
      if ch.isASCII && ch.isNumber {
        if !inDigits { out += "*" }
        inDigits = true
      } else {
        out.append(ch)
        inDigits = false
      }
    }
    return out
  }
}
