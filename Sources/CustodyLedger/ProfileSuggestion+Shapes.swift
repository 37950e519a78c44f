import CustodyDiagnostics
import CustodyValues
import Foundation

/// How the headers of one source map onto one schema table: exact names first, then the
/// name without punctuation, then English, German and Japanese synonyms; a unit in the header
/// (`Bruttogewicht kg`, `総重量(kg)`, `Cu (%)`) must fit the column and gives `units:`.
struct HeaderMatch {
  /// Schema column -> header index, in schema order.
  var matched: [(String, Int)] = []
  var units: [(String, QuantityUnit)] = []
  var notes: [(String, String)] = []
  var isIdentity = false
  var renamed = false
  var covers = false

  func index(of column: String) -> Int? { matched.first { $0.0 == column }?.1 }

  init(table: TableSchema, header: [String]) {
    let parsed = header.map(HeaderMatch.parse)
    var pairs: [(rank: Int, column: Int, header: Int)] = []
    for (c, column) in table.columns.enumerated() {
      let own = HeaderMatch.normalized(column.name)
      let synonyms = HeaderMatch.synonyms[column.name] ?? []
      for (h, p) in parsed.enumerated() {
        if header[h] == column.name {
          pairs.append((0, c, h))
          continue
        }
        guard HeaderMatch.fits(p.unit, column) else { continue }
        if p.base == own {
          pairs.append((1, c, h))
        } else if let i = synonyms.firstIndex(of: p.base) {
          pairs.append((2 + i, c, h))
        }
      }
    }
    pairs.sort { ($0.rank, $0.column, $0.header) < ($1.rank, $1.column, $1.header) }
    var columnTaken = Set<Int>()
    var headerTaken = Set<Int>()
    var byColumn: [Int: Int] = [:]
    for p in pairs where !columnTaken.contains(p.column) && !headerTaken.contains(p.header) {
      columnTaken.insert(p.column)
      headerTaken.insert(p.header)
      byColumn[p.column] = p.header
    }
    for (c, column) in table.columns.enumerated() {
      guard let h = byColumn[c] else { continue }
      matched.append((column.name, h))
      if header[h] != column.name { renamed = true }
      if case .decimal(let unit, _) = column.type, unit == "t" {
        switch parsed[h].unit {
        case "kg": units.append((column.name, .kg))
        case "lb", "lbs": units.append((column.name, .lb))
        case nil:
          if header[h] != column.name {
            notes.append((column.name, "? the header names no unit: read as t"))
          }
        default: break
        }
      }
    }
    let required = table.columns.enumerated().filter { $0.element.required }.map(\.offset)
    covers =
      required.allSatisfy { byColumn[$0] != nil }
      && byColumn.count * 2 >= table.columns.count
    isIdentity = covers && !renamed && units.isEmpty
  }

