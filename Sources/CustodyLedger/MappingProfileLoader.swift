import CustodyDiagnostics
import CustodyValues
import CustodyYAML

extension MappingProfile {
  /// Loads a `profile:` YAML file and checks it against `schema`. Problems are reported with
  /// their file:line:column; nil when the profile has errors.
  /// `derived` type-checks and compiles derived columns (`{expr: ...}`); a profile that has
  /// one and is loaded without a compiler is an error.
  public static func load(
    path: String, schema: LedgerSchema, into diagnostics: inout DiagnosticBag,
    limits: YAMLLimits = .default, derived: (any DerivedColumnCompiler)? = nil
  ) -> MappingProfile? {
    let loader = YAMLLoader(limits: limits)
    guard let node = loader.load(path: path, into: &diagnostics) else { return nil }
    return finish(
      build(node, path: path, schema: schema, into: &diagnostics), schema: schema,
      derived: derived, into: &diagnostics)
  }

  /// Loads a profile from text (tests, inline use).
  public static func load(
    text: String, path: String, schema: LedgerSchema, into diagnostics: inout DiagnosticBag,
    derived: (any DerivedColumnCompiler)? = nil
  ) -> MappingProfile? {
    guard let node = YAMLLoader().load(text: text, path: path, into: &diagnostics) else {
      return nil
    }
    return finish(
      build(node, path: path, schema: schema, into: &diagnostics), schema: schema,
      derived: derived, into: &diagnostics)
  }

  private static func finish(
    _ profile: MappingProfile?, schema: LedgerSchema, derived: (any DerivedColumnCompiler)?,
    into bag: inout DiagnosticBag
  ) -> MappingProfile? {
    guard var profile else { return nil }
    let before = bag.errorCount
    profile.compileDerived(schema: schema, compiler: derived, into: &bag)
    return bag.errorCount > before ? nil : profile
  }

  private static let topKeys = [
    "profile", "description", "delimiter", "decimal_comma", "date_format", "tables", "encoding",
    "thousands_separator", "round",
  ]
  private static let tableKeys = [
    "file", "delimiter", "decimal_comma", "date_format", "columns", "units", "constants", "values",
    "files", "encoding", "thousands_separator", "thousands_separators", "where", "sheet",
    "header_row", "round",
  ]

  static func build(
    _ node: YAMLNode, path: String, schema: LedgerSchema, into bag: inout DiagnosticBag
  ) -> MappingProfile? {
    let before = bag.errorCount
    guard let map = node.mapping, let nameNode = map["profile"]?.scalar, map.keys.first == "profile"
    else {
      bag.report(
        .profileInvalidValue, "a profile file starts with `profile: <name>`", at: node.span)
      return nil
    }
    checkKeys(map, allowed: topKeys, into: &bag)
    var profile = MappingProfile(name: nameNode.value, path: path)
    if let d = map["delimiter"] { profile.delimiter = delimiter(d, into: &bag) ?? "," }
    if let d = map["decimal_comma"] { profile.decimalComma = bool(d, into: &bag) ?? false }
    if let d = map["date_format"] { profile.dateFormat = dateFormat(d, into: &bag) ?? "yyyy-MM-dd" }
    if let e = map["encoding"] { profile.encoding = encoding(e, into: &bag) ?? .utf8 }
    if let r = map["round"] { profile.round = bool(r, into: &bag) ?? false }
    if let t = map["thousands_separator"] {
      profile.thousandsSeparator = thousands(t, into: &bag) ?? ""
    }
    checkGrouping(
      profile.thousandsSeparator, decimalComma: profile.decimalComma,
      at: map["thousands_separator"],
      into: &bag)
    if let tablesNode = map["tables"] {
      guard let tables = tablesNode.mapping else {
        bag.report(
          .profileInvalidValue, "`tables` is a mapping of table name to its mapping",
          at: tablesNode.span)
        return nil
      }
      for (key, value) in tables.pairs {
        guard let table = schema.table(key.value) else {
          bag.report(
            .profileUnknownName, "the schema has no table '\(key.value)'", at: key.span,
            suggestions: Suggestions.closest(to: key.value, in: schema.tables.map(\.name)))
          continue
        }
        if let mapping = tableMapping(value, table: table, into: &bag) {
          profile.tables[table.name] = mapping
          let decimalComma = mapping.decimalComma ?? profile.decimalComma
          if let mark = mapping.thousandsSeparator {
            checkGrouping(
              mark, decimalComma: decimalComma, at: value.mapping?["thousands_separator"],
              into: &bag)
          }
          for (column, mark) in mapping.columnThousandsSeparators.sorted(by: { $0.key < $1.key }) {
            checkGrouping(
              mark, decimalComma: decimalComma,
              at: value.mapping?["thousands_separators"]?.mapping?[column], into: &bag)
          }
        }
      }
    }
    return bag.errorCount > before ? nil : profile
  }

