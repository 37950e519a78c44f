import CustodyLedger
import Dispatch

/// Streams one table to its checks on several threads: rows are read in batches; lane 0 (a
/// subset of the checks) runs on the reading thread, the other lanes on a worker thread, one
/// batch behind the reader, so reading overlaps evaluation. A check belongs to one lane and
/// sees every row in file order, so findings, counts and their order are the same as on one
/// thread.
///
/// Safe because checks share nothing mutable while streaming: each writes only its own state
/// and its own `RuleOutput` (a book collector shared by several mass-balance checks is one
/// consumer and writes their outputs from its lane); lookups and period indexes are read-only.
struct StreamLanes {
  static let batchSize = 4096
  let table: String
  let lanes: [[(any CheckRunner, RuleOutput)]]

  init(table: String, consumers: [(any CheckRunner, RuleOutput)], lanes count: Int) {
    self.table = table
    // Greedy by estimated cost per row; the reading lane starts loaded with the read.
    var lanes = [[(any CheckRunner, RuleOutput)]](repeating: [], count: count)
    var load = [Int](repeating: 0, count: count)
    // The reading lane also parses the rows: about a quarter of the work.
    load[0] = max(4, consumers.reduce(0) { $0 + StreamLanes.cost($1.0) } / 3)
    let weighted = consumers.enumerated().map {
      ($0.element, StreamLanes.cost($0.element.0), $0.offset)
    }
    .sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }
    for (consumer, cost, _) in weighted {
      let lane = load.indices.min { load[$0] < load[$1] } ?? 0
      lanes[lane].append(consumer)
      load[lane] += cost
    }
    self.lanes = lanes.filter { !$0.isEmpty }
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
    let work = LaneWork(table: table, lanes: lanes)
    var batch: [LedgerRow] = []
    batch.reserveCapacity(StreamLanes.batchSize)
    try ledger.read(table: table) { row in
      batch.append(row)
      if batch.count == StreamLanes.batchSize {
        work.consume(batch)
        batch.removeAll(keepingCapacity: true)
      }
    }
    if !batch.isEmpty { work.consume(batch) }
    work.wait()
  }
}

/// A check and its output as the per-row loops hold them: `unowned(unsafe)`, so handing a row
/// to a check retains nothing (the engine keeps both alive for the whole run). Two retains and
/// two releases per check per row were 8% of all reference counting at 1M rows.
struct Consumer {
  unowned(unsafe) let runner: any CheckRunner
  unowned(unsafe) let out: RuleOutput
  init(_ pair: (any CheckRunner, RuleOutput)) { (runner, out) = pair }
}

/// The lanes' checks; lanes 1... run on a serial worker queue.
private final class LaneWork: @unchecked Sendable {
  // A lane's checks are touched by one thread at a time: the worker runs lanes 1... for batch
  // k while the reader runs lane 0 for batch k and reads batch k+1; `consume` waits for the
  // worker before handing it the next batch.
  let table: String
  let lanes: [[(any CheckRunner, RuleOutput)]]
  private let queue = DispatchQueue(label: "custody.engine.lane")
  private let pending = DispatchGroup()

  init(table: String, lanes: [[(any CheckRunner, RuleOutput)]]) {
    self.table = table
    self.lanes = lanes
  }

  private func run(_ lane: Int, _ rows: [LedgerRow]) {
    let consumers = lanes[lane].map(Consumer.init)
    for row in rows {
      for c in consumers { c.runner.consume(table: table, row: row, out: c.out) }
    }
  }

  func consume(_ batch: [LedgerRow]) {
    pending.wait()
    for lane in lanes.indices.dropFirst() {
      pending.enter()
      queue.async {
        self.run(lane, batch)
        self.pending.leave()
      }
    }
    run(0, batch)
  }

  /// Returns once the worker has consumed every batch handed to it.
  func wait() { pending.wait() }
}
