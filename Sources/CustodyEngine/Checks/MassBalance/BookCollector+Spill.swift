import CustodyValues
import HeapModule

/// Bounded memory for a book over a long ledger.
///
/// Once `threshold` postings wait for the replay, they are sorted into replay order and
/// written to a `SpillFile` as one run. The replay merges the runs with the postings still in
/// memory (ties go to the earlier run, which holds the earlier rows), so it sees exactly the
/// order an in-memory sort gives. Accounts, lots and findings stay in memory: they grow with
/// the accounts and the failures, not with the rows.
///
/// Record: mantissa, line, day, account, to, source, role, scale, entry id (flag + string).
extension BookCollector {
  func spillRun() {
    guard spillFailure == nil else { return }
    do throws(SpillError) {
      if spill == nil { spill = try SpillFile(directory: spillDirectory) }
      guard let file = spill else { return }
      sortInMemory()
      for p in postings {
        file.beginRecord()
        BookCollector.write(p, to: &file.writer)
        try file.endRecord()
      }
      try file.endRun()
      postings.removeAll(keepingCapacity: true)
    } catch {
      spillFailure = "postings kept in memory, the spill file failed: \(error)"
    }
  }

  private static func write(_ p: RawPosting, to w: inout ByteWriter) {
    w.i64(p.mantissa)
    w.int(p.line)
    w.i32(p.date.dayNumber)
    w.i32(p.account)
    w.i32(p.to)
    w.i32(p.compiled)
    w.u8(p.role.rawValue)
    w.u8(UInt8(bitPattern: p.scale))
    if let id = p.entryID {
      w.u8(1)
      w.string(id)
    } else {
      w.u8(0)
    }
  }

  /// One posting's record; `keys` is the number of account keys (a spilled posting names one).
  private func read(_ c: inout ByteCursor, keys: Int) throws(SpillError) -> RawPosting {
    let mantissa = try c.i64()
    let line = try c.int()
    let day = try c.i32()
    let account = try c.i32()
    let to = try c.i32()
    let source = try c.i32()
    let role = RawPosting.Role(rawValue: try c.u8())
    let scale = Int8(bitPattern: try c.u8())
    let entryID = try c.u8() == 1 ? try c.string() : nil
    let amountFits =
      scale == RawPosting.wide
      ? mantissa >= 0 && mantissa < Int64(wideAmounts.count) : scale >= 0
    guard let role, source >= 0, Int(source) < compiled.count, account >= 0,
      Int(account) < keys, role == .credit ? Int(to) < creditDetails.count : to < keys,
      amountFits
    else { throw SpillError(corrupt: "a spilled posting does not match this book") }
    return RawPosting(
      mantissa: mantissa, entryID: entryID, line: line, date: CivilDate(dayNumber: day),
      account: account, to: to, compiled: source, role: role, scale: scale)
  }

  /// One run's next posting in the merge.
  private struct Head: Comparable {
    let key: SortKey
    let run: Int
    let posting: RawPosting
    static func == (a: Head, b: Head) -> Bool { a.key == b.key && a.run == b.run }
    static func < (a: Head, b: Head) -> Bool {
      a.key != b.key ? a.key < b.key : a.run < b.run
    }
  }

  /// The spilled runs and the sorted in-memory postings, merged into replay order.
  func mergeRuns(_ body: (RawPosting) -> Bool) throws(SpillError) {
    guard let file = spill else { return }
    let readers = file.runs.indices.map { file.reader(run: $0) }
    var heap = Heap<Head>()
    let keys = accountKeys.count
    func next(_ run: Int) throws(SpillError) -> Head? {
      guard try readers[run].advance() else { return nil }
      var c = readers[run].record
      let p = try read(&c, keys: keys)
      return Head(key: sortKey(p), run: run, posting: p)
    }
    for r in readers.indices { if let h = try next(r) { heap.insert(h) } }
    // The postings still in memory are the last run; they are read in place.
    var memory = postings.makeIterator()
    let memoryRun = readers.count
    func nextInMemory() -> Head? {
      memory.next().map { Head(key: sortKey($0), run: memoryRun, posting: $0) }
    }
    if let h = nextInMemory() { heap.insert(h) }
    while let h = heap.popMin() {
      guard body(h.posting) else { return }
      if let n = h.run == memoryRun ? nextInMemory() : try next(h.run) { heap.insert(n) }
    }
  }
}
