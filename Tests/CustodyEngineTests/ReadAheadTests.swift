import CustodyDiagnostics
import Testing

@testable import CustodyEngine

/// `ReadAhead`: items made on another thread arrive in order, the producer's error after the
/// items it made, and cancelling stops a producer that is waiting for room.
@Suite struct ReadAheadTests {
  struct Broken: Error, Equatable { let at: Int }

  @Test func itemsArriveInOrderThenNil() throws {
    let ahead = ReadAhead<Int>(label: "test.order", capacity: 3) { put in
      for i in 0..<1_000 { try put(i) }
    }
    defer { ahead.cancel() }
    var taken: [Int] = []
    while let i = try ahead.next() { taken.append(i) }
    #expect(taken == Array(0..<1_000))
  }

  @Test func theProducersErrorComesAfterTheItemsItMade() throws {
    let ahead = ReadAhead<Int>(label: "test.error", capacity: 8) { put in
      try put(1)
      try put(2)
      throw Broken(at: 3)
    }
    defer { ahead.cancel() }
    #expect(try ahead.next() == 1)
    #expect(try ahead.next() == 2)
    #expect(throws: Broken(at: 3)) { try ahead.next() }
  }

  /// Tells a test what the producer saw, from the producer's thread.
  final class Seen: Sendable {
    private let puts = Locked(0)
    private let stoppedBy = Locked<(any Error)?>(nil)
    func put() { puts.withLock { $0 += 1 } }
    func stop(_ e: any Error) { stoppedBy.withLock { $0 = e } }
    var count: Int { puts.withLock { $0 } }
    var cancelled: Bool { stoppedBy.withLock { $0 is ReadAhead<Int>.Cancelled } }
  }

  @Test func cancelStopsAProducerWaitingForRoom() throws {
    let seen = Seen()
    let ahead = ReadAhead<Int>(label: "test.cancel", capacity: 2) { put in
      var i = 0
      while true {
        do { try put(i) } catch {
          seen.stop(error)
          throw error
        }
        seen.put()
        i += 1
      }
    }
    #expect(try ahead.next() == 0)
    ahead.cancel()  // returns only once the producer's thread has ended
    #expect(seen.cancelled)
    // It never ran further ahead than its room: the item taken, two waiting, one more let in
    // by `cancel` that it was refused.
    #expect(seen.count <= 3)
  }
}
