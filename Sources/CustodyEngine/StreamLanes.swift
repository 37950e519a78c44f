import CustodyDiagnostics
import CustodyLedger
import Dispatch

/// Streams tables to their checks on several threads: the reading thread only reads and hands
/// batches of rows to lanes; each lane (a serial queue) runs its subset of the checks over every
/// batch in order. There are more lanes than threads so the scheduler keeps every core busy
/// whatever the checks cost; at most `inFlight` batches are read ahead, which bounds memory.
/// A check belongs to one lane for all the tables and sees every row in file order, table by
/// table, so findings, counts and their order are the same as on one thread; and the lanes
/// need not drain between tables (the next table is read while they finish the last one:
/// waiting for the slowest lane at each table's end left a core idle).
///
/// Safe because checks share nothing mutable while streaming: each writes only its own state
/// and its own `RuleOutput` (a book collector shared by several mass-balance checks is one
/// consumer and writes their outputs from its lane); lookups and period indexes are read-only.
struct StreamLanes {
  static let batchSize = 4096
  /// Batches read but not yet consumed by every lane. Room to run ahead lets the reader and
  /// the lighter lanes keep both cores busy while the heaviest lane catches up (6: 1.09-1.38 s
  /// of streaming at 1M rows, 16: 1.02-1.12 s in alternating runs; ~20 MB more at peak).
  static let inFlight = 16
  /// Per table, in the order they are read: the consumers of each lane that read it.
  let tables: [(table: String, lanes: [[(any CheckRunner, RuleOutput)]])]
  let laneCount: Int

  /// `tables`: each table and the checks reading it, in reading order.
  init(tables: [(table: String, consumers: [(any CheckRunner, RuleOutput)])], threads: Int) {
    // Each check's estimated cost over the tables it reads here, in order of first appearance.
    var cost: [ObjectIdentifier: Int] = [:]
    var checks: [ObjectIdentifier] = []
    for (_, consumers) in tables {
      for (runner, _) in consumers {
        let id = ObjectIdentifier(runner)
        if cost[id] == nil { checks.append(id) }
        cost[id, default: 0] += StreamLanes.cost(runner)
      }
    }
    // Twice as many lanes as threads (the reader is one of them), greedy by estimated cost.
    let count = min(checks.count, max(2, threads * 2))
    var load = [Int](repeating: 0, count: count)
    var laneOf: [ObjectIdentifier: Int] = [:]
    let weighted = checks.enumerated().map {
      (id: $0.element, cost: cost[$0.element] ?? 0, at: $0.offset)
    }
    .sorted { ($0.cost, -$0.at) > ($1.cost, -$1.at) }
    for check in weighted {
      let lane = load.indices.min { load[$0] < load[$1] } ?? 0
      laneOf[check.id] = lane
      load[lane] += check.cost
    }
    self.laneCount = count
    self.tables = tables.map { table, consumers in
      var lanes = [[(any CheckRunner, RuleOutput)]](repeating: [], count: count)
      for pair in consumers { lanes[laneOf[ObjectIdentifier(pair.0)] ?? 0].append(pair) }
      return (table, lanes)
    }
  }

  /// Rough cost of one row, from profiles of the Cu-again standard (docs/performance.md).
  static func cost(_ runner: any CheckRunner) -> Int {
    switch runner {
    case is MassBalanceCheck: 4
    case is UniqueCheck, is ReferenceCheck: 3
    case is PeriodCoverageCheck: 2
    default: 1
    }
  }

  func run(_ ledger: any LedgerSource) throws {
    let work = LaneWork(lanes: laneCount)
    defer { work.wait() }
    for (table, lanes) in tables {
      let consumers = lanes.map { $0.map(Consumer.init) }
      try ledger.read(table, batchesOf: StreamLanes.batchSize) { batch in
        work.consume(batch, table: table, lanes: consumers)
      }
    }
  }
}

/// A check and its output as the per-row loops hold them: unmanaged references used at +0 and
/// a per-type entry point, so handing a row to a check retains nothing (the engine keeps both
/// alive for the whole run). A retain and a release of each per check per row were a fifth of
/// all reference counting at 1M rows; `unowned(unsafe)` fields and a closure entry point still
/// retained around the call.
struct Consumer: @unchecked Sendable {
  // Unchecked: `Unmanaged` references (no retain per row); the engine keeps each check alive
  // until the lanes drain, and a check is touched by its one lane only.
  private let runner: Unmanaged<AnyObject>
  private let output: Unmanaged<RuleOutput>
  private let entry: Unmanaged<ConsumerEntry>

  init(_ pair: (any CheckRunner, RuleOutput)) {
    func open<R: CheckRunner>(_ r: R) -> (AnyObject, ConsumerEntry) { (r, TypedEntry<R>.shared) }
    let (object, entry) = open(pair.0)
    runner = Unmanaged.passUnretained(object)
    output = Unmanaged.passUnretained(pair.1)
    self.entry = Unmanaged.passUnretained(entry)
  }