  /// A header's name without its unit, and the unit (`kg`, `t`, `lb`, `%`, `kg/t`).
  static func parse(_ header: String) -> (base: String, unit: String?) {
    var s = header.trimmingCharacters(in: .whitespaces).lowercased()
    var unit: String?
    let pairs: [(Character, Character)] = [("(", ")"), ("[", "]"), ("（", "）")]
    if let last = s.last, let (open, _) = pairs.first(where: { $0.1 == last }),
      let start = s.lastIndex(of: open)
    {
      let inner = s[s.index(after: start)..<s.index(before: s.endIndex)]
        .trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "％", with: "%")
      if units.contains(inner) {
        unit = inner
        s = String(s[..<start]).trimmingCharacters(in: .whitespaces)
      }
    } else if s.hasSuffix("%") || s.hasSuffix("％") {
      unit = "%"
      s = String(s.dropLast()).trimmingCharacters(in: .whitespaces)
    } else if let cut = s.lastIndex(where: { $0 == " " || $0 == "_" || $0 == "-" }) {
      let tail = String(s[s.index(after: cut)...])
      if units.contains(tail) {
        unit = tail
        s = String(s[..<cut])
      }
    }
    if unit == "to" { unit = "t" }
    return (normalized(s), unit)
  }

  static let units: Set<String> = ["kg", "t", "to", "lb", "lbs", "%", "kg/t"]

  /// Lowercase letters and digits only, umlauts spelled out (`Geschäftspartner` and
  /// `Geschaeftspartner` meet).
  static func normalized(_ s: String) -> String {
    var out = ""
    for ch in s.lowercased() {
      switch ch {
      case "ä": out += "ae"
      case "ö": out += "oe"
      case "ü": out += "ue"
      case "ß": out += "ss"
      default: if ch.isLetter || ch.isNumber { out.append(ch) }
      }
    }
    return out
  }

  /// Whether a header's unit fits the column.
  static func fits(_ unit: String?, _ column: ColumnSchema) -> Bool {
    guard let unit else { return true }
    guard case .decimal(let u, _) = column.type else { return false }
    switch unit {
    case "%": return u == "%"
    case "kg", "t", "lb", "lbs": return u == "t"
    case "kg/t": return u == nil || u == "kg/t"
    default: return false
    }
  }

  /// Schema column -> names an export gives it (normalized), most specific first. Words that
  /// name several columns (`beleg`, `material`, `geschaeftspartner`) come last, so a more
  /// specific header takes the column first.
  static let synonyms: [String: [String]] = [
    "entry_id": [
      "entry", "entryno", "entrynumber", "id", "materialbeleg", "belegnummer", "belegnr",
      "buchungsnummer", "transactionid", "movementid", "伝票番号", "伝票no", "伝票", "beleg",
    ],
    "date": [
      "datum", "buchungsdatum", "postingdate", "bookingdate", "入荷日", "出荷日", "日付", "計上日",
      "伝票日付",
    ],
    "site": ["werk", "plant", "standort", "拠点", "工場", "事業所"],
    "supplier": [
      "vendor", "lieferant", "kreditor", "仕入先", "供給者", "仕入先コード", "geschaeftspartner",
      "businesspartner",
    ],
    "customer": [
      "kunde", "debitor", "client", "得意先", "顧客", "出荷先", "geschaeftspartner",
      "businesspartner",
    ],
    "material": ["materialkurztext", "materialtext", "品目", "原料", "材料", "material"],
    "product": ["produkt", "製品", "品名", "material", "materialkurztext", "品目"],
    "origin": ["herkunft", "source", "由来区分", "由来", "出所"],
    "pool": ["プール", "topf"],
    "partner": ["pclpartner", "パートナー"],
    "gross_t": [
      "gross", "grossweight", "brutto", "bruttogewicht", "bruttomenge", "総重量", "重量",
    ],
    "cu_pct": [
      "cu", "copper", "coppercontent", "cugehalt", "kupfergehalt", "cuanteil", "grade", "銅品位",
      "品位", "銅含有率",
    ],
    "cu_t": ["cu", "copper", "cumenge", "kupfermenge", "cugewicht", "coppermass", "銅量", "銅重量"],
    "document_id": [
      "document", "documentno", "lieferschein", "zertifikat", "certificate", "deliverynote",
      "送り状番号", "証明書番号", "納品書番号", "beleg",
    ],
    "claim": ["aussage", "claimtext", "主張", "表示"],
    "cfp_kg_per_t": ["cfp", "carbonfootprint", "co2", "co2e", "炭素フットプリント"],
    "name": ["bezeichnung", "名称", "名前"],
    "valid_from": ["gueltigab", "validfrom", "有効開始日", "開始日"],
    "valid_to": ["gueltigbis", "validto", "有効終了日", "終了日"],
  ]
}

/// The decimal and grouping marks of a source's numbers, read off their shapes: a value with
/// both marks shows which is which; a lone mark followed by other than three digits is the
/// decimal mark; a lone mark followed by exactly three digits (`122,948`) fits both readings
/// and decides nothing on its own.
struct NumberMarks {
  var decimalComma = false
  var grouping = ""
  var decided = true
  /// The choice was taken from another source (`undecided`) or the numbers disagree.
  var undecided = false
  var note: String?

  static func infer(_ values: some Sequence<String>) -> NumberMarks {
    var decimal: [Character: Int] = [:]
    var group: [Character: Int] = [:]
    var ambiguous: [Character: String] = [:]
    for raw in values {
      let v = raw.trimmingCharacters(in: .whitespaces)
      guard !v.isEmpty, v.contains(where: \.isNumber),
        v.allSatisfy({ $0.isNumber || ",. '-+".contains($0) })
      else { continue }
      let marks = v.filter { ",.".contains($0) }
      if v.contains(" ") || v.contains("'") {
        group[v.contains(" ") ? " " : "'", default: 0] += 1
      }
      guard let last = marks.last else { continue }
      if Set(marks).count == 2 {
        decimal[last, default: 0] += 1
        group[last == "," ? "." : ",", default: 0] += 1
        continue
      }
      if marks.count > 1 {
        group[last, default: 0] += 1
        continue
      }
      let after = v.split(separator: last, omittingEmptySubsequences: false).last?.count ?? 0
      if after == 3 {
        ambiguous[last] = ambiguous[last] ?? v
      } else {
        decimal[last, default: 0] += 1
      }
    }
    var m = NumberMarks()
    if decimal[","] != nil && decimal["."] != nil {
      m.decimalComma = decimal[",", default: 0] > decimal[".", default: 0]
      m.note =
        "? numbers use both ',' and '.' as the decimal mark; chose the more frequent, \(m.decimalComma ? "','" : "'.'")"
    } else if decimal[","] != nil {
      m.decimalComma = true
    } else if decimal["."] != nil {
      m.decimalComma = false
    } else if let (mark, example) = ambiguous.first {
      // Only `1,234`-shaped numbers: grouping or decimals cannot be told apart here.
      m.decided = false
      m.decimalComma = false
      m.grouping = String(mark)
      m.note =
        "? numbers like '\(example)' read as \(mark) digit grouping or as a decimal \(mark); nothing here tells which: check a value"
      return m
    }
    let decimalMark: Character = m.decimalComma ? "," : "."
    let other: Character = m.decimalComma ? "." : ","
    if group[other] != nil || ambiguous[other] != nil {
      m.grouping = String(other)
    } else if let mark = group.keys.first(where: { $0 != decimalMark }) {
      m.grouping = String(mark)
    }
    return m
  }
}