  private static func tableMapping(
    _ node: YAMLNode, table: TableSchema, into bag: inout DiagnosticBag
  ) -> TableMapping? {
    guard let map = node.mapping else {
      bag.report(.profileInvalidValue, "a table's mapping is a YAML mapping", at: node.span)
      return nil
    }
    checkKeys(map, allowed: tableKeys, into: &bag)
    var m = TableMapping()
    if let f = map["file"] { m.file = string(f, into: &bag) }
    if let d = map["delimiter"] { m.delimiter = delimiter(d, into: &bag) }
    if let d = map["decimal_comma"] { m.decimalComma = bool(d, into: &bag) }
    if let d = map["date_format"] { m.dateFormat = dateFormat(d, into: &bag) }
    if let e = map["encoding"] { m.encoding = encoding(e, into: &bag) }
    if let r = map["round"] { m.round = bool(r, into: &bag) }
    if let sheet = map["sheet"] { m.sheet = string(sheet, into: &bag) }
    if let h = map["header_row"] {
      if let text = string(h, into: &bag) {
        if let n = Int(text), n >= 1, n <= 1_048_576 {
          m.headerRow = n
        } else {
          bag.report(
            .profileInvalidValue, "`header_row` is a row number from 1 to 1048576", at: h.span)
        }
      }
    }
    if let t = map["thousands_separator"] { m.thousandsSeparator = thousands(t, into: &bag) }
    if let f = map["files"] {
      if map["file"] != nil {
        bag.report(
          .profileInvalidValue, "a table names its `file:` or its `files:`, not both", at: f.span)
      }
      if let list = f.sequence {
        m.files = list.items.compactMap { string($0, into: &bag) }
      } else if let one = string(f, into: &bag) {
        m.files = [one]
      }
      if m.files?.isEmpty == true {
        bag.report(.profileInvalidValue, "`files:` names at least one file or glob", at: f.span)
      }
    }
    if let w = map["where"] {
      if let pairs = w.mapping?.pairs, !pairs.isEmpty {
        for pair in pairs {
          let values =
            pair.value.sequence.map { $0.items.compactMap { string($0, into: &bag) } }
            ?? string(pair.value, into: &bag).map { [$0] } ?? []
          if values.isEmpty {
            bag.report(
              .profileInvalidValue,
              "`where:` lists the values a row must hold in '\(pair.key.value)'",
              at: pair.value.span)
          }
          m.filter[pair.key.value] = values
        }
      } else {
        bag.report(
          .profileInvalidValue,
          "`where:` maps an export column to the values kept: {Bewegungsart: [\"101\", \"102\"]}",
          at: w.span)
      }
    }
    let names = table.columns.map(\.name)
    func columnPairs(_ key: String) -> [(YAMLScalar, YAMLNode)] {
      guard let n = map[key] else { return [] }
      guard let pairs = n.mapping?.pairs else {
        bag.report(.profileInvalidValue, "`\(key)` is a mapping keyed by schema column", at: n.span)
        return []
      }
      return pairs.compactMap { pair in
        guard table.column(pair.key.value) != nil else {
          bag.report(
            .profileUnknownName, "table '\(table.name)' has no column '\(pair.key.value)'",
            at: pair.key.span, suggestions: Suggestions.closest(to: pair.key.value, in: names))
          return nil
        }
        return (pair.key, pair.value)
      }
    }
    for (key, value) in columnPairs("columns") {
      if let spec = value.mapping {
        if let d = derivedColumn(spec, key: key, at: value, table: table, into: &bag) {
          m.derived[key.value] = d
        }
      } else if let s = string(value, into: &bag) {
        m.columns[key.value] = s
      }
    }
    for (key, value) in columnPairs("units") {
      guard let s = string(value, into: &bag) else { continue }
      guard let unit = QuantityUnit(rawValue: s) else {
        bag.report(
          .profileInvalidValue, "unknown unit '\(s)'; use t, kg or lb", at: value.span,
          suggestions: Suggestions.closest(to: s, in: QuantityUnit.allCases.map(\.rawValue)))
        continue
      }
      if case .decimal = table.column(key.value)?.type {
      } else {
        bag.report(
          .profileInvalidValue, "column '\(key.value)' is not a decimal quantity", at: key.span)
        continue
      }
      m.units[key.value] = unit
    }
    for (key, value) in columnPairs("constants") {
      if let s = string(value, into: &bag) { m.constants[key.value] = s }
    }
    for (key, value) in columnPairs("values") {
      guard let pairs = value.mapping?.pairs else {
        bag.report(
          .profileInvalidValue, "`values` of '\(key.value)' maps export values to schema values",
          at: value.span)
        continue
      }
      var valueMap: [String: String] = [:]
      for pair in pairs {
        if let s = string(pair.value, into: &bag) { valueMap[pair.key.value] = s }
      }
      m.values[key.value] = valueMap
    }
    for (key, value) in columnPairs("thousands_separators") {
      guard let mark = thousands(value, into: &bag) else { continue }
      if case .decimal = table.column(key.value)?.type {
      } else {
        bag.report(
          .profileInvalidValue, "column '\(key.value)' is not a decimal quantity", at: key.span)
        continue
      }
      m.columnThousandsSeparators[key.value] = mark
    }
    for (column, d) in m.derived {
      let also = [
        ("units", m.units[column] != nil), ("constants", m.constants[column] != nil),
        ("values", m.values[column] != nil),
        ("thousands_separators", m.columnThousandsSeparators[column] != nil),
      ].filter(\.1).map { "`\($0.0)`" }
      if !also.isEmpty {
        bag.report(
          .derivedColumnInvalid,
          "derived column '\(column)' is computed, so \(also.joined(separator: " and ")) cannot apply to it",
          at: d.expression.span)
      }
    }
    return m
  }

