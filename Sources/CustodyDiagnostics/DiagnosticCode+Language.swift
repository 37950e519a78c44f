// CUS2xxx: the structure of standards, rules, schemas and books; CUS3xxx: expressions.
// Both emitted by CustodyLanguage.
extension DiagnosticCode {
  public static let unknownKey = DiagnosticCode(
    "CUS2001", "unknown key in a mapping",
    fix: "Remove the key or correct its spelling; the message lists the keys this place allows.")
  public static let missingKey = DiagnosticCode(
    "CUS2002", "a required key is missing",
    fix: "Add the key; docs/rule-language.md lists the required keys of every format.")
  public static let wrongValueType = DiagnosticCode(
    "CUS2003", "a value has the wrong type (a list where a mapping belongs, text for a number ...)",
    fix: "Write the value in the shape the key expects, as shown in docs/rule-language.md.")
  public static let unknownFileKind = DiagnosticCode(
    "CUS2004", "a file's first key does not say what it is",
    fix: "Start the file with `schema:`, `standard:`, `rule:` or `book:`.")
  public static let invalidValue = DiagnosticCode(
    "CUS2005", "a value is not one of the allowed values",
    fix: "Use one of the values the message lists (severity, provenance, check kind, mode ...).")
  public static let duplicateID = DiagnosticCode(
    "CUS2006", "an id is defined twice",
    fix:
      "Rename one of them; rule, book, clause, section, table, column and parameter ids are unique."
  )
  public static let unknownRule = DiagnosticCode(
    "CUS2007", "a clause names a rule that is not in the rule library",
    fix: "Correct the rule id, or add the rule's folder to the standard's `rules:`.")
  public static let unknownSchemaTable = DiagnosticCode(
    "CUS2008", "a rule or book names a table the ledger schema does not declare",
    fix: "Use a table of the ledger schema, or declare it in the schema.")
  public static let unknownSchemaColumn = DiagnosticCode(
    "CUS2009", "a column name is not in the table",
    fix: "Use a column the table declares, or add it to the ledger schema.")
  public static let unknownBook = DiagnosticCode(
    "CUS2010", "a mass_balance check names a book that is not in the library",
    fix: "Correct the book id, or add its folder to the standard's `rules:`.")
  public static let unknownParameterBinding = DiagnosticCode(
    "CUS2011", "a `with:` binding names a parameter the rule does not declare",
    fix: "Bind only parameters listed under the rule's `params:`.")
  public static let missingParameter = DiagnosticCode(
    "CUS2012", "a parameter without a default is not bound",
    fix: "Bind it in the clause's `with:`, or give it a default in the rule.")
  public static let parameterValueType = DiagnosticCode(
    "CUS2013", "a parameter value does not match the parameter's type",
    fix:
      "Write a value of the declared type (decimals and dates quoted or plain, lists as YAML lists)."
  )
  public static let unknownStandardParameter = DiagnosticCode(
    "CUS2014", "a binding refers to a standard parameter that does not exist",
    fix: "Declare the parameter under the standard's `parameters:`, or correct the `$name`.")
  public static let fileNotFound = DiagnosticCode(
    "CUS2015", "a referenced file or folder does not exist",
    fix: "Paths are relative to the file that names them; check the spelling.")
  public static let invalidDate = DiagnosticCode(
    "CUS2016", "a date is not a valid YYYY-MM-DD date",
    fix: "Write dates as YYYY-MM-DD (for example 2024-01-31).")
  public static let badMessageTemplate = DiagnosticCode(
    "CUS2017", "a message template has an unbalanced `{` or `}`",
    fix: "Close every `{expression}`; write `{{` and `}}` for literal braces.")
  public static let schemaExtendsCycle = DiagnosticCode(
    "CUS2018", "ledger schemas extend each other in a cycle",
    fix: "Remove one `extends:` so the chain ends.")
  public static let badTestCase = DiagnosticCode(
    "CUS2019", "a test case is malformed",
    fix: "A test has `name`, `given` (rows per table or `ledger:`) and `expect`.")
  public static let wrongFileKind = DiagnosticCode(
    "CUS2020", "a file of the wrong kind was given",
    fix: "`compile` takes a standard; `schema:` must name a ledger schema file.")
  public static let rulesWalkSkipped = DiagnosticCode(
    "CUS2021",
    "a symlink in a rules folder was skipped (it leaves the folder, is dangling, or names a folder already read)",
    fix:
      "Put the rule files inside the rules folder (or name the other folder in `rules:`); remove links to `..`.",
    severity: .warning)
  public static let rulesWalkLimit = DiagnosticCode(
    "CUS2022", "a rules folder holds too many files or folders nested too deep",
    fix: "Name the folders that hold rules in `rules:`; custody reads at most 10,000 YAML files.")
  /// CUS2030 (not the next free number): other branches of this session add CUS2024 onwards.
  public static let percentageTransfers = DiagnosticCode(
    "CUS2030",
    "a mass_balance check in percentage mode uses a book that moves credits (`transfers:`)",
    fix:
      "The percentage method balances shares per account and period and has no credits to move: remove the book's `transfers:` (each account is judged on its own input), or use a credit mode (`continuous`, `period_end`, `expiry`)."
  )
  public static let identifierInvisible = DiagnosticCode(
    "CUS2023",
    "an id has leading or trailing spaces, or invisible or format characters (BOM, zero-width space)",
    fix: "Retype the id: ids are compared character by character, and invisible ones print alike.")
  public static let unknownRequirementParameter = DiagnosticCode(
    "CUS2024", "a requirement text names a parameter the standard does not declare (`{$name}`)",
    fix:
      "Declare the parameter under the standard's `parameters:`, or correct the name; `{$name}` in a requirement prints the parameter's bound value."
  )

