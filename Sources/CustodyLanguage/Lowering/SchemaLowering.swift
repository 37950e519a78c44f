import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// `schema:` files -> `LedgerSchema`, following `extends:` (tables and columns add to the base).
struct SchemaLowering {
  static let fileKeys = ["schema", "version", "extends", "description", "tables"]
  static let tableKeys = [
    "name", "file", "optional", "key", "entry_id", "valid", "description", "columns",
  ]
  static let columnKeys = [
    "name", "type", "required", "unit", "scale", "min", "values", "separator", "description",
  ]
  static let columnTypes = ["string", "decimal", "integer", "date", "boolean", "enum", "list"]

  /// Loads a file's root node (the compiler's cached loader).
  var load: (String) -> YAMLNode?

  func lower(path: String, bag: inout DiagnosticBag, chain: [String] = []) -> LedgerSchema? {
    guard let root = load(path) else { return nil }
    guard root.mapping?.pairs.first?.key.value == "schema" else {
      bag.report(
        .wrongFileKind, "'\(path)' is not a ledger schema (its first key must be `schema:`)",
        at: root.span)
      return nil
    }
    guard
      let r = MappingReader.open(
        root, what: "ledger schema", allowed: Self.fileKeys, required: ["schema", "tables"],
        bag: &bag)
    else { return nil }
    var base = LedgerSchema(
      id: r.string("schema", bag: &bag) ?? "", version: r.string("version", bag: &bag) ?? "",
      tables: [], span: root.span)
    if let ext = r.scalar("extends", bag: &bag) {
      let target = Paths.resolve(ext.value, relativeTo: path)
      if chain.contains(target) || target == path {
        bag.report(
          .schemaExtendsCycle,
          "schema '\(path)' extends itself through \((chain + [path, target]).joined(separator: " -> "))",
          at: ext.span)
      } else if !Paths.isFile(target) {
        bag.report(
          .fileNotFound, "extended schema '\(ext.value)' not found (looked at \(target))",
          at: ext.span)
      } else if let parent = lower(path: target, bag: &bag, chain: chain + [path]) {
        base.tables = parent.tables
      }
    }
    for node in r.list("tables", bag: &bag) ?? [] {
      guard let table = lowerTable(node, bag: &bag) else { continue }
      if let i = base.tableIndex(table.name) {
        // Extending: new columns add to the base table; the rest of the table is kept.
        for column in table.columns {
          if base.tables[i].column(column.name) != nil {
            bag.report(
              .duplicateID, "column '\(column.name)' is already declared in table '\(table.name)'",
              at: column.span)
          } else {
            base.tables[i].columns.append(column)
          }
        }
        if base.tables[i].span?.file == path {
          bag.report(.duplicateID, "table '\(table.name)' is declared twice", at: table.span)
        }
      } else {
        base.tables.append(table)
      }
    }
    return base
  }

  func lowerTable(_ node: YAMLNode, bag: inout DiagnosticBag) -> TableSchema? {
    guard
      let r = MappingReader.open(
        node, what: "table", allowed: Self.tableKeys, required: ["name", "columns"], bag: &bag),
      let name = r.string("name", bag: &bag)
    else { return nil }
    var columns: [ColumnSchema] = []
    for c in r.list("columns", bag: &bag) ?? [] {
      guard let column = lowerColumn(c, table: name, bag: &bag) else { continue }
      if columns.contains(where: { $0.name == column.name }) {
        bag.report(
          .duplicateID, "column '\(column.name)' is declared twice in table '\(name)'",
          at: column.span)
        continue
      }
      columns.append(column)
    }
    var table = TableSchema(
      name: name, file: r.string("file", bag: &bag) ?? "\(name).csv",
      optional: r.bool("optional", bag: &bag) ?? false, key: [], entryID: nil, columns: columns,
      description: r.string("description", bag: &bag) ?? "", span: node.span)
    let names = columns.map(\.name)
    func column(_ s: YAMLScalar) -> String? {
      guard names.contains(s.value) else {
        bag.report(
          .unknownSchemaColumn, "table '\(name)' has no column '\(s.value)'", at: s.span,
          suggestions: Suggestions.closest(to: s.value, in: names))
        return nil
      }
      return s.value
    }
    table.key = (r.scalars("key", bag: &bag) ?? []).compactMap(column)
    table.entryID = r.scalar("entry_id", bag: &bag).flatMap(column)
    if let valid = r.scalars("valid", bag: &bag) {
      if valid.count != 2 {
        bag.report(
          .wrongValueType, "`valid:` names two columns: [valid_from, valid_to]",
          at: r["valid"]?.span)
      } else {
        table.validFrom = column(valid[0])
        table.validTo = column(valid[1])
      }
    }
    return table
  }

  func lowerColumn(_ node: YAMLNode, table: String, bag: inout DiagnosticBag) -> ColumnSchema? {
    guard
      let r = MappingReader.open(
        node, what: "column", allowed: Self.columnKeys, required: ["name", "type"], bag: &bag),
      let name = r.string("name", bag: &bag),
      let typeName = r.choice("type", Self.columnTypes, bag: &bag)
    else { return nil }
    let type: ColumnType
    switch typeName {
    case "decimal":
      type = .decimal(unit: r.string("unit", bag: &bag), maxScale: r.integer("scale", bag: &bag))
    case "integer": type = .integer
    case "date": type = .date
    case "boolean": type = .boolean
    case "enum":
      guard let values = r.strings("values", bag: &bag), !values.isEmpty else {
        bag.report(.missingKey, "enum column '\(name)' needs `values:`", at: node.span)
        return nil
      }
      type = .enumeration(values)
    case "list": type = .list(separator: r.string("separator", bag: &bag) ?? ";")
    default: type = .string
    }
    for key in ["unit", "scale"] where r.has(key) && typeName != "decimal" {
      bag.report(
        .invalidValue, "`\(key):` applies only to decimal columns",
        at: r.mapping.keyScalar(key)?.span)
    }
    return ColumnSchema(
      name: name, type: type, required: r.bool("required", bag: &bag) ?? false,
      minimum: r.decimal("min", bag: &bag), description: r.string("description", bag: &bag) ?? "",
      span: r.mapping.keyScalar("name").map { _ in node.span })
  }
}
