import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failure to write or read back a spill file (disk full, directory missing).
struct SpillError: Error, CustomStringConvertible {
  var description: String
  init(_ what: String, errno code: Int32 = errno) {
    description = "\(what): \(String(cString: strerror(code)))"
  }
  /// Bytes read back that custody did not write (the file changed underneath).
  init(corrupt what: String) { description = what }
}

/// A temporary file of sorted runs, for state that would otherwise grow with the ledger
/// (unique keys, book postings): a check keeps at most `EngineOptions.spillThreshold` entries
/// in memory, writes them out sorted as one run, and merges the runs when it finishes.
///
/// The file is unlinked as soon as it is created, so nothing is left behind even if the
/// process is killed; it lives in `TMPDIR` (or /tmp) and is closed with this object.
/// Records are length-prefixed byte strings; callers define their layout (`ByteWriter`).
final class SpillFile {
  private let fd: Int32
  // Written by one check at a time (the one that owns the file), record by record.
  @exclusivity(unchecked) private var pending = ByteWriter()
  private var flushed: Int64 = 0
  private var runStart: Int64 = 0
  private var recordStart = -1
  /// Byte ranges of the finished runs, in the order they were written.
  private(set) var runs: [Range<Int64>] = []

  init(directory: String? = nil) throws(SpillError) {
    let dir =
      directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 }
      ?? "/tmp"
    var template = Array((dir.hasSuffix("/") ? dir : dir + "/").utf8CString.dropLast())
    template += Array("custody-spill-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw SpillError("cannot create a spill file in \(dir)") }
    _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
    self.fd = fd
  }

  deinit { close(fd) }

  /// Where a record's fields go, between `beginRecord()` and `endRecord()`.
  var writer: ByteWriter {
    _read { yield pending }
    _modify { yield &pending }
  }

  func beginRecord() {
    recordStart = pending.count
    pending.fixed32(0)
  }

  func endRecord() throws(SpillError) {
    let length = UInt32(pending.count - recordStart - 4)
    pending.patchU32(at: recordStart, length)
    if pending.count >= 1 << 20 { try flush() }
  }

  /// Ends the current run (everything written since the last one).
  func endRun() throws(SpillError) {
    try flush()
    runs.append(runStart..<flushed)
    runStart = flushed
  }

  private func flush() throws(SpillError) {
    var done = 0
    let total = pending.count
    while done < total {
      let n = pending.withBytes { buf in
        pwrite(fd, buf.baseAddress! + done, total - done, off_t(flushed + Int64(done)))
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw SpillError("cannot write the spill file")
      }
      if n == 0 { throw SpillError("cannot write the spill file", errno: ENOSPC) }
      done += n
    }
    flushed += Int64(total)
    pending.removeAll()
  }

  /// Reads run `i` back record by record.
  func reader(run i: Int) -> SpillReader {
    SpillReader(fd: fd, range: runs[i], chunk: SpillFile.chunk(runs: runs.count))
  }

  /// Bytes each reader buffers when `runs` runs are merged: 256 KiB, less when there are many
  /// runs, so a merge buffers at most about 32 MiB however long the ledger.
  static func chunk(runs: Int) -> Int { max(1 << 14, min(1 << 18, (32 << 20) / max(1, runs))) }
}

/// Reads one run of a `SpillFile` sequentially through a buffer.
final class SpillReader {
  private let fd: Int32
  private var next: Int64
  private let end: Int64
  private(set) var buffer: [UInt8] = []
  private var used = 0
  /// The current record's bytes: `buffer[start..<start + length]`.
  private(set) var start = 0
  private(set) var length = 0

  /// Bytes read from the file at a time (more when a record is longer).
  private let chunk: Int

  init(fd: Int32, range: Range<Int64>, chunk: Int = 1 << 18) {
    self.fd = fd
    self.next = range.lowerBound
    self.end = range.upperBound
    self.chunk = chunk
  }

  /// Reads records already in memory (the last run of a merge, never written out).
  init(bytes: [UInt8]) {
    (fd, next, end, buffer, chunk) = (-1, 0, 0, bytes, 0)
  }

