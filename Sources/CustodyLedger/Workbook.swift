import CustodyDiagnostics
import CustodyValues
import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// An .xlsx workbook (issue 19), read through ZIPFoundation (the zip layer) and FoundationXML's
/// `XMLParser` (a streaming SAX parser over libxml2): neither is hand-written. A sheet's XML is
/// inflated to a temporary file, counting bytes against the limits as it goes (a zip bomb
/// stops there), then parsed from an `InputStream`, so memory holds one row and the shared
/// strings whatever the number of rows.
final class Workbook {
  let path: String
  let limits: LedgerReadLimits
  private let archive: Archive
  /// Sheet name -> part path inside the archive (`xl/worksheets/sheet1.xml`), in book order.
  private(set) var sheets: [(name: String, part: String)] = []
  /// Dates stored as serial numbers count from 1904-01-01 (old Mac workbooks), else 1900.
  private(set) var date1904 = false
  private var sharedStrings: [String]?

  init(path: String, limits: LedgerReadLimits) throws(LedgerError) {
    self.path = path
    self.limits = limits
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      throw LedgerError(
        Diagnostic(
          .workbookStructure,
          "\((path as NSString).lastPathComponent) is not an .xlsx workbook (not a zip archive: \(error))",
          at: .file(path)))
    }
    try readWorkbook()
  }

  var name: String { (path as NSString).lastPathComponent }

  private func fail(_ message: String) -> LedgerError {
    LedgerError(Diagnostic(.workbookStructure, message, at: .file(path)))
  }

  /// xl/workbook.xml (sheet names, date system) and its relationships (where each sheet is).
  private func readWorkbook() throws(LedgerError) {
    let book = try smallPart("xl/workbook.xml")
    let rels = try smallPart("xl/_rels/workbook.xml.rels")
    let b = ElementCollector(names: ["sheet", "workbookPr"])
    try parse(data: book, with: b, part: "xl/workbook.xml")
    let r = ElementCollector(names: ["Relationship"])
    try parse(data: rels, with: r, part: "xl/_rels/workbook.xml.rels")
    var targets: [String: String] = [:]
    for (_, attributes) in r.elements {
      guard let id = attributes["Id"], let target = attributes["Target"] else { continue }
      // Targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml").
      targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
    }
    for (element, attributes) in b.elements {
      if element == "workbookPr" {
        date1904 = attributes["date1904"] == "1" || attributes["date1904"] == "true"
        continue
      }
      let id = attributes["r:id"] ?? attributes.first { $0.key.hasSuffix(":id") }?.value
      guard let name = attributes["name"], let id, let part = targets[id]
      else { continue }
      sheets.append((name, part))
    }
  }

  /// The part of sheet `name`; a missing sheet names the ones the workbook has.
  func part(ofSheet name: String) throws(LedgerError) -> String {
    if let s = sheets.first(where: { $0.name == name }) { return s.part }
    let names = sheets.map(\.name)
    throw LedgerError(
      Diagnostic(
        .workbookStructure,
        "\(self.name) has no sheet '\(name)'; its sheets: \(names.map { "'\($0)'" }.joined(separator: ", "))",
        at: .file(path), suggestions: Suggestions.closest(to: name, in: names)))
  }

  /// The shared strings table (read once; bounded by `maxSharedStringBytes`).
  func strings() throws(LedgerError) -> [String] {
    if let sharedStrings { return sharedStrings }
    var table: [String] = []
    if archive["xl/sharedStrings.xml"] != nil {
      let file = try inflate("xl/sharedStrings.xml")
      defer { unlink(file) }
      let collector = SharedStringCollector(limit: limits.maxSharedStringBytes)
      try parse(file: file, with: collector, part: "xl/sharedStrings.xml")
      if collector.overLimit {
        throw LedgerError(
          Diagnostic(
            .workbookLimit,
            "\(name): the shared strings hold more than \(limits.maxSharedStringBytes) bytes of text",
            at: .file(path)))
      }
      table = collector.strings
    }
    sharedStrings = table
    return table
  }

  private func smallPart(_ part: String) throws(LedgerError) -> Data {
    guard let entry = archive[part] else {
      throw fail("\(name) is not an .xlsx workbook (no \(part))")
    }
    var data = Data()
    let cap = 16 << 20
    do {
      _ = try archive.extract(entry, skipCRC32: true) { chunk in
        data.append(chunk)
        if data.count > cap { throw WorkbookBomb.tooLarge }
      }
    } catch WorkbookBomb.tooLarge {
      throw LedgerError(
        Diagnostic(
          .workbookLimit, "\(name): \(part) inflates past \(cap) bytes", at: .file(path)))
    } catch {
      throw fail("\(name): \(part) cannot be inflated (\(error))")
    }
    return data
  }

  private enum WorkbookBomb: Error { case tooLarge, ratio }

  /// Inflates `part` into a new temporary file (the caller unlinks it). The bytes are counted
  /// as they come, not taken from the zip's headers (which a bomb can fake): past
  /// `maxWorkbookPartBytes`, or past `maxCompressionRatio` times the compressed size once over
  /// 16 MiB, reading stops with CUS6025.
  func inflate(_ part: String) throws(LedgerError) -> String {
    guard let entry = archive[part] else {
      throw fail("\(name) is not an .xlsx workbook (no \(part))")
    }
    let maxBytes = limits.maxWorkbookPartBytes
    if entry.uncompressedSize > UInt64(maxBytes) {
      throw LedgerError(
        Diagnostic(
          .workbookLimit,
          "\(name): \(part) declares \(entry.uncompressedSize) bytes inflated, past the limit of \(maxBytes) (a zip bomb?)",
          at: .file(path)))
    }
    var template = Array((NSTemporaryDirectory() + "/custody-xlsx-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw fail("cannot create a temporary file to read \(part)") }
    let file = String(
      decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    let compressed = max(Int(entry.compressedSize), 1)
    let ratio = limits.maxCompressionRatio
    var total = 0
    do {
      _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { chunk in
        total += chunk.count
        if total > maxBytes { throw WorkbookBomb.tooLarge }
        if total > 16 << 20 && total / compressed > ratio { throw WorkbookBomb.ratio }
        try handle.write(contentsOf: chunk)
      }
      try handle.close()
    } catch WorkbookBomb.tooLarge {
      unlink(file)
      throw LedgerError(
        Diagnostic(
          .workbookLimit,
          "\(name): \(part) inflates past the limit of \(maxBytes) bytes (a zip bomb?)",
          at: .file(path)))
    } catch WorkbookBomb.ratio {
      unlink(file)
      throw LedgerError(
        Diagnostic(
          .workbookLimit,
          "\(name): \(part) inflates more than \(ratio) times its compressed size of \(compressed) bytes (a zip bomb?)",
          at: .file(path)))
    } catch {
      unlink(file)
      throw fail("\(name): \(part) cannot be inflated (\(error))")
    }
    return file
  }

  func parse(data: Data, with delegate: some XMLParserDelegate, part: String) throws(LedgerError) {
    let parser = XMLParser(data: data)
    parser.delegate = delegate
    if !parser.parse() {
      throw fail("\(name): \(part) is not well-formed XML (\(describe(parser)))")
    }
  }

  func parse(file: String, with delegate: some XMLParserDelegate, part: String)
    throws(LedgerError)
  {
    guard let stream = InputStream(fileAtPath: file) else {
      throw fail("cannot read the inflated \(part)")
    }
    let parser = XMLParser(stream: stream)
    parser.delegate = delegate
    if !parser.parse() {
      throw fail("\(name): \(part) is not well-formed XML (\(describe(parser)))")
    }
  }

  private func describe(_ parser: XMLParser) -> String {
    "line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "unknown error")"
  }
}

/// Collects the attributes of the named elements (small parts: workbook.xml, its rels).
final class ElementCollector: NSObject, XMLParserDelegate {
  let names: Set<String>
  var elements: [(String, [String: String])] = []
  init(names: Set<String>) { self.names = names }
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) {
    let local = String(localName(elementName))
    if names.contains(local) { elements.append((local, attributeDict)) }
  }
}

/// xl/sharedStrings.xml: `<si>` items, each the text of its `<t>` runs (phonetic `<rPh>` runs,
/// Japanese readings, are not part of the value).
final class SharedStringCollector: NSObject, XMLParserDelegate {
  let limit: Int
  var strings: [String] = []
  var overLimit = false
  private var bytes = 0
  private var current = ""
  private var inT = false
  private var inPhonetic = false
  init(limit: Int) { self.limit = limit }

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) {
    switch localName(elementName) {
    case "si": current = ""
    case "t": inT = !inPhonetic
    case "rPh": inPhonetic = true
    default: break
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if inT { current += string }
  }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?
  ) {
    switch localName(elementName) {
    case "t": inT = false
    case "rPh": inPhonetic = false
    case "si":
      bytes += current.utf8.count
      if bytes > limit {
        overLimit = true
        parser.abortParsing()
        return
      }
      strings.append(current)
    default: break
    }
  }
}

/// An element's name without its namespace prefix (`x:row` -> `row`).
@inline(__always) func localName(_ name: String) -> Substring {
  guard let colon = name.lastIndex(of: ":") else { return Substring(name) }
  return name[name.index(after: colon)...]
}
