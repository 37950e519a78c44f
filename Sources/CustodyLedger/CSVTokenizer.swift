import CustodyDiagnostics

/// A streaming RFC 4180 CSV tokenizer.
///
/// Hand-written on purpose: this is custody's hot path (a year of receipts is millions of rows),
/// so it works on raw bytes in 1 MiB chunks, validates UTF-8 as it goes, never holds the file as
/// one String, and keeps only the current record (unquoted field bytes) in memory. It also keeps
/// what an auditor needs when a file is broken: physical line numbers (a quoted field spanning
/// lines counts them) and the line:column where a problem starts. Columns count Unicode
/// scalars and are computed lazily, only when a location is needed, so the loop stays tight.
///
/// Line ends are LF, CRLF or CR; CRLF inside a quoted field is read as LF so a file saved on
/// Windows gives the same values. Blank lines between records are skipped.
final class CSVTokenizer {
  let path: String
  let delimiter: UInt8
  let limits: LedgerReadLimits
  let stream: ByteStream

  private static let quote = UInt8(ascii: "\"")
  private static let lf = UInt8(ascii: "\n")
  private static let cr = UInt8(ascii: "\r")

  private enum State { case fieldStart, unquoted, quoted, quotedCR, quoteSeen, afterCR }

  // The current chunk: bytes [0, filled); validated up to `limit`; `stop` says why it ends there.
  private let chunk: UnsafeMutablePointer<UInt8>
  private let chunkCapacity: Int
  private var p = 0
  private var limit = 0
  private var filled = 0
  private var stop: UTF8Validator.Stop = .valid
  private var firstRead = true
  private var finished = false

  // The current record. An unquoted field that lies inside the chunk is not copied: its start
  // is stored as -(chunk offset + 1). Quoted fields and fields cut by a chunk boundary are
  // unquoted into `out` (start >= 0). Before a refill overwrites the chunk, `relocate` copies
  // the record's chunk-backed fields into `out`.
  private var out: UnsafeMutablePointer<UInt8>
  private var outCapacity: Int
  private var outCount = 0
  private var fieldBegin = 0
  /// The current field already has bytes in `out`.
  private var fieldInOut = false
  private var recordBytes = 0
  private var starts: UnsafeMutablePointer<Int>
  private var lengths: UnsafeMutablePointer<Int>
  private var fieldLines: UnsafeMutablePointer<Int>
  private var endsCapacity: Int
  /// Number of fields in the current record.
  private(set) var fieldCount = 0
  /// Physical line where the current record starts.
  private(set) var recordLine = 1

  /// 1 for bytes that end an unquoted run (delimiter, quote, CR, LF); 2 for a quoted run
  /// (quote, CR, LF). One table load per byte instead of four compares.
  private let stops: UnsafeMutablePointer<UInt8>

  private var state = State.fieldStart
  private var inRecord = false
  /// Physical line of the byte at `p`.
  private(set) var line = 1
  // Lazy columns: `colValue` is the column of chunk position `colPos`.
  private var colPos = 0
  private var colValue = 1
  private var fieldStartPos = 0
  private var fieldStartResolved = true
  private var fieldStartColumn = 1
  private var fieldLine = 1
  /// Columns (Unicode scalars) where the first record's fields start, for header diagnostics.
  private(set) var headerColumns: [Int] = []
  private var trackColumns = true

  init(
    path: String, delimiter: UInt8, limits: LedgerReadLimits, encoding: TextEncoding = .utf8
  ) throws(LedgerError) {
    self.path = path
    self.delimiter = delimiter
    self.limits = limits
    let stream = try ByteStream(path: path)
    if encoding != .utf8 {
      stream.decoder = try StreamDecoder(encoding: encoding, path: path)
    }
    self.stream = stream
    // At least 4 bytes per read, so the first read always sees a whole BOM.
    chunkCapacity = max(limits.chunkBytes, 4) + 4
    chunk = .allocate(capacity: chunkCapacity)
    outCapacity = 1 << 16
    out = .allocate(capacity: outCapacity)
    endsCapacity = 64
    starts = .allocate(capacity: endsCapacity)
    lengths = .allocate(capacity: endsCapacity)
    fieldLines = .allocate(capacity: endsCapacity)
    stops = .allocate(capacity: 256)
    stops.initialize(repeating: 0, count: 256)
    for b in [CSVTokenizer.quote, CSVTokenizer.lf, CSVTokenizer.cr] { stops[Int(b)] = 3 }
    stops[Int(delimiter)] |= 1
    // A UTF-8 BOM is only skipped in UTF-8 files (other encodings handle their own marks).
    if encoding != .utf8 { firstRead = false }
  }

