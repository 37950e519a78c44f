import CustodyDiagnostics
import CustodyValues

/// Turns cell text into a typed value per the schema. Shared by the CSV and JSON Lines readers
/// and by inline test rows, so all three read a cell the same way.
public struct CellParser: Sendable {
  /// Result of reading one cell: a value, or an error code and message.
  public enum Outcome: Sendable {
    case value(Value)
    case error(DiagnosticCode, String)
  }

  public var decimalComma: Bool
  public var dateFormat: String
  /// The digit-grouping mark numbers may carry (`113,437`), nil for none.
  public var thousandsSeparator: UInt8?
  public init(
    decimalComma: Bool = false, dateFormat: String = "yyyy-MM-dd", thousandsSeparator: UInt8? = nil
  ) {
    self.decimalComma = decimalComma
    self.dateFormat = dateFormat
    self.thousandsSeparator = thousandsSeparator
  }

  /// `text` without its grouping marks, or nil when they are not every three digits of the
  /// integer part (`1,23,4`, `,123`, `1,234,5` with a decimal comma elsewhere): a wrongly
  /// grouped value is never read as another number. An ungrouped value (`950`, `113437`) is
  /// read as written.
  static func ungrouped(_ text: String, mark: UInt8, decimalMark: UInt8) -> String? {
    let bytes = Array(text.utf8)
    guard bytes.contains(mark) else { return text }
    var start = 0
    if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
      start = 1
    }
    let end = bytes[start...].firstIndex(of: decimalMark) ?? bytes.count
    if bytes[end...].contains(mark) { return nil }  // a mark in the fraction
    var group = 0
    var groups = 0
    var kept: [UInt8] = Array(bytes[..<start])
    for b in bytes[start..<end] {
      if b == mark {
        if group == 0 || (groups == 0 ? group > 3 : group != 3) { return nil }
        groups += 1
        group = 0
      } else {
        group += 1
        kept.append(b)
      }
    }
    if group != 3 { return nil }
    kept += bytes[end...]
    return String(decoding: kept, as: UTF8.self)
  }

  public func parse(_ text: String, as column: ColumnSchema) -> Outcome {
    if text.isEmpty {
      return column.required
        ? .error(.emptyRequiredCell, "required column '\(column.name)' is empty") : .value(.null)
    }
    switch column.type {
    case .string:
      if column.identifier, let problem = Identifier.problem(text) {
        return .error(
          .cellIdentifierInvisible,
          "identifier '\(column.name)' \(problem); ids are compared exactly, so it would not match the id it looks like"
        )
      }
      return .value(.string(text))
    case .decimal(_, let maxScale):
      var plain = text
      if let mark = thousandsSeparator {
        guard
          let u = CellParser.ungrouped(
            text, mark: mark, decimalMark: decimalComma ? UInt8(ascii: ",") : UInt8(ascii: "."))
        else {
          let name = mark == 32 ? "space" : "'\(Character(Unicode.Scalar(mark)))'"
          return .error(
            .notANumber,
            "'\(text)' is not grouped in thousands with \(name) (e.g. 1\(name == "space" ? " " : String(Character(Unicode.Scalar(mark))))234)"
          )
        }
        plain = u
      }
      switch ExactDecimal.parse(plain, decimalComma: decimalComma) {
      case .failure(let error):
        return .error(.notANumber, "'\(text)' is not a decimal number: \(error)")
      case .success(let d):
        if let maxScale, d.scale > maxScale {
          return .error(
            .tooManyDecimals,
            "'\(text)' has \(d.scale) fractional digits; at most \(maxScale) allowed")
        }
        if let minimum = column.minimum, d < minimum {
          return .error(
            .belowMinimum,
            minimum.isZero ? "negative quantity \(text)" : "\(text) is below the minimum \(minimum)"
          )
        }
        return .value(.decimal(d))
      }
    case .integer:
      guard let i = Int64(text) else { return .error(.notAnInteger, "'\(text)' is not an integer") }
      if let minimum = column.minimum, ExactDecimal(Int(i)) < minimum {
        return .error(.belowMinimum, "\(text) is below the minimum \(minimum)")
      }
      return .value(.integer(i))
    case .date:
      guard let d = CivilDate.parse(text, format: dateFormat) else {
        return .error(.badDate, "'\(text)' is not a valid date (\(dateFormat))")
      }
      return .value(.date(d))
    case .boolean:
      switch text {
      case "true": return .value(.bool(true))
      case "false": return .value(.bool(false))
      default: return .error(.badBoolean, "'\(text)' is not a boolean (true or false)")
      }
    case .enumeration(let values):
      guard values.contains(text) else {
        let near = Suggestions.closest(to: text, in: values)
        let hint = near.isEmpty ? "" : "; did you mean '\(near[0])'?"
        return .error(
          .unknownEnumValue,
          "'\(text)' is not one of \(values.joined(separator: ", ")) for '\(column.name)'\(hint)")
      }
      return .value(.string(text))
    case .list(let separator):
      // A schema's separator is normally one character; split on the whole string so an empty
      // or longer separator never traps.
      let items = (separator.isEmpty ? [Substring(text)] : text.split(separator: separator))
        .filter { !$0.isEmpty }
        .map { Value.string(String($0)) }
      return .value(.list(items))
    }
  }
}
