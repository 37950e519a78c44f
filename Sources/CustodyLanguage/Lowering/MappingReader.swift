import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// Reads one YAML mapping strictly: unknown keys are errors with a did-you-mean, required keys
/// must be present, and each accessor reports a value of the wrong shape at the value.
struct MappingReader {
  let mapping: YAMLMapping
  /// What the mapping is, for messages ("rule", "column", "check of kind row").
  let what: String

  /// Checks keys; returns nil (after reporting) when `node` is not a mapping.
  static func open(
    _ node: YAMLNode, what: String, allowed: [String], required: [String],
    bag: inout DiagnosticBag
  ) -> MappingReader? {
    guard let mapping = node.mapping else {
      bag.report(
        .wrongValueType, "\(what) must be a mapping, not \(node.kindDescription)", at: node.span)
      return nil
    }
    for (key, _) in mapping.pairs where !allowed.contains(key.value) {
      bag.report(
        .unknownKey, "unknown key '\(key.value)' in \(what)", at: key.span,
        suggestions: Suggestions.closest(to: key.value, in: allowed),
        help: "allowed keys: \(allowed.joined(separator: ", "))")
    }
    for key in required where mapping[key] == nil {
      bag.report(.missingKey, "\(what) is missing required key '\(key)'", at: mapping.span)
    }
    for (key, value) in mapping.pairs where idKeys.contains(key.value) {
      if let s = value.scalar {
        checkIdentifier(s, what: "the \(key.value) id of \(what)", bag: &bag)
      }
    }
    return MappingReader(mapping: mapping, what: what)
  }

  /// Keys whose value is an id (clause, section, reference, rule, book, standard ids, and rule
  /// names in clauses).
  static let idKeys: Set<String> = ["id", "rule", "book", "standard"]

  /// Reports an id with outer spaces or invisible characters (`"CUA-4.3 "` printed like
  /// CUA-4.3 beside the real one; issue 22, item 11).
  static func checkIdentifier(_ s: YAMLScalar, what: String, bag: inout DiagnosticBag) {
    guard let problem = Identifier.problem(s.value) else { return }
    bag.report(
      .identifierInvisible, "\(what) '\(s.value)' \(problem)", at: s.span,
      help: "ids are compared exactly and printed as they are; retype it")
  }

  subscript(key: String) -> YAMLNode? { mapping[key] }
  func has(_ key: String) -> Bool { mapping[key] != nil }

  /// A non-null scalar, or nil (reporting when present but not a scalar).
  func scalar(_ key: String, bag: inout DiagnosticBag) -> YAMLScalar? {
    guard let node = mapping[key] else { return nil }
    guard let s = node.scalar else {
      bag.report(
        .wrongValueType, "'\(key)' in \(what) must be a single value, not \(node.kindDescription)",
        at: node.span)
      return nil
    }
    return s.isNull ? nil : s
  }

  func string(_ key: String, bag: inout DiagnosticBag) -> String? { scalar(key, bag: &bag)?.value }

  func bool(_ key: String, bag: inout DiagnosticBag) -> Bool? {
    guard let s = scalar(key, bag: &bag) else { return nil }
    switch s.value {
    case "true": return true
    case "false": return false
    default:
      bag.report(.wrongValueType, "'\(key)' must be true or false, not '\(s.value)'", at: s.span)
      return nil
    }
  }

  func integer(_ key: String, bag: inout DiagnosticBag) -> Int? {
    guard let s = scalar(key, bag: &bag) else { return nil }
    guard let i = Int(s.value) else {
      bag.report(.wrongValueType, "'\(key)' must be a whole number, not '\(s.value)'", at: s.span)
      return nil
    }
    return i
  }

  func decimal(_ key: String, bag: inout DiagnosticBag) -> ExactDecimal? {
    guard let s = scalar(key, bag: &bag) else { return nil }
    guard let d = ExactDecimal(s.value) else {
      bag.report(.wrongValueType, "'\(key)' must be a decimal number, not '\(s.value)'", at: s.span)
      return nil
    }
    return d
  }

  func date(_ key: String, bag: inout DiagnosticBag) -> CivilDate? {
    guard let s = scalar(key, bag: &bag) else { return nil }
    guard let d = CivilDate.parseISO(s.value) else {
      bag.report(.invalidDate, "'\(key)' is not a valid YYYY-MM-DD date: '\(s.value)'", at: s.span)
      return nil
    }
    return d
  }

  /// One of `values`, reported with a suggestion otherwise.
  func choice(_ key: String, _ values: [String], bag: inout DiagnosticBag) -> String? {
    guard let s = scalar(key, bag: &bag) else { return nil }
    guard values.contains(s.value) else {
      bag.report(
        .invalidValue,
        "'\(s.value)' is not a valid \(key); use one of: \(values.joined(separator: ", "))",
        at: s.span, suggestions: Suggestions.closest(to: s.value, in: values))
      return nil
    }
    return s.value
  }

  /// A list of scalars; a single scalar is accepted as a one-item list.
  func scalars(_ key: String, bag: inout DiagnosticBag) -> [YAMLScalar]? {
    guard let node = mapping[key] else { return nil }
    return Self.scalarList(node, key: key, bag: &bag)
  }

  func strings(_ key: String, bag: inout DiagnosticBag) -> [String]? {
    scalars(key, bag: &bag)?.map(\.value)
  }

  static func scalarList(_ node: YAMLNode, key: String, bag: inout DiagnosticBag) -> [YAMLScalar]? {
    if let s = node.scalar { return s.isNull ? [] : [s] }
    guard let seq = node.sequence else {
      bag.report(
        .wrongValueType, "'\(key)' must be a list, not \(node.kindDescription)", at: node.span)
      return nil
    }
    var out: [YAMLScalar] = []
    for item in seq.items {
      guard let s = item.scalar else {
        bag.report(
          .wrongValueType, "items of '\(key)' must be single values, not \(item.kindDescription)",
          at: item.span)
        continue
      }
      out.append(s)
    }
    return out
  }

  /// A list of nodes (a single mapping is not accepted: lists must be lists).
  func list(_ key: String, bag: inout DiagnosticBag) -> [YAMLNode]? {
    guard let node = mapping[key] else { return nil }
    if let s = node.scalar, s.isNull { return [] }
    guard let seq = node.sequence else {
      bag.report(
        .wrongValueType, "'\(key)' in \(what) must be a list, not \(node.kindDescription)",
        at: node.span)
      return nil
    }
    return seq.items
  }

  func map(_ key: String, bag: inout DiagnosticBag) -> YAMLMapping? {
    guard let node = mapping[key] else { return nil }
    if let s = node.scalar, s.isNull { return YAMLMapping(pairs: [], span: s.span) }
    guard let m = node.mapping else {
      bag.report(
        .wrongValueType, "'\(key)' in \(what) must be a mapping, not \(node.kindDescription)",
        at: node.span)
      return nil
    }
    return m
  }
}
