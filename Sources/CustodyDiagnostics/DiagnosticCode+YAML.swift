// CUS1xxx: reading YAML files. Emitted by CustodyYAML.
extension DiagnosticCode {
  public static let fileUnreadable = DiagnosticCode(
    "CUS1001", "file cannot be read",
    fix: "Check the path and the file's permissions; a folder or a broken symlink is not a file.")
  public static let invalidUTF8 = DiagnosticCode(
    "CUS1002", "file is not valid UTF-8",
    fix: "Save the file as UTF-8. The location points at the first invalid byte.")
  public static let yamlSyntax = DiagnosticCode(
    "CUS1003", "YAML syntax error",
    fix: "Fix the YAML at the location shown; libyaml's own message says what it expected.")
  public static let emptyFile = DiagnosticCode(
    "CUS1004", "file is empty",
    fix: "A standard, rule, schema or profile file must hold one YAML mapping.")
  public static let duplicateKey = DiagnosticCode(
    "CUS1005", "duplicate key in a mapping",
    fix: "Remove or rename one of the keys; YAML keeps only one and custody refuses to guess which."
  )
  public static let aliasLimit = DiagnosticCode(
    "CUS1006", "too many YAML aliases",
    fix: "Write the values out, or raise the limit with --max-yaml-aliases if the file is trusted.")
  public static let aliasExpansionLimit = DiagnosticCode(
    "CUS1007", "YAML aliases expand to too many nodes (alias bomb)",
    fix: "Aliases that refer to aliases multiply; write the values out instead.")
  public static let nestingLimit = DiagnosticCode(
    "CUS1008", "YAML nesting is too deep",
    fix: "Flatten the structure; no custody format needs more than a few levels.")
  public static let tabIndentation = DiagnosticCode(
    "CUS1009", "tab character used for indentation",
    fix: "YAML forbids tabs in indentation; indent with spaces.")
  public static let fileTooLarge = DiagnosticCode(
    "CUS1010", "YAML file is larger than the limit",
    fix: "Split the file, or raise --max-yaml-bytes if it is trusted.")
  public static let multipleDocuments = DiagnosticCode(
    "CUS1011", "more than one YAML document in a file",
    fix: "Put each standard, rule, schema or profile in its own file.")
  public static let undefinedAlias = DiagnosticCode(
    "CUS1012", "alias refers to an anchor that is not defined before it",
    fix: "Define the anchor (&name) before using the alias (*name).")
  public static let complexKey = DiagnosticCode(
    "CUS1013", "mapping key is not a plain scalar",
    fix: "Use a plain string as the key.")
  public static let unsupportedTag = DiagnosticCode(
    "CUS1014", "YAML tag is not supported",
    fix:
      "Remove the tag; only !!str, !!int, !!bool, !!null, !!map and !!seq are accepted, where they agree with the untagged value (no !!float: numbers are exact decimals)."
  )

  static let yamlCodes: [DiagnosticCode] = [
    fileUnreadable, invalidUTF8, yamlSyntax, emptyFile, duplicateKey, aliasLimit,
    aliasExpansionLimit, nestingLimit, tabIndentation, fileTooLarge, multipleDocuments,
    undefinedAlias, complexKey, unsupportedTag,
  ]
}
