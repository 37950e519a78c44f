import CustodyDiagnostics
import CustodyValues
import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// One cell of a worksheet as stored.
enum SheetCell: Equatable {
  /// Text: a shared string, an inline string or a formula's string result.
  case text(String)
  /// A number as written in the XML (`45306`, `0.30000000000000004`, `1.5E-3`).
  case number(String)
  case bool(Bool)
  /// An Excel error value (`#DIV/0!`, `#N/A`).
  case excelError(String)
}

/// Excel's own sheet limits (XFD1048576): a cell past them is a corrupt or hostile file.
enum SheetLimits {
  static let rows = 1_048_576
  static let columns = 16_384
}

/// Streams a worksheet's rows (`<sheetData>`) with `XMLParser`: one row in memory at a time.
/// `onRow` gets the row number and its non-empty cells (1-based column, cell) in column order;
/// it returns false to stop. Rows without any non-empty cell are skipped, so trailing empty
/// rows (formatting left behind) are ignored.
final class SheetReader: NSObject, XMLParserDelegate {
  let display: String
  let strings: [String]
  let limits: LedgerReadLimits
  private let onRow: (Int, [(column: Int, cell: SheetCell)]) throws -> Bool
  private(set) var failure: (any Error)?
  private(set) var stopped = false

  private var row = 0
  private var cells: [(column: Int, cell: SheetCell)] = []
  private var column = 0
  private var type = "n"
  private var text = ""
  private var capture = false
  private var inInline = false
  private var inPhonetic = false

  init(
    display: String, strings: [String], limits: LedgerReadLimits,
    onRow: @escaping (Int, [(column: Int, cell: SheetCell)]) throws -> Bool
  ) {
    self.display = display
    self.strings = strings
    self.limits = limits
    self.onRow = onRow
  }

  private func stop(_ error: any Error, _ parser: XMLParser) {
    if failure == nil { failure = error }
    parser.abortParsing()
  }

  private func structural(_ code: DiagnosticCode, _ message: String, row: Int, column: Int)
    -> LedgerError
  {
    LedgerError(
      Diagnostic(
        code, message,
        at: SourceSpan(SourceLocation(file: display, line: max(row, 1), column: max(column, 1)))))
  }

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) {
    if failure != nil || stopped { return }
    switch localName(elementName) {
    case "row":
      let number = attributeDict["r"].flatMap { Int($0) } ?? row + 1
      if number <= row {
        stop(
          structural(
            .workbookStructure, "row \(number) comes after row \(row); rows must be in order",
            row: number, column: 1), parser)
        return
      }
      if number > SheetLimits.rows {
        stop(
          structural(
            .workbookLimit, "row \(number) is past Excel's last row \(SheetLimits.rows)",
            row: number, column: 1), parser)
        return
      }
      row = number
      cells.removeAll(keepingCapacity: true)
      column = 0
    case "c":
      let next = attributeDict["r"].flatMap(SheetReader.column(ofReference:)) ?? column + 1
      if next > SheetLimits.columns || next > limits.maxColumns {
        let limit = min(SheetLimits.columns, limits.maxColumns)
        stop(
          structural(
            next > limits.maxColumns ? .tooManyColumns : .workbookLimit,
            "cell \(attributeDict["r"] ?? "#\(next)") is past the column limit of \(limit)",
            row: row, column: next), parser)
        return
      }
      column = next
      type = attributeDict["t"] ?? "n"
      text = ""
      capture = false
    case "v": capture = true
    case "is": inInline = true
    case "t": capture = inInline && !inPhonetic
    case "rPh": inPhonetic = true
    default: break
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    guard capture else { return }
    text += string
    if text.utf8.count > limits.maxFieldBytes {
      stop(
        structural(
          .fieldTooLarge, "cell holds more than \(limits.maxFieldBytes) bytes", row: row,
          column: column), parser)
    }
  }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?
  ) {
    if failure != nil || stopped { return }
    switch localName(elementName) {
    case "v", "t": capture = false
    case "is": inInline = false
    case "rPh": inPhonetic = false
    case "c":
      let cell: SheetCell?
      switch type {
      case "s":
        guard let i = Int(text), i >= 0, i < strings.count else {
          stop(
            structural(
              .workbookStructure,
              "cell refers to shared string \(text), but the workbook has \(strings.count)",
              row: row, column: column), parser)
          return
        }
        cell = strings[i].isEmpty ? nil : .text(strings[i])
      case "inlineStr", "str", "d": cell = text.isEmpty ? nil : .text(text)
      case "b": cell = text.isEmpty ? nil : .bool(text == "1" || text == "true")
      case "e": cell = .excelError(text)
      default: cell = text.isEmpty ? nil : .number(text)
      }
      if let cell { cells.append((column, cell)) }
    case "row":
      if cells.isEmpty { return }
      do {
        if try !onRow(row, cells) {
          stopped = true
          parser.abortParsing()
        }
      } catch {
        stop(error, parser)
      }
    default: break
    }
  }

  /// 1-based column of a cell reference (`E12` -> 5, `AA3` -> 27); nil when malformed.
  static func column(ofReference ref: String) -> Int? {
    var n = 0
    var letters = 0
    for u in ref.utf8 {
      if u >= 65 && u <= 90 {
        n = n * 26 + Int(u - 64)
        letters += 1
        if letters > 3 { return nil }
      } else {
        break
      }
    }
    return letters == 0 ? nil : n
  }

  /// Column letters of a 1-based column (5 -> E).
  static func letters(_ column: Int) -> String {
    var n = column
    var out: [Character] = []
    while n > 0 {
      let r = (n - 1) % 26
      out.insert(Character(Unicode.Scalar(UInt8(65 + r))), at: 0)
      n = (n - 1) / 26
    }
    return String(out)
  }
}

