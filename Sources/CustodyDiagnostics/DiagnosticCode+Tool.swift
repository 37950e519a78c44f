// CUS9xxx: command line, reports and verification.
// CUS91xx: writing, signing and verifying reports (CustodyReports).
extension DiagnosticCode {
  public static let outputIsInput = DiagnosticCode(
    "CUS9101", "the report output path is one of the input files",
    fix: "Write the report to another path; custody never overwrites a ledger or standard file.")
  public static let reportWriteFailed = DiagnosticCode(
    "CUS9102", "the report could not be written",
    fix: "Check that the output folder exists and is writable, and that the disk is not full.")
  public static let reportUnparseable = DiagnosticCode(
    "CUS9103", "the report is not a readable custody JSON report",
    fix:
      "Verify the JSON report itself (`--format json`), not another format; re-export it if it was edited."
  )
  public static let reportSectionChanged = DiagnosticCode(
    "CUS9104", "a section of the report no longer matches its recorded digest",
    fix: "The report was changed after it was produced; ask its author for the original file.")
  public static let reportSignatureInvalid = DiagnosticCode(
    "CUS9105", "the report's signature does not verify",
    fix:
      "The integrity block or the signature was changed, or the report was signed with another key."
  )
  public static let reportKeyMismatch = DiagnosticCode(
    "CUS9106", "the report was signed with a different key",
    fix: "Use the public key whose id the report's `signature.key_id` names.")
  public static let keyFileInvalid = DiagnosticCode(
    "CUS9107", "a key file cannot be read or is not a custody Ed25519 key",
    fix: "Use a key written by `custody keygen`: a header line, then the base64 key on one line.")
  public static let reportNotSigned = DiagnosticCode(
    "CUS9108", "the report has no integrity block or no signature",
    fix: "Produce the report with `custody validate --sign KEY` to make it verifiable.")
  public static let reportInputChanged = DiagnosticCode(
    "CUS9109", "an input file's sha256 differs from the one recorded in the report",
    fix: "The ledger or standard file changed since the report was produced; re-run validate on it."
  )
  public static let reportInputMissing = DiagnosticCode(
    "CUS9110", "an input file recorded in the report is missing, or a file is not recorded",
    fix: "Point verify at the same ledger folder and standard the report was produced from.")
  public static let reportContentUnexpected = DiagnosticCode(
    "CUS9111", "the report holds fields outside the report schema",
    fix: "The report was edited; fields a signature does not cover must not be added.")
  public static let keyFileExists = DiagnosticCode(
    "CUS9112", "a key file already exists",
    fix: "Choose another --output name, or remove the old key pair first if you mean to replace it."
  )
  public static let reportResultChanged = DiagnosticCode(
    "CUS9113", "re-evaluating the inputs gives a different result than the report records",
    fix: "The rules, the ledger or the tool changed; the report no longer describes these inputs.")
  public static let reportJSONAmbiguous = DiagnosticCode(
    "CUS9114",
    "the report is not strict JSON (a duplicate key, trailing content or a non-canonical number)",
    fix:
      "Different JSON readers would read different reports from it; ask its author for the original file."
  )
  public static let keyFilePermissions = DiagnosticCode(
    "CUS9115", "a private key file can be read or written by other users",
    fix:
      "Restrict it to its owner: `chmod 600 KEYFILE` (custody refuses group or world access, like ssh)."
  )
  public static let outputWriteFailed = DiagnosticCode(
    "CUS9116", "writing to standard output or to the output file failed",
    fix:
      "Check the disk (full?), the pipe (closed early?) or the device; nothing was written in full."
  )
  public static let outputPathUnsupported = DiagnosticCode(
    "CUS9117",
    "the output path is neither a regular file, a new path nor a writable device or pipe",
    fix:
      "Give --output a regular file, a new path in an existing folder, or a device or pipe to stream to."
  )

  public static let previousReportRefused = DiagnosticCode(
    "CUS9118", "the previous period's report cannot be used as the opening balances (--previous)",
    fix:
      "Give the previous period's signed JSON report for the same standard and the public key it was signed with (`custody verify` says what is wrong with it)."
  )

  static let toolCodes: [DiagnosticCode] = [
    outputIsInput, reportWriteFailed, reportUnparseable, reportSectionChanged,
    reportSignatureInvalid, reportKeyMismatch, keyFileInvalid, reportNotSigned,
    reportInputChanged, reportInputMissing, reportContentUnexpected, keyFileExists,
    reportResultChanged, reportJSONAmbiguous, keyFilePermissions, outputWriteFailed,
    outputPathUnsupported, previousReportRefused,
  ]
}
