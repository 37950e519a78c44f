import CustodyValues

/// `{$param}` placeholders in a clause's requirement text (issue 18): the text names the
/// standard's parameters, and every reader (reports, `explain`, `diff`) sees their bound
/// values, so the words never drift from the numbers the rules use.
public enum RequirementText {
  /// One `{$name}` in a text: the name and where it stands, in Unicode scalars (what
  /// `YAMLScalar.location(ofValueOffset:)` takes).
  public struct Placeholder: Sendable, Hashable {
    public var name: String
    public var offset: Int
    public var length: Int
  }

  /// Every `{$...}` in `text`, in order. The name is what stands between `{$` and `}` (an
  /// empty or malformed name is returned too, so it is reported rather than printed as is).
  public static func placeholders(in text: String) -> [Placeholder] {
    let scalars = Array(text.unicodeScalars)
    var out: [Placeholder] = []
    var i = 0
    while i + 1 < scalars.count {
      guard scalars[i] == "{", scalars[i + 1] == "$" else {
        i += 1
        continue
      }
      var j = i + 2
      while j < scalars.count, scalars[j] != "}", scalars[j] != "{", scalars[j] != "\n" {
        j += 1
      }
      guard j < scalars.count, scalars[j] == "}" else {
        // No closing brace: the rest up to the stop, as the "name".
        var name = String.UnicodeScalarView()
        name.append(contentsOf: scalars[(i + 2)..<j])
        out.append(Placeholder(name: String(name), offset: i, length: j - i))
        i = j
        continue
      }
      var name = String.UnicodeScalarView()
      name.append(contentsOf: scalars[(i + 2)..<j])
      out.append(Placeholder(name: String(name), offset: i, length: j + 1 - i))
      i = j + 1
    }
    return out
  }

  /// `text` with each `{$name}` replaced by that parameter's value as a ledger cell writes it
  /// (`0.5`, `30`, `cu_concentrate;ore`); a name with no parameter stays as written (the
  /// compiler has already reported it).
  public static func bind(_ text: String, _ parameters: [BoundParameter]) -> String {
    let found = placeholders(in: text)
    guard !found.isEmpty else { return text }
    let values = Dictionary(
      parameters.map { ($0.name, $0.value.description) }, uniquingKeysWith: { a, _ in a })
    let scalars = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var at = 0
    for p in found {
      out.append(contentsOf: scalars[at..<p.offset])
      if let value = values[p.name] {
        out.append(contentsOf: value.unicodeScalars)
      } else {
        out.append(contentsOf: scalars[p.offset..<(p.offset + p.length)])
      }
      at = p.offset + p.length
    }
    out.append(contentsOf: scalars[at...])
    return String(out)
  }
}

extension Clause {
  /// The requirement text with the standard's parameters bound (`{$copper_tolerance_t}` ->
  /// `0.5`).
  public func requirement(boundTo parameters: [BoundParameter]) -> String {
    RequirementText.bind(requirement, parameters)
  }
}
