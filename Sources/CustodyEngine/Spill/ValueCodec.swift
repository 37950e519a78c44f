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

  static func write(_ v: Value, canonical: Bool, to w: inout ByteWriter) {
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
    case .string(let s):
      w.u8(Tag.string.rawValue)
      w.string(canonical && !isASCII(s) ? s.precomposedStringWithCanonicalMapping : s)
    case .date(let d):
      w.u8(Tag.date.rawValue)
      w.i32(d.dayNumber)
    case .duration(let d):
      w.u8((d.unit == .days ? Tag.days : Tag.months).rawValue)
      w.int(d.amount)
    case .list(let l):
      w.u8(Tag.list.rawValue)
      w.u32(UInt32(l.count))
      for e in l { write(e, canonical: canonical, to: &w) }
    }
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
      return .decimal(ExactDecimal(mantissa: m, scale: try c.int()))
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

  /// Whether the canonical form of `v` spells it as written (so the spelling need not be
  /// stored twice): ASCII strings, normalized decimals and every other kind.
  static func canonicalSpellsAsWritten(_ v: Value) -> Bool {
    switch v {
    case .string(let s):
      isASCII(s) || s.precomposedStringWithCanonicalMapping.utf8.elementsEqual(s.utf8)
    case .decimal(let d): d.normalized.scale == d.scale
    case .list(let l): l.allSatisfy(canonicalSpellsAsWritten)
    default: true
    }
  }

  private static func isASCII(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { u in u.allSatisfy { $0 < 0x80 } }
  }
}