/// The date format that reads every date cell of a table.
enum DateShapes {
  static let formats = [
    "yyyy-MM-dd", "dd.MM.yyyy", "yyyy/MM/dd", "dd/MM/yyyy", "MM/dd/yyyy", "yyyyMMdd",
    "dd-MM-yyyy", "yyyy.MM.dd",
  ]

  static func infer(_ texts: [String]) -> (String, String?) {
    guard let example = texts.first else { return ("yyyy-MM-dd", nil) }
    let fitting = formats.filter { f in texts.allSatisfy { CivilDate.parse($0, format: f) != nil } }
    guard let first = fitting.first else {
      return (
        "yyyy-MM-dd", "? dates like '\(example)' fit no known format: write the format here"
      )
    }
    if fitting.count > 1 {
      return (
        first,
        "? every date also reads as \(fitting.dropFirst().joined(separator: ", ")): check the day and month order"
      )
    }
    return (first, nil)
  }
}

/// The text encoding of an export file, read off its bytes (no guessing where the bytes
/// disagree: the note says so).
enum Encodings {
  static func detect(path: String) throws(LedgerError) -> (TextEncoding, String?) {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw LedgerError(
        Diagnostic(.ledgerFileUnreadable, "cannot read \(path)", at: .file(path)))
    }
    defer { try? handle.close() }
    let data = (try? handle.read(upToCount: 16 << 20)) ?? Data()
    return detect([UInt8](data))
  }

  static func detect(_ b: [UInt8]) -> (TextEncoding, String?) {
    if b.count >= 2, (b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF) {
      return (.utf16, nil)
    }
    if String(validating: b, as: UTF8.self) != nil { return (.utf8, nil) }
    let cp932 = validCP932(b)
    let euc = validEUCJP(b)
    // Runs of bytes >= 0x80: Japanese text comes in pairs and longer runs, a Western accent
    // (ä in "Primär") mostly alone between ASCII letters.
    var runs: [Int] = []
    var run = 0
    for x in b {
      if x >= 0x80 {
        run += 1
      } else if run > 0 {
        runs.append(run)
        run = 0
      }
    }
    if run > 0 { runs.append(run) }
    let lone = runs.filter { $0 == 1 }.count
    let latin = runs.isEmpty || lone * 2 > runs.count
    if !latin {
      if euc && !cp932 { return (.eucJP, nil) }
      if cp932 && !euc { return (.cp932, nil) }
      if cp932 && euc {
        return (
          .eucJP,
          "? the bytes read as EUC-JP and as cp932 (half-width katakana): check a Japanese header"
        )
      }
    }
    if validWindows1252(b) {
      return (
        .windows1252,
        latin ? nil : "? bytes outside ASCII fit no Japanese encoding; read as windows-1252"
      )
    }
    return (.latin1, "? bytes fit neither UTF-8, cp932, EUC-JP nor windows-1252; read as latin-1")
  }

  static func validCP932(_ b: [UInt8]) -> Bool {
    var i = 0
    while i < b.count {
      let x = b[i]
      if x < 0x80 || (0xA1...0xDF).contains(x) {
        i += 1
      } else if (0x81...0x9F).contains(x) || (0xE0...0xFC).contains(x) {
        guard i + 1 < b.count else { return false }
        let y = b[i + 1]
        guard (0x40...0x7E).contains(y) || (0x80...0xFC).contains(y) else { return false }
        i += 2
      } else {
        return false
      }
    }
    return true
  }

  static func validEUCJP(_ b: [UInt8]) -> Bool {
    var i = 0
    while i < b.count {
      let x = b[i]
      if x < 0x80 {
        i += 1
      } else if x == 0x8E {
        guard i + 1 < b.count, (0xA1...0xDF).contains(b[i + 1]) else { return false }
        i += 2
      } else if x == 0x8F {
        guard i + 2 < b.count, (0xA1...0xFE).contains(b[i + 1]), (0xA1...0xFE).contains(b[i + 2])
        else { return false }
        i += 3
      } else if (0xA1...0xFE).contains(x) {
        guard i + 1 < b.count, (0xA1...0xFE).contains(b[i + 1]) else { return false }
        i += 2
      } else {
        return false
      }
    }
    return true
  }

  static func validWindows1252(_ b: [UInt8]) -> Bool {
    !b.contains { [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) }
  }
}
