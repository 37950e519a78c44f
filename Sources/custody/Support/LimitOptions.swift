import ArgumentParser
import CustodyKit

/// Bounds on what custody reads (docs/limits.md). Defaults suit any real standard or ledger;
/// raise them only for files you trust.
struct LimitOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "Largest YAML file read, in bytes.")
  var maxYamlBytes: Int = 8 * 1024 * 1024

  @Option(parsing: .unconditional, help: "Most YAML aliases (*name) in one file.")
  var maxYamlAliases: Int = 1_000

  @Option(parsing: .unconditional, help: "Deepest YAML nesting.")
  var maxYamlDepth: Int = 64

  @Option(parsing: .unconditional, help: "Longest expression, in characters.")
  var maxExpressionLength: Int = 4_000

  @Option(parsing: .unconditional, help: "Deepest expression nesting.")
  var maxExpressionDepth: Int = 64

  @Option(parsing: .unconditional, help: "Largest ledger field, in bytes.")
  var maxFieldBytes: Int = 1 << 20

  @Option(
    parsing: .unconditional, help: "Largest ledger record (CSV record or JSON line), in bytes.")
  var maxRecordBytes: Int = 16 << 20

  @Option(parsing: .unconditional, help: "Most columns in a ledger file's header.")
  var maxColumns: Int = 4096

  func validate() throws {
    for (name, value) in [
      ("--max-yaml-bytes", maxYamlBytes), ("--max-yaml-aliases", maxYamlAliases),
      ("--max-yaml-depth", maxYamlDepth), ("--max-expression-length", maxExpressionLength),
      ("--max-expression-depth", maxExpressionDepth), ("--max-field-bytes", maxFieldBytes),
      ("--max-record-bytes", maxRecordBytes), ("--max-columns", maxColumns),
    ] where value < 1 {
      throw ValidationError("\(name) must be 1 or more")
    }
  }

  var compilerOptions: CompilerOptions {
    var options = CompilerOptions()
    options.yamlLimits.maxBytes = maxYamlBytes
    options.yamlLimits.maxAliases = maxYamlAliases
    options.yamlLimits.maxDepth = maxYamlDepth
    options.maxExpressionLength = maxExpressionLength
    options.maxExpressionDepth = maxExpressionDepth
    return options
  }

  var ledgerLimits: LedgerReadLimits {
    var limits = LedgerReadLimits()
    limits.maxFieldBytes = maxFieldBytes
    limits.maxRecordBytes = maxRecordBytes
    limits.maxColumns = maxColumns
    return limits
  }
}
