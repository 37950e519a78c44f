import CustodyValues
import Testing

@testable import CustodyEngine

/// `x / 10^k` skips Int128 division but must give exactly what `ExactDecimal.divided` gives.
@Suite struct DivisionFastPathTests {
  @Test(arguments: ["43.310947", "-0.000001", "0", "1234567890.123456", "95.4", "7"])
  func sameValueAndScaleAsDivided(_ text: String) throws {
    let x = try #require(ExactDecimal(text))
    for divisor in [ExactDecimal(1), ExactDecimal(10), ExactDecimal(100), ExactDecimal(1_000_000)] {
      let fast = try #require(ValueOps.dividedByPowerOfTen(x, divisor))
      let slow = try x.divided(by: divisor)
      #expect(fast.mantissa == slow.mantissa)
      #expect(fast.scale == slow.scale)
    }
  }

  @Test func leavesOtherDivisorsAndOverflowToDivided() throws {
    let x = try #require(ExactDecimal("2.5"))
    #expect(ValueOps.dividedByPowerOfTen(x, ExactDecimal(3)) == nil)
    #expect(ValueOps.dividedByPowerOfTen(x, try #require(ExactDecimal("0.1"))) == nil)
    #expect(ValueOps.dividedByPowerOfTen(x, ExactDecimal(-10)) == nil)
    let huge = ExactDecimal(mantissa: Int128(1) << 120, scale: 0)
    #expect(ValueOps.dividedByPowerOfTen(huge, ExactDecimal(100)) == nil)
  }
}
