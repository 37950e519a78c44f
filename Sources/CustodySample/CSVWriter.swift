#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A buffered CSV file writer. Rows are assembled in a byte buffer and flushed in 256 KiB
/// blocks, so 10 million rows write at disk speed. Quantities are written from integer
/// micro-tonnes, never through binary floating point.
final class CSVWriter {
  private let file: UnsafeMutablePointer<FILE>
  private let path: String
  private var buffer: [UInt8] = []
  private var atLineStart = true
  /// Rows written so far, excluding the header.
  private(set) var rows = 0

  init(path: String, header: [String]) throws(SampleError) {
    guard let file = fopen(path, "wb") else {
      throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    self.file = file
    self.path = path
    buffer.reserveCapacity(1 << 18)
    for name in header { string(name) }
    endRow()
    rows = 0
  }

  /// The physical line the next row will be written on (header is line 1).
  var nextLine: Int { rows + 2 }

  private func separator() {
    if atLineStart { atLineStart = false } else { buffer.append(UInt8(ascii: ",")) }
  }

  /// A text field; quoted per RFC 4180 only when it holds a comma, quote or line break.
  func string(_ value: String) {
    separator()
    let utf8 = value.utf8
    if utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
      buffer.append(0x22)
      for byte in utf8 {
        if byte == 0x22 { buffer.append(0x22) }
        buffer.append(byte)
      }
      buffer.append(0x22)
    } else {
      buffer.append(contentsOf: utf8)
    }
  }

  /// Pre-encoded bytes (dates from the calendar cache).
  func bytes(_ value: [UInt8]) {
    separator()
    buffer.append(contentsOf: value)
  }

  /// An empty cell (null).
  func empty() { separator() }

  func integer(_ value: Int64) {
    separator()
    appendInteger(value)
  }

  /// `value` units of 10^-`scale`, written as a plain decimal without trailing zeros.
  func decimal(_ value: Int64, scale: Int) {
    separator()
    var magnitude = value
    if value < 0 {
      buffer.append(UInt8(ascii: "-"))
      magnitude = -value
    }
    var divisor: Int64 = 1
    for _ in 0..<scale { divisor *= 10 }
    appendInteger(magnitude / divisor)
    var fraction = magnitude % divisor
    guard fraction != 0 else { return }
    var digits = scale
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    buffer.append(UInt8(ascii: "."))
    // Leading zeros of the fraction (0.05 -> "05"), then its significant digits.
    var width = 0
    var probe = fraction
    while probe > 0 {
      width += 1
      probe /= 10
    }
    for _ in 0..<(digits - width) { buffer.append(UInt8(ascii: "0")) }
    appendInteger(fraction)
  }

  /// Micro-tonnes as tonnes with up to 6 fractional digits.
  func micro(_ value: Int64) { decimal(value, scale: 6) }

  func boolean(_ value: Bool) { string(value ? "true" : "false") }

  func endRow() {
    buffer.append(UInt8(ascii: "\n"))
    atLineStart = true
    rows += 1
    if buffer.count >= 1 << 18 { flush() }
  }

  private func appendInteger(_ value: Int64) {
    if value == 0 {
      buffer.append(UInt8(ascii: "0"))
      return
    }
    var digits:
      (
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
        UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
      ) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    var rest = value
    withUnsafeMutableBytes(of: &digits) { raw in
      while rest > 0 {
        raw[count] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
        count += 1
      }
      for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[i]) }
    }
  }

  private func flush() {
    guard !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { raw in _ = fwrite(raw.baseAddress, 1, raw.count, file) }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes and closes the file; reports a failed write (disk full) as an error.
  func close() throws(SampleError) {
    flush()
    let failed = ferror(file) != 0
    let closed = fclose(file)
    if failed || closed != 0 { throw .cannotWrite(path: path, reason: "write failed") }
  }
}
