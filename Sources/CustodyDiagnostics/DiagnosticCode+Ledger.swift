// CUS6xxx: ledger structure errors that stop a run (exit 3); emitted by CustodyLedger.
extension DiagnosticCode {
  public static let unknownTable = DiagnosticCode(
    "CUS6001", "a table name is not in the ledger schema",
    fix: "Use a table the schema declares, or add it to the schema.")
  public static let unknownColumn = DiagnosticCode(
    "CUS6002", "a column name is not in the table's schema",
    fix: "Use a column the schema declares, or add it to the schema.")
  public static let missingLedgerFile = DiagnosticCode(
    "CUS6003", "a required ledger file is missing",
    fix:
      "Export the table as `<table>.csv` or `<table>.jsonl` into the ledger folder, or name its file in a mapping profile."
  )
  public static let missingColumn = DiagnosticCode(
    "CUS6004", "a required column is missing from a ledger file's header",
    fix:
      "Add the column to the export, or map the export's column name with a profile's `columns:`.")
  public static let duplicateHeader = DiagnosticCode(
    "CUS6005", "a column name appears twice in a header",
    fix: "Rename or remove one of the columns; custody refuses to guess which one holds the data.")
  public static let emptyLedgerFile = DiagnosticCode(
    "CUS6006", "a ledger file is empty (no header)",
    fix: "Export the table with its header row, even when it has no rows.")
  public static let ledgerNotUTF8 = DiagnosticCode(
    "CUS6007", "a ledger file is not valid UTF-8",
    fix: "Export as UTF-8 (a BOM is fine). The location points at the first invalid byte.")
  public static let unterminatedQuote = DiagnosticCode(
    "CUS6008", "a quoted field is never closed",
    fix:
      "Close the quoted field that opens at the location shown; a quote inside a quoted field is written twice (\"\")."
  )
  public static let strayQuote = DiagnosticCode(
    "CUS6009", "a quote appears inside an unquoted field",
    fix: "Quote the whole field and double the inner quote: \"5\"\" pipe\".")
  public static let textAfterQuote = DiagnosticCode(
    "CUS6010", "text follows the closing quote of a field",
    fix:
      "A quoted field ends at its closing quote; put the delimiter or the line end right after it.")
  public static let fieldTooLarge = DiagnosticCode(
    "CUS6011", "a field is larger than the limit",
    fix:
      "No ledger cell needs this much text; check the export (an unclosed quote?), or raise --max-field-bytes."
  )
  public static let recordTooLarge = DiagnosticCode(
    "CUS6012", "a record is larger than the limit",
    fix:
      "Check the export for a missing line end, or raise --max-record-bytes if the file is trusted."
  )
  public static let tooManyColumns = DiagnosticCode(
    "CUS6013", "a record has more columns than the limit",
    fix:
      "Check the delimiter (a profile's `delimiter:`), or raise --max-columns if the file is trusted."
  )
  public static let nulByte = DiagnosticCode(
    "CUS6014", "a ledger file contains a NUL byte",
    fix: "The file is binary or UTF-16; export it as UTF-8 text.")
  public static let ledgerFileUnreadable = DiagnosticCode(
    "CUS6015", "a ledger file cannot be read",
    fix:
      "Check the path and permissions; a folder, a symlink loop or a broken symlink is not a file.")
  public static let ambiguousLedgerFile = DiagnosticCode(
    "CUS6016", "a table is exported both as CSV and as JSON Lines",
    fix: "Keep one of `<table>.csv` and `<table>.jsonl` in the folder.")
  public static let jsonLinesSyntax = DiagnosticCode(
    "CUS6017", "a JSON Lines line is not one JSON object",
    fix: "Write one JSON object per line: {\"entry_id\": \"R-1\", \"cu_t\": 2.5}.")
  public static let ledgerFolderUnreadable = DiagnosticCode(
    "CUS6018", "the ledger folder cannot be read",
    fix: "Pass a folder that holds the ledger's CSV or JSON Lines files.")
  public static let emptyHeaderName = DiagnosticCode(
    "CUS6019", "a header has an empty column name",
    fix: "Name every column in the header row, or remove the empty column.")
  public static let profileUnknownKey = DiagnosticCode(
    "CUS6020", "a mapping profile has an unknown key",
    fix: "Use the keys docs/ledger.md lists; the message suggests the closest one.")
  public static let profileInvalidValue = DiagnosticCode(
    "CUS6021", "a mapping profile value is not valid",
    fix: "Write the value in the form docs/ledger.md shows for that key.")
  public static let profileUnknownName = DiagnosticCode(
    "CUS6022", "a mapping profile names a table or column the schema does not have",
    fix:
      "Use the schema's table and column names on the left-hand side; the message suggests the closest one."
  )

  static let ledgerCodes: [DiagnosticCode] = [
    unknownTable, unknownColumn, missingLedgerFile, missingColumn, duplicateHeader, emptyLedgerFile,
    ledgerNotUTF8, unterminatedQuote, strayQuote, textAfterQuote, fieldTooLarge, recordTooLarge,
    tooManyColumns, nulByte, ledgerFileUnreadable, ambiguousLedgerFile, jsonLinesSyntax,
    ledgerFolderUnreadable, emptyHeaderName, profileUnknownKey, profileInvalidValue,
    profileUnknownName,
  ]
}
