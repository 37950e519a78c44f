import CustodyLedger
import CustodyValues
import HeapModule

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bounded memory for `kind: unique`: a table with millions of keys.
///
/// Once the check holds `EngineOptions.spillThreshold` distinct keys, it writes them to a
/// `SpillFile` as one run sorted by canonical key bytes and starts afresh. When it finishes,
/// the runs and what is still in memory are merged: a key found in several runs (or repeated
/// within one) is a duplicate, its rows taken run by run, which is the order the rows were
/// read, so the finding is the same as if every key had stayed in memory. Keys that repeat
/// keep their evidence in memory (that grows with the findings, not the ledger).
///
/// Keys that arrive in ascending order (a ledger sorted by id) cannot repeat, so while every
/// run ascends and starts above the last one (`ValueMap(above:)`), the runs are never read.
///
/// Record: canonical key bytes (length-prefixed); the first row's line, day, table, repeats
/// index and entry id; the key as written if its canonical form spells it differently.
extension UniqueCheck {
  /// Writes the in-memory keys as one sorted run and empties the tables. If the spill file
  /// cannot be written, the keys stay in memory (the result is the same) and the rule says why.
  func spillRun() {
    guard spillFailure == nil else { return }
    do throws(SpillError) {
      if spill == nil { spill = try SpillFile(directory: run.options.spillDirectory) }
      guard let file = spill else { return }
      try writeSorted { body throws(SpillError) in
        file.beginRecord()
        body(&file.writer)
        try file.endRecord()
      }
      try file.endRun()
      let ascending = single.ascending && multiGroups.isEmpty
      if !ascending { spilledAscending = false }
      single = ValueMap(above: ascending ? single.keys.last : nil)
      multi = [:]
      multiGroups = []
      entryIDs = []
    } catch {
      spillFailure = "keys kept in memory, the spill file failed: \(error)"
    }
  }

  /// Every in-memory key's record, in canonical byte order.
  private func writeSorted(
    _ record: ((inout ByteWriter) -> Void) throws(SpillError) -> Void
  ) throws(SpillError) {
    var multiKeys = [[Value]](repeating: [], count: multiGroups.count)
    for (k, i) in multi { multiKeys[i] = k }
    let count = single.count + multiGroups.count
    let singles = single.count
    // Locals: reading `single.keys[e]` through the class would retain the array per key.
    let keys = single.keys
    let groups = single.values
    let multiGroups = multiGroups
    let entryIDs = entryIDs
    @discardableResult func writeKey(_ e: Int, canonical: Bool, to w: inout ByteWriter) -> Bool {
      e < singles
        ? ValueCodec.writeKey(keys[e], canonical: canonical, to: &w)
        : ValueCodec.writeList(multiKeys[e - singles], canonical: canonical, to: &w)
    }
    // Canonical keys side by side (sorted below), and whether each spells its key as written.
    var arena = ByteWriter()
    var ranges: [Range<Int>] = []
    var spelled: [Bool] = []
    ranges.reserveCapacity(count)
    spelled.reserveCapacity(count)
    for e in 0..<count {
      let start = arena.count
      spelled.append(writeKey(e, canonical: true, to: &arena))
      ranges.append(start..<arena.count)
    }
    var order = Array(0..<count)
    try arena.withBytes { raw throws(SpillError) in
      // Keys that arrived in order are usually in byte order too (ids of one width): one pass
      // finds out, and only keys out of byte order are sorted.
      let sorted = (1..<max(count, 1)).allSatisfy {
        UniqueCheck.compare(raw, ranges[$0 - 1], raw, ranges[$0]) < 0
      }
      if !sorted { order.sort { UniqueCheck.compare(raw, ranges[$0], raw, ranges[$1]) < 0 } }
      for e in order {
        let g = e < singles ? groups[e] : multiGroups[e - singles]
        let r = ranges[e]
        let id: String? = g.entry < 0 ? nil : entryIDs[Int(g.entry)]
        try record { w in
          // The fixed fields with one capacity check: length, key, line, day, table,
          // repeats index and the entry id's tag (at most 5 + key + 10 + 3 x 5 + 1 bytes).
          w.reserving(r.count + 31) { out in
            out.u32(UInt32(r.count))
            if let base = raw.baseAddress { out.copy(base + r.lowerBound, r.count) }
            out.int(g.line)
            out.i32(g.day)
            out.i32(g.table)
            out.i32(g.repeats)
            out.u8(g.entry < 0 ? 0 : id == nil ? 1 : 2)
          }
          if let id { w.string(id) }
          if spelled[e] {
            w.u8(0)
          } else {
            w.u8(1)
            writeKey(e, canonical: false, to: &w)
          }
        }
      }
    }
  }

