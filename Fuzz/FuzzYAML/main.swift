import CustodyDiagnostics
import CustodyLedger
import CustodyValues
import CustodyYAML
import FuzzSupport

// Fuzz target: the YAML loader (`YAMLLoader().load(bytes:path:into:)`), the scalar position
// mapping every expression diagnostic relies on, and the mapping-profile reader for documents
// that start with `profile:`.
//
// Properties beyond "no crash": a nil result always comes with an error diagnostic and a tree
// never does; every location is inside the file; value positions inside a scalar never move
// backwards and never point before the scalar.

private let path = "fuzz.yaml"

/// A tiny schema for profiles to be checked against.
private let schema = LedgerSchema(
  id: "fuzz", version: "1",
  tables: [
    TableSchema(
      name: "receipts", file: "receipts.csv", key: ["entry_id"], entryID: "entry_id",
      columns: [
        ColumnSchema(name: "entry_id", type: .string, required: true),
        ColumnSchema(name: "date", type: .date, required: true),
        ColumnSchema(name: "cu_t", type: .decimal(unit: "t", maxScale: 6), required: true),
        ColumnSchema(name: "pool", type: .enumeration(["PCL", "MR"]), required: false),
      ])
  ])

/// Checks up to 24 evenly spread value positions of `scalar`: each maps at or after the
/// scalar's start, in order.
private func checkPositions(_ scalar: YAMLScalar, maxLine: Int) {
  let count = scalar.value.unicodeScalars.count
  let step = max(1, count / 24)
  var previous = scalar.span.start
  var offset = 0
  while offset <= count {
    let at = scalar.location(ofValueOffset: offset)
    FuzzProperties.checkLocation(
      at, file: path, maxLine: maxLine, what: "offset \(offset) of \(scalar.raw.debugDescription)")
    FuzzDriver.require(
      at >= previous,
      "offset \(offset) of \(scalar.raw.debugDescription) maps to \(at), before \(previous)")
    previous = at
    offset += step
  }
}

private func walk(_ node: YAMLNode, maxLine: Int) {
  // An explicit stack: the loader bounds depth, but the harness should not rely on it.
  var stack = [node]
  while let n = stack.popLast() {
    FuzzProperties.checkLocation(
      n.span.start, file: path, maxLine: maxLine, what: "node \(n.kindDescription)")
    switch n {
    case .scalar(let s): checkPositions(s, maxLine: maxLine)
    case .sequence(let seq): stack += seq.items
    case .mapping(let map):
      for (key, value) in map.pairs {
        checkPositions(key, maxLine: maxLine)
        stack.append(value)
      }
    }
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let input = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
  let bytes = Array(input)
  // libyaml puts the end of a file that lacks a final newline on the next line (column 1).
  let maxLine = FuzzProperties.lineCount(input, unicodeBreaks: true) + 1
  var bag = DiagnosticBag()
  let node = YAMLLoader().load(bytes: bytes, path: path, into: &bag)
  FuzzProperties.checkLocations(bag.diagnostics, file: path, maxLine: maxLine)
  if let node {
    FuzzDriver.require(!bag.hasErrors, "a tree came back with errors: \(bag.sorted)")
    walk(node, maxLine: maxLine)
    if node.mapping?.keys.first == "profile" {
      var profileBag = DiagnosticBag()
      let text = String(decoding: bytes, as: UTF8.self)
      let profile = MappingProfile.load(text: text, path: path, schema: schema, into: &profileBag)
      FuzzProperties.checkLocations(profileBag.diagnostics, file: path, maxLine: maxLine)
      FuzzDriver.require(
        (profile == nil) == profileBag.hasErrors,
        "profile result and errors disagree: \(profileBag.sorted)")
    }
  } else {
    FuzzDriver.require(bag.hasErrors, "no tree and no error for \(bytes.count) bytes")
  }
  return 0
}

// Initialize the fixtures before the first input, so leak checking does not count them.
_ = schema
FuzzDriver.main(fuzzYAML)
