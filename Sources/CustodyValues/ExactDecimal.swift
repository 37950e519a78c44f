/// An exact decimal number: `mantissa / 10^scale`.
///
/// custody never uses binary floating point for masses, percentages or balances: a rounding
/// error that flips a verdict is a false non-conformity in front of an auditor. Sums,
/// differences and products are exact; a quotient is rounded half-even to `divisionScale`
/// fractional digits, the one place where rounding happens, and it is documented.
///
/// The scale is kept as written (`1.50` keeps two digits) so values print as they were read;
/// equality and hashing ignore trailing zeros (`1.50 == 1.5`).
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
  // Stored as two 64-bit halves and a 16-bit scale: 18 bytes aligned to 8, where `Int128` +
  // `Int` took 32 aligned to 16. That makes every `Value` 24 bytes instead of 48, which halves
  // the memory of rows, reference tables and unique keys (and the bytes copied per cell).
  @usableFromInline var low: UInt64
  @usableFromInline var high: Int64
  @usableFromInline var storedScale: Int16

  public var mantissa: Int128 {
    @inline(__always) get { Int128(high) << 64 | Int128(low) }
    @inline(__always) set {
      low = UInt64(truncatingIfNeeded: newValue)
      high = Int64(truncatingIfNeeded: newValue >> 64)
    }
  }
  /// Fractional digits (at most `maxScale` once a value is formed; intermediate products up to
  /// twice that).
  public var scale: Int {
    @inline(__always) get { Int(storedScale) }
    @inline(__always) set { storedScale = Int16(newValue) }
  }

  /// The most fractional digits a value keeps; products beyond it are rounded half-even.
  public static let maxScale = 24
  /// Fractional digits of a quotient.
  public static let divisionScale = 18

  public static let zero = ExactDecimal(mantissa: 0, scale: 0)
  public static let one = ExactDecimal(mantissa: 1, scale: 0)

  @inline(__always) public init(mantissa: Int128, scale: Int) {
    low = UInt64(truncatingIfNeeded: mantissa)
    high = Int64(truncatingIfNeeded: mantissa >> 64)
    storedScale = Int16(scale)
  }

  public init(_ integer: Int) {
    self.init(mantissa: Int128(integer), scale: 0)
  }

  // MARK: Parsing

  /// Why a text is not a plain decimal. The ledger turns these into cell errors.
  public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case exponent
    case notANumber
    case infinity
    case invalidCharacter(Character, offset: Int)
    case tooManyDigits

    public var description: String {
      switch self {
      case .empty: "empty number"
      case .exponent: "exponent notation is not allowed; write the number out in full"
      case .notANumber: "NaN is not a number"
      case .infinity: "infinity is not a quantity"
      case .invalidCharacter(let c, let offset):
        "unexpected character '\(c)' at position \(offset + 1) of the number"
      case .tooManyDigits: "number has too many digits to be held exactly"
      }
    }
  }

  /// Parses `[+-]digits[.digits]`. With `decimalComma`, `,` is the fractional separator.
  public static func parse(_ text: some StringProtocol, decimalComma: Bool = false) -> Result<
    ExactDecimal, ParseError
  > {
    var utf8 = Array(text.utf8)
    return utf8.withUnsafeMutableBufferPointer {
      parse(bytes: UnsafeBufferPointer($0), decimalComma: decimalComma)
    }
  }

  /// Byte-level parser used by the CSV reader's hot loop.
  public static func parse(bytes: UnsafeBufferPointer<UInt8>, decimalComma: Bool = false) -> Result<
    ExactDecimal, ParseError
  > {
    let n = bytes.count
    if n == 0 { return .failure(.empty) }
    var i = 0
    var negative = false
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
      negative = bytes[0] == UInt8(ascii: "-")
      i = 1
    }
    let separator = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
    var mantissa: Int128 = 0
    var scale = 0
    var digits = 0
    var seenPoint = false
    var digitsAfterPoint = 0
    while i < n {
      let b = bytes[i]
      if b >= 48 && b <= 57 {
        digits += 1
        if digits > 36 { return .failure(.tooManyDigits) }
        mantissa = mantissa &* 10 &+ Int128(b &- 48)
        if seenPoint {
          scale += 1
          digitsAfterPoint += 1
        }
      } else if b == separator && !seenPoint {
        if digits == 0 { return .failure(classify(bytes, at: i)) }
        seenPoint = true
      } else {
        return .failure(classify(bytes, at: i))
      }
      i += 1
    }
    if digits == 0 { return .failure(classify(bytes, at: min(i, n - 1))) }
    if seenPoint && digitsAfterPoint == 0 { return .failure(classify(bytes, at: n - 1)) }
    if scale > maxScale { return .failure(.tooManyDigits) }
    return .success(ExactDecimal(mantissa: negative ? -mantissa : mantissa, scale: scale))
  }

  private static func classify(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> ParseError {
    let text = String(decoding: bytes, as: UTF8.self).lowercased()
    let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.dropFirst()) : text
    if unsigned == "nan" { return .notANumber }
    if unsigned == "inf" || unsigned == "infinity" || unsigned == "∞" { return .infinity }
    if text.contains("e"), text.allSatisfy({ "0123456789.+-e".contains($0) }) { return .exponent }
    let scalars = Array(String(decoding: bytes, as: UTF8.self))
    let index = min(offset, max(0, scalars.count - 1))
    return .invalidCharacter(scalars.isEmpty ? " " : scalars[index], offset: index)
  }

  /// Parses or returns nil; for literals that are already known to be well formed.
  public init?(_ text: some StringProtocol) {
    guard case .success(let value) = ExactDecimal.parse(text) else { return nil }
    self = value
  }

  // MARK: Arithmetic

  /// Why an operation has no exact result.
  public enum ArithmeticError: Error, Sendable, Equatable, CustomStringConvertible {
    case overflow
    case divisionByZero

    public var description: String {
      switch self {
      case .overflow: "arithmetic overflow: the result is too large to hold exactly"
      case .divisionByZero: "division by zero"
      }
    }
  }

  static let powersOfTen: [Int128] = {
    var powers: [Int128] = [1]
    for _ in 1...37 { powers.append(powers.last! * 10) }
    return powers
  }()

  @inline(__always)
  static func pow10(_ n: Int) -> Int128 { powersOfTen[n] }

  /// Both mantissas brought to the larger scale; nil if that overflows.
  @inline(__always)
  static func aligned(_ a: ExactDecimal, _ b: ExactDecimal) -> (Int128, Int128, Int)? {
    if a.scale == b.scale { return (a.mantissa, b.mantissa, a.scale) }
    if a.scale < b.scale {
      let (m, o) = a.mantissa.multipliedReportingOverflow(by: pow10(b.scale - a.scale))
      return o ? nil : (m, b.mantissa, b.scale)
    }
    let (m, o) = b.mantissa.multipliedReportingOverflow(by: pow10(a.scale - b.scale))
    return o ? nil : (a.mantissa, m, a.scale)
  }

  public func adding(_ other: ExactDecimal) throws(ArithmeticError) -> ExactDecimal {
    guard let (x, y, s) = ExactDecimal.aligned(self, other) else { throw .overflow }
    let (m, o) = x.addingReportingOverflow(y)
    if o { throw .overflow }
    return ExactDecimal(mantissa: m, scale: s)
  }

  public func subtracting(_ other: ExactDecimal) throws(ArithmeticError) -> ExactDecimal {
    guard let (x, y, s) = ExactDecimal.aligned(self, other) else { throw .overflow }
    let (m, o) = x.subtractingReportingOverflow(y)
    if o { throw .overflow }
    return ExactDecimal(mantissa: m, scale: s)
  }

  public func multiplied(by other: ExactDecimal) throws(ArithmeticError) -> ExactDecimal {
    let (m, o) = mantissa.multipliedReportingOverflow(by: other.mantissa)
    if o { throw .overflow }
    let result = ExactDecimal(mantissa: m, scale: scale + other.scale)
    return result.scale > ExactDecimal.maxScale
      ? result.rounded(scale: ExactDecimal.maxScale, .halfEven) : result
  }

  /// The quotient rounded half-even to `max(divisionScale, self.scale, other.scale)` digits.
  public func divided(by other: ExactDecimal) throws(ArithmeticError) -> ExactDecimal {
    if other.mantissa == 0 { throw .divisionByZero }
    let target = min(ExactDecimal.maxScale, max(ExactDecimal.divisionScale, scale, other.scale))
    // self / other = (m1 / 10^s1) / (m2 / 10^s2); scale numerator so the quotient has `target`
    // digits plus one guard digit for rounding.
    let shift = target + 1 + other.scale - scale
    var numerator = mantissa
    var denominator = other.mantissa
    if shift >= 0 {
      var remaining = shift
      while remaining > 0 {
        let step = min(remaining, 37)
        let (m, o) = numerator.multipliedReportingOverflow(by: ExactDecimal.pow10(step))
        if o { throw .overflow }
        numerator = m
        remaining -= step
      }
    } else {
      let (m, o) = denominator.multipliedReportingOverflow(by: ExactDecimal.pow10(-shift))
      if o { throw .overflow }
      denominator = m
    }
    let quotient = numerator / denominator
    let remainder = numerator % denominator
    // quotient has target+1 digits; round the guard digit half-even, counting the remainder.
    var q = quotient / 10
    let guardDigit = quotient % 10
    let magnitude = guardDigit.magnitude
    let sticky = remainder != 0
    let negative = (numerator < 0) != (denominator < 0)
    var roundUp = false
    if magnitude > 5 || (magnitude == 5 && sticky) {
      roundUp = true
    } else if magnitude == 5 && !sticky {
      roundUp = q % 2 != 0
    }
    if roundUp { q += negative ? -1 : 1 }
    return ExactDecimal(mantissa: q, scale: target)
  }

  public var negated: ExactDecimal { ExactDecimal(mantissa: -mantissa, scale: scale) }
  public var magnitude: ExactDecimal {
    ExactDecimal(mantissa: mantissa < 0 ? -mantissa : mantissa, scale: scale)
  }
  public var isZero: Bool { mantissa == 0 }
  public var isNegative: Bool { mantissa < 0 }
  public var signum: Int { mantissa > 0 ? 1 : (mantissa < 0 ? -1 : 0) }

  /// How a value is rounded to fewer digits.
  public enum RoundingMode: String, Sendable, CaseIterable {
    /// Banker's rounding: ties go to the even digit.
    case halfEven = "half_even"
    /// Commercial rounding: ties go away from zero.
    case halfUp = "half_up"
    case down, up, floor, ceiling
  }

  /// The value with at most `scale` fractional digits. Never overflows (it only shrinks).
  public func rounded(scale newScale: Int, _ mode: RoundingMode = .halfUp) -> ExactDecimal {
    if newScale >= scale { return self }
    let divisor = ExactDecimal.pow10(scale - newScale)
    var q = mantissa / divisor
    let r = mantissa % divisor
    if r != 0 {
      let twice = r.magnitude * 2
      let half = divisor.magnitude
      let negative = mantissa < 0
      let awayFromZero: Bool
      switch mode {
      case .halfUp: awayFromZero = twice >= half
      case .halfEven: awayFromZero = twice > half || (twice == half && q % 2 != 0)
      case .down: awayFromZero = false
      case .up: awayFromZero = true
      case .floor: awayFromZero = negative
      case .ceiling: awayFromZero = !negative
      }
      if awayFromZero { q += negative ? -1 : 1 }
    }
    return ExactDecimal(mantissa: q, scale: newScale)
  }

  /// The same value with trailing fractional zeros removed.
  public var normalized: ExactDecimal {
    var m = mantissa
    var s = scale
    while s > 0 && m % 10 == 0 {
      m /= 10
      s -= 1
    }
    return ExactDecimal(mantissa: m, scale: s)
  }

  /// The value at exactly `scale` digits if no digit is lost (for writing fixed-scale columns).
  public func withScale(_ newScale: Int) -> ExactDecimal? {
    if newScale == scale { return self }
    if newScale > scale {
      let (m, o) = mantissa.multipliedReportingOverflow(by: ExactDecimal.pow10(newScale - scale))
      return o ? nil : ExactDecimal(mantissa: m, scale: newScale)
    }
    let r = rounded(scale: newScale, .down)
    return r == self ? r : nil
  }

  // MARK: Comparison

  public static func == (a: ExactDecimal, b: ExactDecimal) -> Bool {
    if a.scale == b.scale { return a.mantissa == b.mantissa }
    return compare(a, b) == 0
  }

  public func hash(into hasher: inout Hasher) {
    let n = normalized
    hasher.combine(n.mantissa)
    hasher.combine(n.scale)
  }

  public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool { compare(a, b) < 0 }

  /// -1, 0 or 1. Exact for every pair, including those whose alignment would overflow.
  public static func compare(_ a: ExactDecimal, _ b: ExactDecimal) -> Int {
    if let (x, y, _) = aligned(a, b) { return x < y ? -1 : (x > y ? 1 : 0) }
    if a.signum != b.signum { return a.signum < b.signum ? -1 : 1 }
    // Same sign and far apart in magnitude: compare integer parts, then the fractions.
    let ai = a.mantissa / pow10(a.scale)
    let bi = b.mantissa / pow10(b.scale)
    if ai != bi { return ai < bi ? -1 : 1 }
    let af = ExactDecimal(mantissa: a.mantissa % pow10(a.scale), scale: a.scale)
    let bf = ExactDecimal(mantissa: b.mantissa % pow10(b.scale), scale: b.scale)
    let fa = af.rounded(scale: 30, .down)
    let fb = bf.rounded(scale: 30, .down)
    guard let (x, y, _) = aligned(fa, fb) else { return 0 }
    return x < y ? -1 : (x > y ? 1 : 0)
  }

  // MARK: Text

  /// The value as written: `-12.500`. Round-trips through `parse`.
  public var description: String {
    let negative = mantissa < 0
    var digits = String(mantissa.magnitude)
    if scale > 0 {
      if digits.count <= scale {
        digits = String(repeating: "0", count: scale - digits.count + 1) + digits
      }
      digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
    }
    return negative ? "-" + digits : digits
  }

  /// The shortest exact text (trailing zeros removed), used in canonical reports.
  public var canonicalDescription: String { normalized.description }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let value = ExactDecimal(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a decimal: \(text)"))
    }
    self = value
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(canonicalDescription)
  }
}

extension ExactDecimal: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) { self.init(value) }
}
