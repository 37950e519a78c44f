import CustodyValues

/// The rows an expression reads: the current row, a reference check's matched row (`ref.`)
/// and an aggregate's group values. One frame per evaluation; no allocation per row.
public struct Frame {
  public var row: [Value]
  public var ref: [Value]
  public var group: [Value]
  /// When set, every node's value is recorded by node id (for `custody explain`).
  public var trace: Trace?

  /// The streamed row's cells, borrowed while one row's checks run (`Consumer.consume`, inside
  /// the row's `withUnsafeBufferPointer`); nil when `row` holds the cells. Copying the row's
  /// array into each lane's frame retained and released it from both cores on every row.
  /// Cleared before the frame outlives that call.
  var cells: UnsafeBufferPointer<Value>?

  public init(row: [Value] = [], ref: [Value] = [], group: [Value] = [], trace: Trace? = nil) {
    self.row = row
    self.ref = ref
    self.group = group
    self.trace = trace
  }

  /// The last one-key lookup made through this frame and its result: a rule often looks up
  /// the same row several times (`documents[document_id].recipient == customer and
  /// documents[document_id].cu_t == cu_t ...`), and at 10M rows each probe of the documents
  /// index missed the cache. A lookup is a pure function of its index, key and date, so the
  /// entry stays valid whatever the frame holds next; it is only a cache.
  var lookupMemo: LookupMemo?

  struct LookupMemo {
    let index: ObjectIdentifier
    let key: Value
    let date: CivilDate?
    let found: LookupIndex.Hit
  }

  /// The number of cells of the current row.
  @inline(__always) var cellCount: Int { cells?.count ?? row.count }

  /// Cell `i` of the current row (`i < cellCount`).
  @inline(__always) func cell(_ i: Int) -> Value {
    if let cells { cells[i] } else { row[i] }
  }

  /// Calls `body` with the current row's cells in place.
  @inline(__always) func withCells<R>(_ body: (UnsafeBufferPointer<Value>) -> R) -> R {
    if let cells { body(cells) } else { row.withUnsafeBufferPointer(body) }
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
