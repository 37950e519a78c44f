import CustodyLanguage
import CustodyValues
import Foundation
import Testing

/// The ledger tests read ledgers with `CanonicalSchema.v1`, a Swift mirror of
/// standards/schema/custody-ledger-v1.yaml, so they do not depend on the compiler. This checks
/// the mirror still says what the YAML says: every table's file, key, entry id, validity
/// columns and every column's type, requiredness and minimum.
@Suite struct CanonicalSchemaTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  /// What the tests rely on, without descriptions and source spans.
  static func shape(_ schema: LedgerSchema) -> [String] {
    [schema.id + " v" + schema.version]
      + schema.tables.map { t in
        let columns = t.columns.map { c in
          "\(c.name):\(c.type)\(c.required ? "!" : "")\(c.minimum.map { ">=\($0)" } ?? "")"
        }
        return
          "\(t.name) \(t.file) optional=\(t.optional) key=\(t.key) id=\(t.entryID ?? "-") "
          + "valid=\(t.validFrom ?? "-")..\(t.validTo ?? "-") [\(columns.joined(separator: ", "))]"
      }
  }

  @Test func theSwiftMirrorMatchesTheCompiledYAML() throws {
    let result = Compiler().compileStandard(path: Self.root + "/standards/cu-again-coc.yaml")
    let compiled = try #require(result.standard?.schema, "\(result.diagnostics)")
    let yaml = Self.shape(compiled)
    let mirror = Self.shape(CanonicalSchema.v1)
    #expect(yaml.count == mirror.count)
    for (y, m) in zip(yaml, mirror) { #expect(y == m) }
  }
}