  /// Moves to the next record; false at the end of the run.
  func advance() throws(SpillError) -> Bool {
    used = start + length
    if try !ensure(4) { return false }
    let n = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: used, as: UInt32.self) })
    guard try ensure(4 + n) else {
      throw SpillError(corrupt: "the spill file ends inside a record")
    }
    start = used + 4
    length = n
    return true
  }

  /// A cursor over the current record.
  var record: ByteCursor { ByteCursor(buffer, start, start + length) }

  /// Makes `count` bytes from `used` available; false if the run ends first (at a record
  /// boundary).
  private func ensure(_ count: Int) throws(SpillError) -> Bool {
    if buffer.count - used >= count { return true }
    let left = Array(buffer[used...])
    let remaining = Int(end - next)
    if left.isEmpty && remaining == 0 { return false }
    let want = min(remaining, max(count - left.count, chunk))
    var fresh = left
    fresh.reserveCapacity(left.count + want)
    var got = 0
    let chunk = [UInt8](unsafeUninitializedCapacity: want) { buf, initialized in
      while got < want {
        let n = pread(fd, buf.baseAddress! + got, want - got, off_t(next + Int64(got)))
        if n <= 0 {
          if n < 0 && errno == EINTR { continue }
          break
        }
        got += n
      }
      initialized = got
    }
    guard got == want else { throw SpillError(corrupt: "cannot read the spill file back") }
    fresh += chunk
    next += Int64(got)
    buffer = fresh
    used = 0
    start = 0
    length = 0
    if buffer.count < count {
      if left.isEmpty && buffer.isEmpty { return false }
      throw SpillError(corrupt: "the spill file ends inside a record")
    }
    return true
  }
}

/// Bytes written into room a `ByteWriter` reserved (`reserving`): no capacity checks.
struct RawBytes {
  private let start: UnsafeMutableRawPointer
  private var at: UnsafeMutableRawPointer
  init(_ start: UnsafeMutableRawPointer) { (self.start, at) = (start, start) }
  var written: Int { at - start }

  @inline(__always) mutating func u8(_ v: UInt8) {
    at.storeBytes(of: v, as: UInt8.self)
    at += 1
  }
  // Integers are variable-length (LEB128; signed ones zigzag-encoded): lines, days, lengths
  // and small amounts take 1-3 bytes, which about halves what a spill writes.
  @inline(__always) mutating func u64(_ v: UInt64) {
    var v = v
    while v >= 0x80 {
      u8(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    u8(UInt8(v))
  }
  @inline(__always) mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
  @inline(__always) mutating func u32(_ v: UInt32) { u64(UInt64(v)) }
  @inline(__always) mutating func i32(_ v: Int32) { i64(Int64(v)) }
  @inline(__always) mutating func int(_ v: Int) { i64(Int64(v)) }
  @inline(__always) mutating func i128(_ v: Int128) {
    u64(UInt64(truncatingIfNeeded: v))
    i64(Int64(truncatingIfNeeded: v >> 64))
  }
  @inline(__always) mutating func copy(_ from: UnsafeRawPointer, _ n: Int) {
    at.copyMemory(from: from, byteCount: n)
    at += n
  }
}

/// Appends variable-length integers, length-prefixed strings and raw bytes to a buffer.
///
/// Hand-written over a raw buffer: appending to `[UInt8]` through `withUnsafeBytes` went
/// through the generic sequence path and was a fifth of the cost of spilling. Not meant to be
/// copied (copies share the buffer).
struct ByteWriter {
  // Immutable (growing replaces it): no run-time exclusivity checks per byte written.
  private final class Storage {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    init(capacity: Int) {
      self.capacity = capacity
      base = .allocate(byteCount: capacity, alignment: 16)
    }
    deinit { base.deallocate() }
  }
  private var storage = Storage(capacity: 1 << 12)
  private(set) var count = 0

  /// Room for `n` more bytes; returns where they go.
  @inline(__always) private mutating func claim(_ n: Int) -> UnsafeMutableRawPointer {
    if count + n > storage.capacity { grow(count + n) }
    defer { count += n }
    return storage.base + count
  }

  private mutating func grow(_ needed: Int) {
    var capacity = storage.capacity * 2
    while capacity < needed { capacity *= 2 }
    let bigger = Storage(capacity: capacity)
    bigger.base.copyMemory(from: storage.base, byteCount: count)
    storage = bigger
  }

  @inline(__always) mutating func u8(_ v: UInt8) { claim(1).storeBytes(of: v, as: UInt8.self) }
  /// Four bytes, little-endian: a record's length prefix (patched once the record is done).
  @inline(__always) mutating func fixed32(_ v: UInt32) {
    claim(4).storeBytes(of: v.littleEndian, as: UInt32.self)
  }
  // Variable-length integers, encoded by `RawBytes` into room for the longest.
  @inline(__always) mutating func u64(_ v: UInt64) { reserving(10) { $0.u64(v) } }
  @inline(__always) mutating func i64(_ v: Int64) { reserving(10) { $0.i64(v) } }
  @inline(__always) mutating func u32(_ v: UInt32) { u64(UInt64(v)) }
  @inline(__always) mutating func i32(_ v: Int32) { i64(Int64(v)) }
  @inline(__always) mutating func int(_ v: Int) { i64(Int64(v)) }
  @inline(__always) mutating func i128(_ v: Int128) { reserving(20) { $0.i128(v) } }
  /// Writes at most `n` bytes through `body` with one capacity check (a record's fixed
  /// fields), not one per byte.
  @inline(__always) mutating func reserving(_ n: Int, _ body: (inout RawBytes) -> Void) {
    if count + n > storage.capacity { grow(count + n) }
    var raw = RawBytes(storage.base + count)
    body(&raw)
    count += raw.written
  }
  mutating func append(_ raw: UnsafeRawBufferPointer) {
    guard let from = raw.baseAddress, raw.count > 0 else { return }
    claim(raw.count).copyMemory(from: from, byteCount: raw.count)
  }
  mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }
  mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { u in
      u32(UInt32(u.count))
      append(UnsafeRawBufferPointer(u))
    }
  }
  mutating func patchU32(at i: Int, _ v: UInt32) {
    (storage.base + i).storeBytes(of: v.littleEndian, as: UInt32.self)
  }
  mutating func removeAll() { count = 0 }
  /// Drops what was written after `count` bytes.
  mutating func truncate(to count: Int) { self.count = min(self.count, count) }