  /// `{expr: "gross_t * cu_pct / 100", round: true}` under `columns:`: a number computed from
  /// the table's other columns. The expression is compiled later (`DerivedColumnCompiler`).
  private static func derivedColumn(
    _ spec: YAMLMapping, key: YAMLScalar, at node: YAMLNode, table: TableSchema,
    into bag: inout DiagnosticBag
  ) -> DerivedColumn? {
    checkKeys(spec, allowed: ["expr", "round"], into: &bag)
    guard let exprNode = spec["expr"] else {
      bag.report(
        .profileInvalidValue,
        "a column mapped to a mapping is derived: `{expr: \"gross_t * cu_pct / 100\"}`",
        at: node.span)
      return nil
    }
    guard let scalar = exprNode.scalar, !scalar.value.isEmpty else {
      bag.report(.profileInvalidValue, "`expr` is an expression in text", at: exprNode.span)
      return nil
    }
    // `round: true` rounds half-even (as a workbook's `round:`), or name the mode: the sample
    // generator and most ERPs round half up.
    var rounding: ExactDecimal.RoundingMode?
    if let r = spec["round"] {
      switch r.scalar?.value {
      case "true": rounding = .halfEven
      case "false": rounding = nil
      case let mode?:
        if let m = ExactDecimal.RoundingMode(rawValue: mode) {
          rounding = m
        } else {
          bag.report(
            .profileInvalidValue,
            "`round` is true, false or a rounding mode: \(ExactDecimal.RoundingMode.allCases.map(\.rawValue).joined(separator: ", "))",
            at: r.span,
            suggestions: Suggestions.closest(
              to: mode, in: ExactDecimal.RoundingMode.allCases.map(\.rawValue)))
        }
      case nil:
        bag.report(.profileInvalidValue, "expected true, false or a rounding mode", at: r.span)
      }
    }
    switch table.column(key.value)?.type {
    case .decimal?, .integer?: break
    default:
      bag.report(
        .derivedColumnInvalid,
        "derived column '\(key.value)' is not a number column; only decimal and integer columns can be computed",
        at: key.span)
      return nil
    }
    return DerivedColumn(column: key.value, expression: scalar, rounding: rounding)
  }

