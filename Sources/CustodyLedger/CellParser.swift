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
  public init(decimalComma: Bool = false, dateFormat: String = "yyyy-MM-dd") {
    self.decimalComma = decimalComma
    self.dateFormat = dateFormat
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
      switch ExactDecimal.parse(text, decimalComma: decimalComma) {
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
