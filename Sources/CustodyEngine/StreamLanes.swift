import CustodyLedger
import Dispatch

/// Streams one table to its checks on several threads: rows are read in batches, and each
/// batch is consumed by every lane (a fixed subset of the checks) at the same time. A check
/// belongs to one lane and sees every row in file order, so findings, counts and their order
/// are the same as on one thread. Lane 0 runs on the reading thread and gets less work.
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
    load[0] = 4
    let weighted = consumers.enumerated().map { ($0.element, StreamLanes.cost($0.element.0), $0.offset) }
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
  }
}

/// The lanes' checks, handed to worker threads for one batch at a time.
private final class LaneWork: @unchecked Sendable {
  // Each lane's checks are touched by one thread per batch; batches never overlap.
  let table: String
  let lanes: [[(any CheckRunner, RuleOutput)]]
  var rows: [LedgerRow] = []

  init(table: String, lanes: [[(any CheckRunner, RuleOutput)]]) {
    self.table = table
    self.lanes = lanes
  }

  func consume(_ batch: [LedgerRow]) {
    rows = batch
    DispatchQueue.concurrentPerform(iterations: lanes.count) { lane in
      let rows = self.rows
      for row in rows {
        for (r, o) in self.lanes[lane] { r.consume(table: self.table, row: row, out: o) }
      }
    }
  }
}