  deinit {
    chunk.deallocate()
    out.deallocate()
    starts.deallocate()
    lengths.deallocate()
    fieldLines.deallocate()
    stops.deallocate()
  }

  // MARK: Record access

  /// The bytes of field `i` of the current record (valid until the next `next()`).
  @inline(__always) func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    let s = starts[i]
    return UnsafeBufferPointer(
      start: s < 0 ? UnsafePointer(chunk + (-s - 1)) : UnsafePointer(out + s), count: lengths[i])
  }

  func fieldString(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }

  /// Physical line where field `i` starts.
  func fieldLine(_ i: Int) -> Int { fieldLines[i] }

  // MARK: Reading

  /// Reads the next record; false at the end of the file.
  func next() throws(LedgerError) -> Bool {
    if finished { return false }
    while true {
      if p >= limit {
        switch stop {
        case .invalid(let offset) where offset == p:
          throw error(
            .ledgerNotUTF8, "invalid UTF-8 byte 0x\(hex(chunk[p])); the file is not UTF-8", at: p)
        case .nul(let offset) where offset == p:
          throw error(.nulByte, "NUL byte in a text file; is it binary or UTF-16?", at: p)
        default: break
        }
        if try !refill() {
          finished = true
          return try finishAtEOF()
        }
        continue
      }
      if try step() { return true }
    }
  }

  /// Reads the rest of the file so sha256 covers every byte; call once rows are done.
  func finish() throws(LedgerError) -> (sha256: String, bytes: Int) {
    try stream.drain()
    return (stream.sha256Hex(), stream.totalBytes)
  }

  private func refill() throws(LedgerError) -> Bool {
    if inRecord && !fieldStartResolved {
      fieldStartColumn = column(at: fieldStartPos)
      fieldStartResolved = true
    }
    if inRecord { try relocate() }
    colValue += scalars(from: colPos, to: limit)
    let carry = filled - limit
    if carry > 0 { (chunk).update(from: chunk + limit, count: carry) }
    let n = try stream.read(into: chunk + carry, capacity: chunkCapacity - carry)
    p = 0
    colPos = 0
    filled = carry + n
    if n == 0 {
      if let failure = stream.decodingFailure {
        // Everything before the bad bytes has been tokenized: `line` and `colValue` are
        // where they start, counted in characters of the original file.
        throw LedgerError(
          Diagnostic(.undecodableBytes, failure, at: span(line, colValue)))
      }
      if carry == 0 { return false }
      // A multi-byte sequence cut off by the end of the file.
      limit = 0
      stop = .invalid(offset: 0)
      return true
    }
    if firstRead {
      firstRead = false
      if filled >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF {
        p = 3
        colPos = 3
      }
    }
    stop = UTF8Validator.scan(chunk + p, count: filled - p)
    switch stop {
    case .valid: limit = filled
    case .incomplete(let o):
      stop = .incomplete(offset: o + p)
      limit = o + p
    case .invalid(let o):
      stop = .invalid(offset: o + p)
      limit = o + p
    case .nul(let o):
      stop = .nul(offset: o + p)
      limit = o + p
    }
    return true
  }

  private func finishAtEOF() throws(LedgerError) -> Bool {
    switch state {
    case .quoted, .quotedCR:
      throw LedgerError(
        Diagnostic(
          .unterminatedQuote, "quoted field opened here is never closed",
          at: span(fieldLine, fieldStartColumn)))
    case .fieldStart, .afterCR:
      if !inRecord { return false }
    case .unquoted, .quoteSeen: break
    }
    try endField()
    inRecord = false
    trackColumns = false
    state = .fieldStart
    return true
  }

  /// Parses from `p` until a record ends (true) or the validated bytes run out (false).
  private func step() throws(LedgerError) -> Bool {
    let b = chunk
    let end = limit
    let delim = delimiter
    let quote = CSVTokenizer.quote
    let lf = CSVTokenizer.lf
    let cr = CSVTokenizer.cr
    var i = p
    while i < end {
      switch state {
      case .fieldStart:
        let c = b[i]
        if !inRecord {
          if c == lf || c == cr {  // blank line
            i += 1
            newline(after: i)
            if c == cr { state = .afterCR }
            continue
          }
          inRecord = true
          recordLine = line
          outCount = 0
          fieldBegin = 0
          fieldCount = 0
          recordBytes = 0
        }
        fieldStartPos = i
        fieldStartResolved = false
        fieldLine = line
        if c == quote {
          i += 1
          state = .quoted
          fieldInOut = true
        } else {
          state = .unquoted
        }
      case .unquoted:
        let s = i
        while i < end && stops[Int(b[i])] & 1 == 0 { i += 1 }
        if i == end {
          try append(b + s, i - s)
          fieldInOut = true
          break
        }
        let c = b[i]
        if c == quote {
          p = i
          throw error(
            .strayQuote,
            "quote inside an unquoted field; quote the whole field and double inner quotes", at: i)
        }
        if fieldInOut {
          try append(b + s, i - s)
          try endField()
        } else {
          try endField(chunkStart: s, length: i - s)
        }
        if c == delim {
          i += 1
          state = .fieldStart
        } else {
          i += 1
          p = i
          endRecord(newlineWasCR: c == cr)
          return true
        }
      case .quoted:
        let s = i
        while i < end && stops[Int(b[i])] & 2 == 0 { i += 1 }
        if i > s { try append(b + s, i - s) }
        if i == end { break }
        let c = b[i]
        if c == quote {
          state = .quoteSeen
        } else if c == lf {
          try appendByte(lf)
          quotedNewline(at: i)
        } else {
          state = .quotedCR
        }
        i += 1
      case .quotedCR:
        if b[i] == lf {
          try appendByte(lf)
          quotedNewline(at: i)
          i += 1
        } else {
          try appendByte(cr)
        }
        state = .quoted
      case .quoteSeen:
        let c = b[i]
        if c == quote {
          try appendByte(quote)
          i += 1
          state = .quoted
        } else if c == delim {
          try endField()
          i += 1
          state = .fieldStart
        } else if c == lf || c == cr {
          try endField()
          i += 1
          p = i
          endRecord(newlineWasCR: c == cr)
          return true
        } else {
          p = i
          throw error(.textAfterQuote, "text after the closing quote of a field", at: i)
        }
      case .afterCR:
        if b[i] == lf {
          i += 1
          colPos = i
        }
        state = .fieldStart
      }
    }
    p = i
    return false
  }

  // MARK: Helpers

  @inline(__always) private func endRecord(newlineWasCR: Bool) {
    fieldStartResolved = true
    trackColumns = false
    newline(after: p)
    inRecord = false
    state = newlineWasCR ? .afterCR : .fieldStart
  }

  @inline(__always) private func newline(after position: Int) {
    line += 1
    colPos = position
    colValue = 1
  }

  /// A line break inside a quoted field: keep where the field started before columns reset.
  private func quotedNewline(at i: Int) {
    if !fieldStartResolved {
      fieldStartColumn = column(at: fieldStartPos)
      fieldStartResolved = true
    }
    newline(after: i + 1)
  }

  @inline(__always) private func append(_ src: UnsafePointer<UInt8>, _ n: Int) throws(LedgerError) {
    try reserve(n)
    let dst = out + outCount
    if n <= 32 {  // most cells are short: a loop beats a memmove call
      for k in 0..<n { dst[k] = src[k] }
    } else {
      dst.update(from: src, count: n)
    }
    outCount += n
  }

  @inline(__always) private func appendByte(_ byte: UInt8) throws(LedgerError) {
    try reserve(1)
    out[outCount] = byte
    outCount += 1
  }

  @inline(__always) private func reserve(_ n: Int) throws(LedgerError) {
    if outCount - fieldBegin + n > limits.maxFieldBytes {
      throw LedgerError(
        Diagnostic(
          .fieldTooLarge,
          "field is larger than \(limits.maxFieldBytes) bytes\(state == .quoted || state == .quotedCR ? " (a quote that is never closed?)" : "")",
          at: span(fieldLine, currentFieldColumn())))
    }
    if outCount + n > outCapacity { try grow(outCount + n) }
  }

  private func grow(_ needed: Int) throws(LedgerError) {
    if needed > limits.maxRecordBytes {
      throw LedgerError(
        Diagnostic(
          .recordTooLarge, "record is larger than \(limits.maxRecordBytes) bytes",
          at: span(recordLine, 1)))
    }
    let capacity = min(max(outCapacity * 2, needed), limits.maxRecordBytes)
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    bigger.update(from: out, count: outCount)
    out.deallocate()
    out = bigger
    outCapacity = capacity
  }

  /// Ends an out-backed field.
  @inline(__always) private func endField() throws(LedgerError) {
    try addField(start: fieldBegin, length: outCount - fieldBegin)
  }

  /// Ends a field that lies inside the chunk (no copy).
  @inline(__always) private func endField(chunkStart: Int, length: Int) throws(LedgerError) {
    if length > limits.maxFieldBytes {
      throw LedgerError(
        Diagnostic(
          .fieldTooLarge, "field is larger than \(limits.maxFieldBytes) bytes",
          at: span(fieldLine, currentFieldColumn())))
    }
    try addField(start: -(chunkStart + 1), length: length)
  }

  /// Copies the record's chunk-backed fields into `out` before the chunk is overwritten,
  /// keeping the current field's partial bytes last and contiguous.
  private func relocate() throws(LedgerError) {
    var chunkBacked = false
    for k in 0..<fieldCount where starts[k] < 0 { chunkBacked = true }
    if !chunkBacked { return }
    let partial = outCount - fieldBegin
    let saved = UnsafeMutablePointer<UInt8>.allocate(capacity: max(partial, 1))
    defer { saved.deallocate() }
    saved.update(from: out + fieldBegin, count: partial)
    outCount = fieldBegin
    for k in 0..<fieldCount where starts[k] < 0 {
      let n = lengths[k]
      if outCount + n > outCapacity { try grow(outCount + n) }
      (out + outCount).update(from: chunk + (-starts[k] - 1), count: n)
      starts[k] = outCount
      outCount += n
    }
    fieldBegin = outCount
    if outCount + partial > outCapacity { try grow(outCount + partial) }
    (out + outCount).update(from: saved, count: partial)
    outCount += partial
  }

  @inline(__always) private func addField(start: Int, length: Int) throws(LedgerError) {
    recordBytes += length
    if recordBytes > limits.maxRecordBytes {
      throw LedgerError(
        Diagnostic(
          .recordTooLarge, "record is larger than \(limits.maxRecordBytes) bytes",
          at: span(recordLine, 1)))
    }
    if fieldCount >= limits.maxColumns {
      throw LedgerError(
        Diagnostic(
          .tooManyColumns, "record has more than \(limits.maxColumns) columns",
          at: span(fieldLine, currentFieldColumn())))
    }
    if fieldCount == endsCapacity {
      let capacity = endsCapacity * 2
      let s = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
      let n = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
      let l = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
      s.update(from: starts, count: fieldCount)
      n.update(from: lengths, count: fieldCount)
      l.update(from: fieldLines, count: fieldCount)
      starts.deallocate()
      lengths.deallocate()
      fieldLines.deallocate()
      starts = s
      lengths = n
      fieldLines = l
      endsCapacity = capacity
    }
    if trackColumns { headerColumns.append(currentFieldColumn()) }
    starts[fieldCount] = start
    lengths[fieldCount] = length
    fieldLines[fieldCount] = fieldLine
    fieldCount += 1
    fieldBegin = outCount
    fieldInOut = false
  }

  private func currentFieldColumn() -> Int {
    if !fieldStartResolved {
      fieldStartColumn = column(at: fieldStartPos)
      fieldStartResolved = true
    }
    return fieldStartColumn
  }

  /// Column of chunk position `q` (q >= colPos, same line).
  private func column(at q: Int) -> Int {
    colValue += scalars(from: colPos, to: q)
    colPos = q
    return colValue
  }

  private func scalars(from a: Int, to b: Int) -> Int {
    var n = 0
    var i = a
    while i < b {
      if chunk[i] & 0xC0 != 0x80 { n += 1 }
      i += 1
    }
    return n
  }

  private func error(_ code: DiagnosticCode, _ message: String, at q: Int) -> LedgerError {
    _ = currentFieldColumn()
    return LedgerError(Diagnostic(code, message, at: span(line, column(at: q))))
  }

  private func span(_ line: Int, _ column: Int) -> SourceSpan {
    SourceSpan(SourceLocation(file: path, line: line, column: column))
  }

  private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
  }
}
