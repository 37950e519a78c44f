import CustodyDiagnostics
import CustodyValues

/// Reads the cells of one schema column. Well-formed canonical cells take byte-level fast
/// paths (decimals, ISO dates, enumeration values, short strings); anything else goes through
/// `CellParser`, so every error message is the one inline test rows give too.
final class ColumnReader {
  let column: ColumnSchema
  let parser: CellParser
  /// Export value -> schema value, applied before parsing.
  let valueMap: [String: String]?
  /// Tonnes per source unit when the profile converts this column.
  let factor: ExactDecimal?

  private enum Fast {
    case string
    case decimal(maxScale: Int?, minimum: ExactDecimal?)
    case isoDate
    case enumeration
    case none
  }
  private let fast: Fast
  /// An enumeration's values and their bytes (a stored property: binding them out of `fast`
  /// retained the list once per cell).
  private let choices: [(bytes: [UInt8], value: Value)]
  // One reading thread per reader, no re-entrant access: no run-time exclusivity check per cell.
  @exclusivity(unchecked) private var interner = StringInterner()
  /// The last ISO date read and its ten bytes: ledgers list many rows per day, so most date
  /// cells repeat the one above (parsing and validating one cost ~300 instructions).
  @exclusivity(unchecked) private var lastDate: (head: UInt64, tail: UInt16, date: CivilDate)?
  /// An empty cell is null without parsing: the column is optional and no value map applies.
  private let emptyIsNull: Bool

  init(column: ColumnSchema, settings: TableSettings) {
    self.column = column
    self.parser = CellParser(
      decimalComma: settings.decimalComma, dateFormat: settings.dateFormat,
      thousandsSeparator: settings.thousands(for: column.name))
    let map = settings.mapping.values[column.name]
    self.valueMap = map
    let unit = settings.mapping.units[column.name]
    self.factor = unit.flatMap { $0 == .t ? nil : $0.tonnes }
    self.emptyIsNull = !column.required && map == nil
    choices =
      if case .enumeration(let values) = column.type {
        values.map { (Array($0.utf8), Value.string($0)) }
      } else { [] }
    if map != nil || factor != nil {
      fast = .none
      return
    }
    switch column.type {
    case .string: fast = .string
    case .decimal(_, let maxScale): fast = .decimal(maxScale: maxScale, minimum: column.minimum)
    case .date: fast = settings.dateFormat == "yyyy-MM-dd" ? .isoDate : .none
    case .enumeration: fast = .enumeration
    default: fast = .none
    }
  }

  /// The value of a cell given as UTF-8 bytes (already validated).
  @inline(__always)
  func read(_ bytes: UnsafeBufferPointer<UInt8>) -> CellParser.Outcome {
    if bytes.count > 0 {
      switch fast {
      case .string:
        // Identifier cells that are not plain printable ASCII take the slow path, which
        // checks them for outer spaces and invisible characters (issue 22, item 11).
        if !column.identifier || ColumnReader.plainIdentifier(bytes) {
          return .value(interner.value(bytes))
        }
      case .decimal(let maxScale, let minimum):
        if let d = ColumnReader.plainDecimal(bytes, separator: parser.decimalComma ? 44 : 46)
          ?? ExactDecimal.parse(bytes: bytes, decimalComma: parser.decimalComma).success,
          maxScale.map({ d.scale <= $0 }) ?? true,
          minimum.map({ $0.isZero ? d.mantissa >= 0 : !(d < $0) }) ?? true
        {
          return .value(.decimal(d))
        }
      case .isoDate:
        if bytes.count == 10 {
          let raw = UnsafeRawBufferPointer(bytes)
          let head = raw.loadUnaligned(as: UInt64.self)
          let tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
          if let last = lastDate, last.head == head, last.tail == tail {
            return .value(.date(last.date))
          }
          if let d = CivilDate.parseISO(bytes: bytes) {
            lastDate = (head, tail, d)
            return .value(.date(d))
          }
        }
      case .enumeration:
        let found = choices.withUnsafeBufferPointer { choices -> Value? in
          for candidate in choices where candidate.bytes.count == bytes.count {
            if candidate.bytes.withUnsafeBufferPointer({ memEqual($0, bytes) }) {
              return candidate.value
            }
          }
          return nil
        }
        if let found { return .value(found) }
      case .none: break
      }
    } else if emptyIsNull {
      return .value(.null)
    }
    return read(String(decoding: bytes, as: UTF8.self))
  }

  /// Printable ASCII without a leading or trailing space: an identifier needing no check.
  @inline(__always)
  static func plainIdentifier(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = b.first, let last = b.last, first != 0x20, last != 0x20 else { return false }
    for c in b where c < 0x20 || c > 0x7E { return false }
    return true
  }

  /// The value of a cell given as text (slow path, JSON Lines, constants).
  func read(_ raw: String) -> CellParser.Outcome {
    let text = valueMap?[raw] ?? raw
    guard let factor, !text.isEmpty else { return parser.parse(text, as: column) }
    // A unit conversion: parse as written (no scale limit: the scale applies to tonnes as
    // written), multiply exactly, then check the minimum.
    var unscaled = column
    if case .decimal(let unit, _) = column.type {
      unscaled.type = .decimal(unit: unit, maxScale: nil)
    }
    unscaled.minimum = nil
    switch parser.parse(text, as: unscaled) {
    case .error(let code, let message): return .error(code, message)
    case .value(let v):
      guard let d = v.asDecimal else { return .value(v) }
      guard let t = try? d.multiplied(by: factor) else {
        return .error(.unitConversion, "'\(text)' x \(factor) t overflows an exact decimal")
      }
      if let minimum = column.minimum, t < minimum {
        return .error(
          .belowMinimum,
          minimum.isZero ? "negative quantity \(text)" : "\(text) is below the minimum \(minimum)")
      }
      return .value(.decimal(t))
    }
  }
}

extension ColumnReader {
  /// The common case `digits[.digits]` with at most 18 digits, accumulated in 64 bits (cheaper
  /// than 128-bit steps); anything else (a sign, more digits, errors) is left to
  /// `ExactDecimal.parse`.
  @inline(__always)
  static func plainDecimal(_ b: UnsafeBufferPointer<UInt8>, separator: UInt8) -> ExactDecimal? {
    let n = b.count
    if n == 0 || n > 19 { return nil }
    var v: UInt64 = 0
    var scale = 0
    var point = -1
    var i = 0
    while i < n {
      let c = b[i]
      if c &- 48 < 10 {
        v = v &* 10 &+ UInt64(c &- 48)
      } else if c == separator && point < 0 && i > 0 && i < n - 1 {
        point = i
      } else {
        return nil
      }
      i += 1
    }
    if point >= 0 {
      scale = n - 1 - point
      if n - 1 > 18 { return nil }
    } else if n > 18 {
      return nil
    }
    return ExactDecimal(mantissa: Int128(v), scale: scale)
  }
}

extension Result {
  fileprivate var success: Success? { if case .success(let s) = self { s } else { nil } }
}

@inline(__always)
private func memEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
  if a.count != b.count { return false }
  var i = 0
  while i < a.count {
    if a[i] != b[i] { return false }
    i += 1
  }
  return true
}
