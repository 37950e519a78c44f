// CUS7xxx: ledger cell errors, reported as data-integrity findings; emitted by CustodyLedger.
extension DiagnosticCode {
  public static let emptyRequiredCell = DiagnosticCode(
    "CUS7001", "a required cell is empty",
    fix: "Fill the cell in the export; a required column must hold a value on every row.")
  public static let notANumber = DiagnosticCode(
    "CUS7002", "a cell is not a plain decimal number",
    fix:
      "Write the number with digits and one decimal point (no exponent, NaN or infinity); use a mapping profile for a decimal comma."
  )
  public static let tooManyDecimals = DiagnosticCode(
    "CUS7003", "a number has more fractional digits than the column allows",
    fix: "Round in the source system, or raise `scale:` for the column in the ledger schema.")
  public static let belowMinimum = DiagnosticCode(
    "CUS7004", "a number is below the column's minimum (a negative quantity)",
    fix: "Quantities are never negative; book a reversal as its own documented entry instead.")
  public static let notAnInteger = DiagnosticCode(
    "CUS7005", "a cell is not an integer", fix: "Write a whole number without separators.")
  public static let badDate = DiagnosticCode(
    "CUS7006", "a cell is not a valid date",
    fix: "Write dates as YYYY-MM-DD, or declare the export's format in a mapping profile.")
  public static let badBoolean = DiagnosticCode(
    "CUS7007", "a cell is not a boolean",
    fix: "Write true or false, or map other spellings in a profile.")
  public static let unknownEnumValue = DiagnosticCode(
    "CUS7008", "a cell holds a value the column does not allow",
    fix: "Use one of the listed values, or map the export's spelling with a profile's `values:`.")

  public static let fieldCountMismatch = DiagnosticCode(
    "CUS7009", "a row has a different number of fields than the header",
    fix: "Check the row for a missing or extra delimiter; missing cells are read as empty.")
  public static let wrongJSONType = DiagnosticCode(
    "CUS7010", "a JSON Lines value is an object or a list where a cell is expected",
    fix: "Write the cell as a JSON string, number, boolean or null.")
  public static let unitConversion = DiagnosticCode(
    "CUS7011", "a quantity cannot be converted to the column's unit exactly",
    fix:
      "The converted value overflows an exact decimal; check the cell and the profile's `units:`.")
  public static let cellIdentifierInvisible = DiagnosticCode(
    "CUS7012",
    "an identifier cell has leading or trailing spaces, or invisible or format characters (BOM, zero-width space)",
    fix:
      "Clean the id in the source system: ids are compared exactly, so it would not match the id it looks like."
  )
  public static let derivedInputUnreadable = DiagnosticCode(
    "CUS7013", "a derived cell cannot be computed because a cell it reads is unreadable",
    fix: "Fix the input cell named in the message; the derived cell follows it.")
  public static let derivedEvaluation = DiagnosticCode(
    "CUS7014", "a derived cell's expression fails on the row (division by zero, overflow)",
    fix: "Check the row's input cells and the profile's `expr:` for the column.")

  static let cellCodes: [DiagnosticCode] = [
    emptyRequiredCell, notANumber, tooManyDecimals, belowMinimum, notAnInteger, badDate,
    badBoolean, unknownEnumValue, fieldCountMismatch, wrongJSONType, unitConversion,
    cellIdentifierInvisible, derivedInputUnreadable, derivedEvaluation,
  ]
}