/// Reading Excel's numbers exactly: from the XML text, never through a Double.
enum SheetNumber {
  /// `1.5E-3` -> `0.0015`, `12E2` -> `1200`; plain text as it is; nil when not a number.
  static func plain(_ s: String) -> String? {
    var text = Substring(s)
    var sign = ""
    if text.first == "-" {
      sign = "-"
      text = text.dropFirst()
    }
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "E" || $0 == "e" }) {
      guard let x = Int(text[text.index(after: e)...]), abs(x) < 400 else { return nil }
      exponent = x
      text = text[..<e]
    }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let intPart = parts.first,
      (intPart + (parts.count == 2 ? parts[1] : "")).allSatisfy({ $0.isASCII && $0.isNumber }),
      !(intPart.isEmpty && (parts.count < 2 || parts[1].isEmpty))
    else { return nil }
    var digits = Array(intPart + (parts.count == 2 ? parts[1] : ""))
    var point = intPart.count + exponent
    if point < 0 {
      digits.insert(contentsOf: Array(repeating: "0", count: -point), at: 0)
      point = 0
    }
    if point > digits.count { digits += Array(repeating: "0", count: point - digits.count) }
    var whole = String(digits[..<point])
    var fraction = String(digits[point...])
    while whole.count > 1 && whole.first == "0" { whole.removeFirst() }
    if whole.isEmpty { whole = "0" }
    while fraction.last == "0" { fraction.removeLast() }
    return sign + whole + (fraction.isEmpty ? "" : "." + fraction)
  }

  /// Significant digits of a plain number (`0.30000000000000004` has 17). A double carries
  /// 15 to 17; Excel shows 15. More than 15 is binary-float noise from a calculation.
  static func significantDigits(_ plain: String) -> Int {
    let digits = plain.filter { $0.isNumber }.drop { $0 == "0" }
    var s = String(digits)
    if plain.contains(".") {
      return s.count
    }
    while s.last == "0" { s.removeLast() }
    return s.count
  }

  /// A date from an Excel serial number: whole days since 1899-12-30 (the 1900 system, with
  /// its phantom 1900-02-29 = 60 refused) or since 1904-01-01.
  static func date(serial: String, date1904: Bool) -> CivilDate? {
    guard let plain = plain(serial) else { return nil }
    let parts = plain.split(separator: ".")
    guard parts.count == 1, let n = Int(parts[0]), n >= 0, n < 3_000_000 else { return nil }
    if date1904 {
      return CivilDate(year: 1904, month: 1, day: 1)?.addingDays(n)
    }
    if n == 0 || n == 60 { return nil }
    if n < 60 { return CivilDate(year: 1899, month: 12, day: 31)?.addingDays(n) }
    return CivilDate(year: 1899, month: 12, day: 30)?.addingDays(n)
  }
}