  static func compare(
    _ a: UnsafeRawBufferPointer, _ ar: Range<Int>, _ b: UnsafeRawBufferPointer, _ br: Range<Int>
  ) -> Int {
    let n = min(ar.count, br.count)
    if n > 0 {
      let c = memcmp(a.baseAddress! + ar.lowerBound, b.baseAddress! + br.lowerBound, n)
      if c != 0 { return Int(c) }
    }
    return ar.count - br.count
  }

  /// The head of one run in the merge: ordered by key bytes, then run (the order rows came).
  private struct Head: Comparable {
    let reader: SpillReader
    let run: Int
    var key: Range<Int>
    /// The record's repeats index (-1: its key was seen once in its run).
    var repeats: Int32
    static func == (a: Head, b: Head) -> Bool { a.run == b.run }
    static func < (a: Head, b: Head) -> Bool {
      let c = Head.compareKeys(a, b)
      return c != 0 ? c < 0 : a.run < b.run
    }
    static func compareKeys(_ a: Head, _ b: Head) -> Int {
      a.reader.buffer.withUnsafeBytes { x in
        b.reader.buffer.withUnsafeBytes { y in UniqueCheck.compare(x, a.key, y, b.key) }
      }
    }
    /// Moves to the next record; nil at the end of the run.
    static func next(_ reader: SpillReader, run: Int) throws(SpillError) -> Head? {
      guard try reader.advance() else { return nil }
      var c = reader.record
      let key = try c.slice()
      _ = try c.i64()  // line
      _ = try c.i32()  // day
      _ = try c.i32()  // table
      return Head(reader: reader, run: run, key: key, repeats: try c.i32())
    }
  }

  /// One run's record of a key.
  private struct Part {
    var key: [Value]
    var line: Int
    var day: Int32
    var table: Int32
    var repeats: Int32
    var entryID: String?
  }

  private func part(_ h: Head) throws(SpillError) -> Part {
    var c = h.reader.record
    let canonical = try c.slice()
    let line = try c.int()
    let day = try c.i32()
    let table = try c.i32()
    let repeats = try c.i32()
    let entry = try c.u8()
    let id = entry == 2 ? try c.string() : nil
    var k = ByteCursor(h.reader.buffer, canonical.lowerBound, canonical.upperBound)
    let value = try c.u8() == 1 ? try ValueCodec.read(&c) : try ValueCodec.read(&k)
    guard case .list(let key) = value else {
      throw SpillError(corrupt: "a spill record's key is not a list")
    }
    let entryID = entry == 0 ? key.first?.asString : id
    guard table >= 0, Int(table) < tableNames.count, repeats < self.repeats.count else {
      throw SpillError(corrupt: "a spill record does not match this check")
    }
    return Part(key: key, line: line, day: day, table: table, repeats: repeats, entryID: entryID)
  }

  /// The keys seen more than once, merging the spilled runs with the keys still in memory.
  func mergedDuplicates() throws(SpillError) -> [Duplicate] {
    guard let file = spill else { return [] }
    // Ascending within and across runs: no key repeats, nothing to read back.
    if spilledAscending && single.ascending && multiGroups.isEmpty { return [] }
    var memory = ByteWriter()
    try writeSorted { body in
      let start = memory.count
      memory.fixed32(0)
      body(&memory)
      memory.patchU32(at: start, UInt32(memory.count - start - 4))
    }
    var heap = Heap<Head>()
    for i in file.runs.indices {
      if let h = try Head.next(file.reader(run: i), run: i) { heap.insert(h) }
    }
    if let h = try Head.next(SpillReader(bytes: memory.bytes), run: file.runs.count) {
      heap.insert(h)
    }
    var found: [Duplicate] = []
    while let first = heap.popMin() {
      var heads = [first]
      while let h = heap.min, Head.compareKeys(h, first) == 0 { heads.append(heap.removeMin()) }
      if heads.count > 1 || first.repeats >= 0 {
        let parts = try heads.map { h throws(SpillError) in try part(h) }
        let p0 = parts[0]
        var rows = Repeats(members: [])
        for p in parts {
          if p.repeats >= 0 {
            rows.members += repeats[Int(p.repeats)].members
          } else {
            rows.members.append(
              Member(table: p.table, line: p.line, day: p.day, entryID: p.entryID, key: p.key))
          }
        }
        found.append(
          Duplicate(
            key: p0.key,
            group: Group(line: p0.line, day: p0.day, table: p0.table, repeats: 0, entry: -1),
            repeats: rows))
      }
      for h in heads {
        if let next = try Head.next(h.reader, run: h.run) { heap.insert(next) }
      }
    }
    return found
  }
}
