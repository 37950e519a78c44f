import CustodyDiagnostics
import CustodyLedger
import Dispatch

/// Items made on a thread of its own, ahead of the thread that takes them, in order. At most
/// `capacity` items wait to be taken, which bounds memory; the producer then waits for room.
///
/// Used where one core would otherwise idle: a spilled book's runs are merged while the
/// replay posts the postings merged before. (Reading the first streamed table ahead while
/// the reference tables were indexed was tried too: no faster, 30 MB more.)
///
/// ```swift
/// let ahead = ReadAhead<[Int]>(label: "numbers", capacity: 4) { put in
///   for i in 0..<10 { try put([i]) }      // `put` throws once the taker cancels
/// }
/// defer { ahead.cancel() }
/// while let item = try ahead.next() { ... }  // in order; rethrows the producer's error
/// ```
final class ReadAhead<Item: Sendable>: Sendable {
  /// Shared by the two threads.
  private struct State {
    var ready: [Item] = []
    var finished = false
    var failure: (any Error)?
    var cancelled = false
  }
  private let state = Locked(State())
  /// One signal per item put in `ready`, and one when the producer ends.
  private let filled = DispatchSemaphore(value: 0)
  /// Room for items not yet taken.
  private let room: DispatchSemaphore
  private let producing = DispatchGroup()

  /// Thrown by `put` once the taker has cancelled: the producer stops.
  struct Cancelled: Error {}

  /// Starts `produce` on a thread of its own (a serial queue's; lanes and the taker keep
  /// theirs), handing it `put`.
  init(
    label: String, capacity: Int, produce: @escaping (_ put: (Item) throws -> Void) throws -> Void
  ) {
    // Created empty and filled: libdispatch traps when a semaphore is freed below the value
    // it was created with, which a cancelled producer leaves behind.
    room = DispatchSemaphore(value: 0)
    for _ in 0..<max(1, capacity) { room.signal() }
    producing.enter()
    nonisolated(unsafe) let produce = produce
    DispatchQueue(label: label).async { [self] in
      defer { producing.leave() }
      var error: (any Error)?
      do {
        try produce(put)
      } catch is Cancelled {
      } catch let e {
        error = e
      }
      state.withLock {
        $0.finished = true
        $0.failure = error
      }
      filled.signal()
    }
  }

  private func put(_ item: Item) throws {
    room.wait()
    try state.withLock { (state) throws(Cancelled) in
      if state.cancelled { throw Cancelled() }
      state.ready.append(item)
    }
    filled.signal()
  }

  /// The next item; nil once the producer is done; its error, if it failed. Blocks until an
  /// item is ready. Not to be called again after nil or an error.
  func next() throws -> Item? {
    filled.wait()
    let (item, error): (Item?, (any Error)?) = state.withLock {
      if !$0.ready.isEmpty { return ($0.ready.removeFirst(), nil) }
      return (nil, $0.finished ? $0.failure : nil)
    }
    if let item {
      room.signal()
      return item
    }
    if let error { throw error }
    return nil
  }

  /// Stops the producer if it is still going (its next `put` throws `Cancelled`) and waits
  /// for its thread to end.
  func cancel() {
    state.withLock {
      $0.cancelled = true
      $0.ready = []
    }
    room.signal()
    producing.wait()
  }
}

extension LedgerSource {
  /// Reads `table` in batches of `size` rows, in file order (the last batch may be shorter).
  func read(_ table: String, batchesOf size: Int, _ body: ([LedgerRow]) throws -> Void) throws {
    var batch: [LedgerRow] = []
    batch.reserveCapacity(size)
    try read(table: table) { row in
      batch.append(row)
      if batch.count == size {
        try body(batch)
        batch = []
        batch.reserveCapacity(size)
      }
    }
    if !batch.isEmpty { try body(batch) }
  }
}
