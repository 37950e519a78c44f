/// The untyped expression tree the parser builds; the type checker turns it into `ExprNode`.
/// Ranges are Unicode-scalar offsets into the YAML value.
struct Syntax: Sendable {
  indirect enum Kind: Sendable {
    case integer(String)
    case decimal(String)
    case duration(Int, String)
    case string(String)
    case bool(Bool)
    case null
    case name(String)
    case parameter(String)
    case list([Syntax])
    case unary(String, Syntax)
    case binary(String, Syntax, Syntax)
    case call(String, nameRange: Range<Int>, [Syntax])
    /// `base[keys @ at]`
    case index(Syntax, [Syntax], at: Syntax?)
    /// `base[column = value @ at]`
    case indexWhere(Syntax, column: String, columnRange: Range<Int>, value: Syntax, at: Syntax?)
    /// `base.name` / `base?.name`
    case member(Syntax, String, nameRange: Range<Int>, nullSafe: Bool)
  }
  var kind: Kind
  var range: Range<Int>
  /// Height of the tree below and including this node; bounded by the depth limit.
  var depth: Int
}