  @inline(__always) func consume(table: String, row: UnsafePointer<LedgerRow>, frame: inout Frame) {
    entry._withUnsafeGuaranteedRef { e in
      runner._withUnsafeGuaranteedRef { r in
        output._withUnsafeGuaranteedRef { o in e.consume(r, table, row, &frame, o) }
      }
    }
  }

  /// Hands each of `rows` to every consumer, in order, through one frame that borrows the
  /// row's cells. Rows are read in place, down to each check's `consume`: a lane that copied
  /// each row retained and released its three arrays through generic value witnesses (three
  /// copies and three destroys per row and lane, from both cores).
  @inline(__always) static func consume(
    _ consumers: [Consumer], table: String, rows: UnsafeBufferPointer<LedgerRow>
  ) {
    guard let base = rows.baseAddress else { return }
    // One frame for all the rows, as for all the checks of a row: each check sets what it
    // reads besides the row (`ref`, `group`) before reading it.
    var frame = Frame()
    for i in 0..<rows.count {
      let row = base + i
      row.pointee.values.withUnsafeBufferPointer { cells in
        frame.cells = cells
        for c in consumers { c.consume(table: table, row: row, frame: &frame) }
      }
    }
    frame.cells = nil
  }

  /// Hands `row` to every consumer, in order.
  @inline(__always) static func consume(_ consumers: [Consumer], table: String, row: LedgerRow) {
    withUnsafePointer(to: row) { p in
      consume(consumers, table: table, rows: UnsafeBufferPointer(start: p, count: 1))
    }
  }

}

/// Calls `consume` on a check whose concrete type is known to the subclass.
class ConsumerEntry: @unchecked Sendable {
  // Unchecked: a non-final base class; it holds no state (one entry point per check type).
  func consume(
    _ runner: AnyObject, _ table: String, _ row: UnsafePointer<LedgerRow>, _ frame: inout Frame,
    _ out: RuleOutput
  ) {}
}

/// One stateless instance per check type, alive for the whole process.
final class TypedEntry<R: CheckRunner>: ConsumerEntry, @unchecked Sendable {
  // Unchecked as `ConsumerEntry`: no state.
  static var shared: ConsumerEntry { EntryCache.entry(for: R.self) { TypedEntry<R>() } }
  override func consume(
    _ runner: AnyObject, _ table: String, _ row: UnsafePointer<LedgerRow>, _ frame: inout Frame,
    _ out: RuleOutput
  ) {
    unsafeDowncast(runner, to: R.self).consume(
      table: table, row: RowRef(pointer: row), frame: &frame, out: out)
  }
}

/// The entries by check type (a handful), created on first use.
private enum EntryCache {
  private static let entries = Locked<[ObjectIdentifier: ConsumerEntry]>([:])
  static func entry(for type: Any.Type, make: () -> ConsumerEntry) -> ConsumerEntry {
    entries.withLock { entries in
      if let e = entries[ObjectIdentifier(type)] { return e }
      let e = make()
      entries[ObjectIdentifier(type)] = e
      return e
    }
  }
}

/// The lanes, each on its own serial queue; a batch goes to the lanes with checks reading
/// its table.
private final class LaneWork: @unchecked Sendable {
  // A lane's checks are touched only by that lane's serial queue, one batch after another;
  // batches are immutable once handed over.
  private let queues: [DispatchQueue]
  private let pending = DispatchGroup()
  private let slots = DispatchSemaphore(value: StreamLanes.inFlight)
  /// Batches handed to the lanes, held by the reading thread (only it touches this) until
  /// every lane is done with them, so their rows are freed on the thread that allocated them:
  /// freed on a lane's thread, each row went back to the reader's malloc arena under its lock.
  private var handedOut: [(batch: [LedgerRow], lanes: Counter)] = []

  init(lanes: Int) {
    self.queues = (0..<lanes).map { DispatchQueue(label: "custody.engine.lane\($0)") }
  }

  /// Hands a batch of `table` to every lane with consumers of it; blocks while `inFlight`
  /// batches are unfinished.
  func consume(_ batch: [LedgerRow], table: String, lanes: [[Consumer]]) {
    let active = lanes.indices.filter { !lanes[$0].isEmpty }
    guard !active.isEmpty else { return }
    slots.wait()
    handedOut.removeAll { $0.lanes.isDone }
    let finished = Counter(active.count)
    handedOut.append((batch, finished))
    for lane in active {
      pending.enter()
      let consumers = lanes[lane]
      queues[lane].async {
        batch.withUnsafeBufferPointer { Consumer.consume(consumers, table: table, rows: $0) }
        if finished.decrement() { self.slots.signal() }
        self.pending.leave()
      }
    }
  }

  /// Returns once every lane has consumed every batch handed to it.
  func wait() {
    pending.wait()
    handedOut = []
  }
}

/// Lanes still working on one batch; the last one frees the batch's slot.
private final class Counter: Sendable {
  private let value: Locked<Int>
  init(_ value: Int) { self.value = Locked(value) }
  func decrement() -> Bool {
    value.withLock {
      $0 -= 1
      return $0 == 0
    }
  }
  var isDone: Bool { value.withLock { $0 == 0 } }
}
