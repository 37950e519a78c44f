// CUS6023-CUS6029: reading what ERP systems export (issue 19): legacy encodings, workbooks.
// Kept apart from DiagnosticCode+Ledger.swift so the ledger's base list stays as it is.
extension DiagnosticCode {
  public static let undecodableBytes = DiagnosticCode(
    "CUS6023", "a ledger file has bytes its declared encoding does not allow",
    fix:
      "Check the profile's `encoding:` (cp932, euc-jp, windows-1252, latin-1, utf-16, utf-8); the location points at the first byte that does not decode."
  )
  public static let workbookStructure = DiagnosticCode(
    "CUS6024", "a workbook cannot be read as the profile describes it",
    fix:
      "Check `sheet:` and `header_row:` against the workbook; a merged header cell must be unmerged."
  )
  public static let workbookLimit = DiagnosticCode(
    "CUS6025", "a workbook exceeds a reading limit (a zip bomb or absurd dimensions)",
    fix: "Check the workbook; docs/ledger.md lists the limits for .xlsx files.")

  public static let derivedColumnInvalid = DiagnosticCode(
    "CUS6026", "a profile's derived column cannot be compiled as written",
    fix:
      "A derived column (`columns: {cu_t: {expr: \"gross_t * cu_pct / 100\"}}`) is a number computed from the table's other, non-derived schema columns; no lookups or parameters."
  )

  static let exportCodes: [DiagnosticCode] = [
    undecodableBytes, workbookStructure, workbookLimit, derivedColumnInvalid,
  ]
}
