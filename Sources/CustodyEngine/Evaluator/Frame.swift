import CustodyValues

/// The rows an expression reads: the current row, a reference check's matched row (`ref.`)
/// and an aggregate's group values. One frame per evaluation; no allocation per row.
public struct Frame {
  public var row: [Value]
  public var ref: [Value]
  public var group: [Value]
  /// When set, every node's value is recorded by node id (for `custody explain`).
  public var trace: Trace?

  public init(row: [Value] = [], ref: [Value] = [], group: [Value] = [], trace: Trace? = nil) {
    self.row = row
    self.ref = ref
    self.group = group
    self.trace = trace
  }
}

/// Node values recorded during one evaluation, keyed by node id. A node evaluated several
/// times (inside an aggregate) keeps its last value.
public final class Trace {
  public private(set) var values: [Int: Value] = [:]
  /// The node that raised the error, if the evaluation failed.
  public internal(set) var failedNode: Int?
  public init() {}
  func record(_ id: Int, _ value: Value) { values[id] = value }
}
