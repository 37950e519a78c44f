import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// Parameter declarations and parameter values written in YAML.
enum ParameterLowering {
  static let typeNames = [
    "integer", "decimal", "string", "boolean", "date", "enum", "list", "duration",
  ]
  static let keys = ["type", "unit", "default", "description", "values", "optional"]

  /// `params:` / `parameters:`: a mapping of name -> {type, unit?, values?, default?, description?}.
  static func declarations(_ mapping: YAMLMapping?, bag: inout DiagnosticBag) -> [ParamDecl] {
    guard let mapping else { return [] }
    var out: [ParamDecl] = []
    for (key, node) in mapping.pairs {
      MappingReader.checkIdentifier(key, what: "parameter name", bag: &bag)
      guard
        let r = MappingReader.open(
          node, what: "parameter '\(key.value)'", allowed: keys, required: ["type"], bag: &bag)
      else { continue }
      guard let typeName = r.choice("type", typeNames, bag: &bag) else { continue }
      let type: ValueType
      switch typeName {
      case "integer": type = .integer
      case "decimal": type = .decimal(unit: r.string("unit", bag: &bag))
      case "string": type = .string
      case "boolean": type = .bool
      case "date": type = .date
      case "enum":
        guard let values = r.strings("values", bag: &bag), !values.isEmpty else {
          bag.report(.missingKey, "enum parameter '\(key.value)' needs `values:`", at: node.span)
          continue
        }
        type = .enumeration(values: values)
      case "list": type = .list(.string)
      default: type = .duration
      }
      if r.has("unit") && typeName != "decimal" {
        bag.report(
          .invalidValue, "`unit:` applies only to decimal parameters",
          at: r.mapping.keyScalar("unit")?.span ?? node.span)
      }
      let optional = r.has("optional") ? (r.bool("optional", bag: &bag) ?? false) : false
      var value: Value?
      var invalid = false
      if let d = r["default"] {
        value = parse(d, as: type, what: "default of '\(key.value)'", bag: &bag)
        if value == nil { invalid = true }
        if value == .null, !optional {
          bag.report(
            .parameterValueType,
            "default of '\(key.value)' is null, but '\(key.value)' is \(type) and not optional",
            at: d.span,
            help:
              "write a value; a null default silently switched checks off. Declare `optional: true` if null is meant"
          )
          value = nil
          invalid = true
        }
      }
      out.append(
        ParamDecl(
          name: key.value, type: type, defaultValue: value,
          description: r.string("description", bag: &bag) ?? "", span: key.span,
          defaultSpan: r["default"]?.span, optional: optional, defaultInvalid: invalid))
    }
    return out
  }

  /// A YAML value as a parameter value of `type`; nil after reporting. A null scalar is `.null`.
  static func parse(_ node: YAMLNode, as type: ValueType, what: String, bag: inout DiagnosticBag)
    -> Value?
  {
    if case .list = type {
      if let s = node.scalar, s.isNull { return .null }
      guard let items = MappingReader.scalarList(node, key: what, bag: &bag) else { return nil }
      return .list(items.map { .string($0.value) })
    }
    guard let s = node.scalar else {
      bag.report(
        .parameterValueType, "\(what) must be a single value, not \(node.kindDescription)",
        at: node.span)
      return nil
    }
    if s.isNull { return .null }
    let text = s.value
    func fail(_ expected: String) -> Value? {
      bag.report(.parameterValueType, "\(what) must be \(expected), not '\(text)'", at: s.span)
      return nil
    }
    switch type {
    case .integer: return Int64(text).map { .integer($0) } ?? fail("a whole number")
    case .decimal: return ExactDecimal(text).map { .decimal($0) } ?? fail("a decimal number")
    case .bool:
      return text == "true" ? .bool(true) : text == "false" ? .bool(false) : fail("true or false")
    case .date: return CivilDate.parseISO(text).map { .date($0) } ?? fail("a YYYY-MM-DD date")
    case .duration:
      return duration(text).map { .duration($0) } ?? fail("a duration like 30d or 12mo")
    case .enumeration(let values):
      guard values.contains(text) else {
        bag.report(
          .parameterValueType,
          "\(what) must be one of \(values.joined(separator: ", ")), not '\(text)'",
          at: s.span, suggestions: Suggestions.closest(to: text, in: values))
        return nil
      }
      return .string(text)
    default: return .string(text)
    }
  }

  static func duration(_ text: String) -> CalendarDuration? {
    if text.hasSuffix("mo"), let n = Int(text.dropLast(2)) { return CalendarDuration(n, .months) }
    if text.hasSuffix("d"), let n = Int(text.dropLast(1)) { return CalendarDuration(n, .days) }
    return nil
  }

  /// Whether a value of type `from` (a standard parameter) may bind a parameter of type `to`.
  static func assignable(_ from: ValueType, to: ValueType) -> Bool {
    if from == to { return true }
    switch (from, to) {
    case (.integer, .decimal): return true
    case (.decimal(let a), .decimal(let b)): return a == nil || b == nil || a == b
    case (.enumeration, .string): return true
    case (.string, .enumeration), (.enumeration, .enumeration): return true
    default: return false
    }
  }
}