  /// Checks a table's grouping marks against its decimal mark once the profile defaults are known.
  static func checkGrouping(
    _ mark: String, decimalComma: Bool, at node: YAMLNode?, into bag: inout DiagnosticBag
  ) {
    guard let node, !mark.isEmpty else { return }
    if mark == (decimalComma ? "," : ".") {
      bag.report(
        .profileInvalidValue,
        "the thousands separator '\(mark)' is also the decimal mark (decimal_comma: \(decimalComma))",
        at: node.span)
    }
  }

  private static func encoding(_ node: YAMLNode, into bag: inout DiagnosticBag) -> TextEncoding? {
    guard let s = string(node, into: &bag) else { return nil }
    guard let e = TextEncoding(name: s) else {
      bag.report(
        .profileInvalidValue,
        "unknown encoding '\(s)'; use utf-8, cp932 (shift_jis, windows-31j), euc-jp, windows-1252, latin-1 or utf-16",
        at: node.span,
        suggestions: Suggestions.closest(to: s.lowercased(), in: TextEncoding.names.keys.sorted()))
      return nil
    }
    return e
  }

  /// `,` `.` space `'` (also written `apostrophe`, `space`), or `none`.
  private static func thousands(_ node: YAMLNode, into bag: inout DiagnosticBag) -> String? {
    guard let s = string(node, into: &bag) else { return nil }
    switch s {
    case ",", ".", " ", "'": return s
    case "space": return " "
    case "apostrophe": return "'"
    case "none", "": return ""
    default:
      bag.report(
        .profileInvalidValue,
        "a thousands separator is ',', '.', ' ' (space), \"'\" (apostrophe) or none", at: node.span)
      return nil
    }
  }

  private static func checkKeys(
    _ map: YAMLMapping, allowed: [String], into bag: inout DiagnosticBag
  ) {
    for pair in map.pairs where !allowed.contains(pair.key.value) {
      bag.report(
        .profileUnknownKey, "unknown key '\(pair.key.value)' in a mapping profile",
        at: pair.key.span,
        suggestions: Suggestions.closest(to: pair.key.value, in: allowed))
    }
  }

  private static func string(_ node: YAMLNode, into bag: inout DiagnosticBag) -> String? {
    guard let s = node.scalar, !s.isNull || s.style != .plain else {
      bag.report(
        .profileInvalidValue, "expected a text value, found \(node.kindDescription)", at: node.span)
      return nil
    }
    return s.value
  }

  private static func bool(_ node: YAMLNode, into bag: inout DiagnosticBag) -> Bool? {
    switch node.scalar?.value {
    case "true": return true
    case "false": return false
    default:
      bag.report(.profileInvalidValue, "expected true or false", at: node.span)
      return nil
    }
  }

  private static func delimiter(_ node: YAMLNode, into bag: inout DiagnosticBag) -> String? {
    guard let s = string(node, into: &bag) else { return nil }
    let text = s == "\\t" ? "\t" : s
    guard text.utf8.count == 1, let b = text.utf8.first, b != UInt8(ascii: "\""), b != 10, b != 13
    else {
      bag.report(
        .profileInvalidValue,
        "a delimiter is one ASCII character other than a quote or a line end (\"\\t\" for tab)",
        at: node.span)
      return nil
    }
    return text
  }

  private static func dateFormat(_ node: YAMLNode, into bag: inout DiagnosticBag) -> String? {
    guard let s = string(node, into: &bag) else { return nil }
    guard s.contains("yyyy"), s.contains("MM"), s.contains("dd") else {
      bag.report(
        .profileInvalidValue, "a date format uses yyyy, MM and dd with separators, e.g. dd.MM.yyyy",
        at: node.span)
      return nil
    }
    return s
  }
}