  public static let exprSyntax = DiagnosticCode(
    "CUS3001", "expression syntax error",
    fix: "Check the expression at the caret; docs/rule-language.md shows the grammar.")
  public static let unknownField = DiagnosticCode(
    "CUS3002", "an expression names a field that does not exist here",
    fix:
      "Use a column of the checked table (or `ref.`/group names where allowed); see the suggestion."
  )
  public static let typeMismatch = DiagnosticCode(
    "CUS3003", "operand types do not fit the operator or function",
    fix: "Compare like with like: numbers with numbers, text with text, dates with dates.")
  public static let unknownFunction = DiagnosticCode(
    "CUS3004", "unknown function", fix: "Use one of the functions listed in docs/rule-language.md.")
  public static let wrongArity = DiagnosticCode(
    "CUS3005", "a function is called with the wrong number of arguments",
    fix: "Pass the arguments the function's signature lists.")
  public static let unitMismatch = DiagnosticCode(
    "CUS3006", "units do not match (tonnes against percent ...)",
    fix: "Convert first: `gross_t * cu_pct / 100` is tonnes; `+ - <` need equal units.")
  public static let unknownEnumLiteral = DiagnosticCode(
    "CUS3007", "a text literal is not one of the enumeration's values",
    fix: "Use one of the values the ledger schema (or parameter) declares; see the suggestion.")
  public static let expressionTooLong = DiagnosticCode(
    "CUS3008", "an expression is longer than the limit",
    fix: "Split the check into several rules, or simplify the expression.")
  public static let expressionTooDeep = DiagnosticCode(
    "CUS3009", "an expression is nested deeper than the limit",
    fix: "Flatten the expression; no real rule needs this many nested parts.")
  public static let unknownParameter = DiagnosticCode(
    "CUS3010", "`$name` refers to a parameter that is not declared",
    fix: "Declare the parameter under `params:` (rules, books) or `parameters:` (standards).")
  public static let unknownLookupTable = DiagnosticCode(
    "CUS3011", "a lookup names a table the ledger schema does not declare",
    fix: "Look up a table of the ledger schema: `table[key]`.")
  public static let badLookup = DiagnosticCode(
    "CUS3012", "a lookup does not fit the table's key or validity window",
    fix: "Give one value per key column; `@ date` needs a table with `valid:` window columns.")
  public static let aggregateMisplaced = DiagnosticCode(
    "CUS3013", "an aggregation is used where it is not allowed, or missing where it is required",
    fix: "sum/count/min/max/avg belong in an aggregate check's `compute:` and nowhere else.")
  public static let badLiteral = DiagnosticCode(
    "CUS3014", "a literal is malformed (number, date, duration or text)",
    fix: "Numbers are digits with one point, dates date(\"YYYY-MM-DD\"), durations 30d or 12mo.")
  public static let notBoolean = DiagnosticCode(
    "CUS3015", "a condition is not true/false",
    fix: "`where:` and `assert:` need a comparison or another boolean expression.")
  public static let nullOrdering = DiagnosticCode(
    "CUS3016", "null is compared with an ordering or arithmetic operator",
    fix: "Only `== null` and `!= null` test for null; use coalesce(x, default) to supply a value.")
  public static let unknownMember = DiagnosticCode(
    "CUS3017", "`.column` names a column the looked-up table does not have",
    fix: "Use a column of the table; see the suggestion.")

  static let languageCodes: [DiagnosticCode] = [
    unknownKey, missingKey, wrongValueType, unknownFileKind, invalidValue, duplicateID,
    unknownRule, unknownSchemaTable, unknownSchemaColumn, unknownBook, unknownParameterBinding,
    missingParameter, parameterValueType, unknownStandardParameter, fileNotFound, invalidDate,
    badMessageTemplate, schemaExtendsCycle, badTestCase, wrongFileKind, rulesWalkSkipped,
    rulesWalkLimit, identifierInvisible, unknownRequirementParameter,
    percentageTransfers,
    exprSyntax, unknownField, typeMismatch, unknownFunction, wrongArity, unitMismatch,
    unknownEnumLiteral, expressionTooLong, expressionTooDeep, unknownParameter,
    unknownLookupTable, badLookup, aggregateMisplaced, badLiteral, notBoolean, nullOrdering,
    unknownMember,
  ]
}