  func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try body(UnsafeRawBufferPointer(start: storage.base, count: count))
  }
  /// A copy of the bytes written.
  var bytes: [UInt8] { withBytes { Array($0) } }
}

/// Reads what `ByteWriter` wrote. A record that does not parse is a spill-file error (it
/// can only happen if the file was changed underneath), never a crash.
struct ByteCursor {
  let bytes: [UInt8]
  var at: Int
  let end: Int
  init(_ bytes: [UInt8], _ at: Int, _ end: Int) {
    (self.bytes, self.at, self.end) = (bytes, at, end)
  }

  @inline(__always) private mutating func take(_ n: Int) throws(SpillError) -> Int {
    guard n >= 0, end - at >= n else { throw SpillError(corrupt: "a spill record is cut short") }
    defer { at += n }
    return at
  }
  @inline(__always) mutating func u8() throws(SpillError) -> UInt8 { bytes[try take(1)] }
  @inline(__always) mutating func u64() throws(SpillError) -> UInt64 {
    var v: UInt64 = 0
    var shift: UInt64 = 0
    // Room for the longest number (10 bytes): decoded without a bounds check per byte.
    if end - at >= 10, end <= bytes.count {
      var i = at
      let complete = bytes.withUnsafeBufferPointer { b in
        while shift < 64 {
          let byte = b[i]
          i += 1
          v |= UInt64(byte & 0x7F) << shift
          if byte < 0x80 { return true }
          shift += 7
        }
        return false
      }
      guard complete else { throw SpillError(corrupt: "a spill record has an overlong number") }
      at = i
      return v
    }
    while true {
      let b = try u8()
      guard shift < 64 else { throw SpillError(corrupt: "a spill record has an overlong number") }
      v |= UInt64(b & 0x7F) << shift
      if b < 0x80 { return v }
      shift += 7
    }
  }
  mutating func i64() throws(SpillError) -> Int64 {
    let z = try u64()
    return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
  }
  mutating func u32() throws(SpillError) -> UInt32 {
    guard let v = UInt32(exactly: try u64()) else {
      throw SpillError(corrupt: "a spill record has an out-of-range number")
    }
    return v
  }
  mutating func i32() throws(SpillError) -> Int32 {
    guard let v = Int32(exactly: try i64()) else {
      throw SpillError(corrupt: "a spill record has an out-of-range number")
    }
    return v
  }
  mutating func int() throws(SpillError) -> Int { Int(try i64()) }
  mutating func i128() throws(SpillError) -> Int128 {
    let low = try u64()
    let high = try i64()
    return Int128(high) << 64 | Int128(low)
  }
  mutating func string() throws(SpillError) -> String {
    let n = Int(try u32())
    let i = try take(n)
    return bytes.withUnsafeBufferPointer { String(decoding: $0[i..<i + n], as: UTF8.self) }
  }
  /// Skips a length-prefixed byte string, returning its range in `bytes`.
  mutating func slice() throws(SpillError) -> Range<Int> {
    let n = Int(try u32())
    let i = try take(n)
    return i..<i + n
  }
}
