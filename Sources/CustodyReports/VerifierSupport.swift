import Foundation

/// Where a JSON parse failed, as 1-based line and column, for "not valid JSON at 3:7".
enum JSONErrorLocation {
  static func locate(_ error: any Error, in data: Data) -> (Int?, Int?) {
    let ns = error as NSError
    // Foundation's parser reports "around line L, column C" in its debug description.
    let texts = [
      ns.userInfo[NSDebugDescriptionErrorKey] as? String, ns.localizedDescription, "\(error)",
    ]
    for case let text? in texts {
      if let found = lineAndColumn(in: text) { return (found.0, found.1) }
    }
    // Linux Foundation says "around character N" (a 0-based offset).
    for case let text? in texts {
      if let range = text.range(of: "character ") {
        if let offset = Int(text[range.upperBound...].prefix { $0.isNumber }) {
          return position(ofByte: offset, in: data)
        }
      }
    }
    if let index = ns.userInfo["NSJSONSerializationErrorIndex"] as? Int {
      return position(ofByte: index, in: data)
    }
    return (nil, nil)
  }

  static func message(_ error: any Error) -> String {
    if let decoding = error as? DecodingError {
      switch decoding {
      case .keyNotFound(let key, let context):
        return "missing field '\(snakeCase(key.stringValue))' at \(path(context.codingPath))"
      case .typeMismatch(let type, let context):
        return "wrong type at \(path(context.codingPath)) (expected \(type))"
      case .valueNotFound(let type, let context):
        return "missing value at \(path(context.codingPath)) (expected \(type))"
      case .dataCorrupted(let context):
        return "\(context.debugDescription) at \(path(context.codingPath))"
      @unknown default:
        return "\(error)"
      }
    }
    let ns = error as NSError
    return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
  }

  /// `$.findings[2].line` from a coding path (JSON names, snake_case).
  static func path(_ codingPath: [any CodingKey]) -> String {
    var out = "$"
    for key in codingPath {
      if let index = key.intValue {
        out += "[\(index)]"
      } else {
        out += "." + snakeCase(key.stringValue)
      }
    }
    return out
  }

  private static func snakeCase(_ s: String) -> String {
    var out = ""
    for ch in s {
      if ch.isUppercase {
        out += "_" + ch.lowercased()
      } else {
        out.append(ch)
      }
    }
    return out
  }

  private static func lineAndColumn(in text: String) -> (Int, Int)? {
    guard let lineRange = text.range(of: "line ") else { return nil }
    let afterLine = text[lineRange.upperBound...]
    let lineDigits = afterLine.prefix { $0.isNumber }
    guard let line = Int(lineDigits), let colRange = afterLine.range(of: "column ") else {
      return nil
    }
    let columnDigits = afterLine[colRange.upperBound...].prefix { $0.isNumber }
    guard let column = Int(columnDigits) else { return nil }
    return (line, column)
  }

  private static func position(ofByte index: Int, in data: Data) -> (Int?, Int?) {
    var line = 1
    var column = 1
    for (i, byte) in data.enumerated() {
      if i >= index { break }
      if byte == 0x0A {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }
}

/// Finds content in a parsed JSON tree that the decoded report does not hold (fields outside
/// the schema, which no digest covers). `null` counts as absent.
enum JSONTreeDiff {
  static func firstExtra(in actual: Any, comparedWith expected: Any, path: String) -> String? {
    if let a = actual as? [String: Any] {
      let e = expected as? [String: Any] ?? [:]
      for key in a.keys.sorted() {
        guard let value = a[key], !(value is NSNull) else { continue }
        guard let other = e[key] else { return path + "." + key }
        if let found = firstExtra(in: value, comparedWith: other, path: path + "." + key) {
          return found
        }
      }
      return nil
    }
    if let a = actual as? [Any] {
      let e = expected as? [Any] ?? []
      for (i, value) in a.enumerated() {
        guard i < e.count else { return path + "[\(i)]" }
        if let found = firstExtra(in: value, comparedWith: e[i], path: path + "[\(i)]") {
          return found
        }
      }
    }
    return nil
  }
}
