import CustodyValues
import Foundation

/// Values as bytes for spill files.
///
/// The canonical form makes byte equality the same as `Value ==`: strings in NFC (Swift
/// compares strings by canonical equivalence), decimals without trailing fractional zeros
/// (`1.50 == 1.5`). Runs are sorted by these bytes, so equal keys meet in a merge. A key whose
/// canonical form spells it differently also carries its spelling as written, which is what
/// evidence shows.
enum ValueCodec {
  private enum Tag: UInt8 {
    case null = 0, falseValue, trueValue, integer, decimal, string, date, days, months, list
  }

  /// Writes `v`; returns whether the canonical form spells it as written (always true when
  /// not `canonical`), so callers know if the spelling must be kept apart.
  @discardableResult
  static func write(_ v: Value, canonical: Bool, to w: inout ByteWriter) -> Bool {
    switch v {
    case .null: w.u8(Tag.null.rawValue)
    case .bool(let b): w.u8((b ? Tag.trueValue : Tag.falseValue).rawValue)
    case .integer(let i):
      w.u8(Tag.integer.rawValue)
      w.i64(i)
    case .decimal(let d):
      let x = canonical ? d.normalized : d
      w.u8(Tag.decimal.rawValue)
      w.i128(x.mantissa)
      w.int(x.scale)
      return x.scale == d.scale
    case .string(let s):
      w.u8(Tag.string.rawValue)
      // One pass over the bytes: copied as they are, then redone in NFC if not ASCII.
      let start = w.count
      var high: UInt8 = 0
      var s = s
      s.withUTF8 { u in
        w.u32(UInt32(u.count))
        w.append(UnsafeRawBufferPointer(u))
        for b in u { high |= b }
      }
      guard canonical, high >= 0x80 else { return true }
      let nfc = s.precomposedStringWithCanonicalMapping
      w.truncate(to: start)
      w.string(nfc)
      return nfc.utf8.elementsEqual(s.utf8)
    case .date(let d):
      w.u8(Tag.date.rawValue)
      w.i32(d.dayNumber)
    case .duration(let d):
      w.u8((d.unit == .days ? Tag.days : Tag.months).rawValue)
      w.int(d.amount)
    case .list(let l):
      return writeList(l, canonical: canonical, to: &w)
    }
    return true
  }

  /// Writes `values` as a list (a key); returns whether the canonical form spells it as
  /// written.
  @discardableResult
  static func writeList(_ values: [Value], canonical: Bool, to w: inout ByteWriter) -> Bool {
    w.u8(Tag.list.rawValue)
    w.u32(UInt32(values.count))
    var spelled = true
    for e in values { spelled = write(e, canonical: canonical, to: &w) && spelled }
    return spelled
  }

  /// Writes a one-value key, as `writeList([value])` does, without building the list.
  @discardableResult
  static func writeKey(_ value: Value, canonical: Bool, to w: inout ByteWriter) -> Bool {
    w.u8(Tag.list.rawValue)
    w.u32(1)
    return write(value, canonical: canonical, to: &w)
  }

  static func read(_ c: inout ByteCursor) throws(SpillError) -> Value {
    guard let tag = Tag(rawValue: try c.u8()) else {
      throw SpillError(corrupt: "a spill record has an unknown value")
    }
    switch tag {
    case .null: return .null
    case .falseValue: return .bool(false)
    case .trueValue: return .bool(true)
    case .integer: return .integer(try c.i64())
    case .decimal:
      let m = try c.i128()
      let scale = try c.int()
      guard (0...(2 * ExactDecimal.maxScale)).contains(scale) else {
        throw SpillError(corrupt: "a spill record has a decimal with scale \(scale)")
      }
      return .decimal(ExactDecimal(mantissa: m, scale: scale))
    case .string: return .string(try c.string())
    case .date: return .date(CivilDate(dayNumber: try c.i32()))
    case .days: return .duration(CalendarDuration(try c.int(), .days))
    case .months: return .duration(CalendarDuration(try c.int(), .months))
    case .list:
      let n = Int(try c.u32())
      var l: [Value] = []
      for _ in 0..<n { l.append(try read(&c)) }
      return .list(l)
    }
  }
}
