import CustodyDiagnostics
import CustodyLanguage

/// A run-time error inside an expression: a null where a value is needed, a lookup that found
/// nothing, a division by zero. It becomes a finding with status `error` at the node's location.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
  public var code: DiagnosticCode
  public var message: String
  /// The YAML location of the expression node that failed.
  public var span: SourceSpan?
  /// The node's source text (`cu_t * 0.98`).
  public var expression: String

  public init(code: DiagnosticCode, message: String, span: SourceSpan?, expression: String) {
    self.code = code
    self.message = message
    self.span = span
    self.expression = expression
  }

  init(_ code: DiagnosticCode, _ message: String, at node: ExprNode) {
    self.init(code: code, message: message, span: node.span, expression: node.text)
  }

  public var description: String {
    "\(span.map { "\($0.start): " } ?? "")\(message) in `\(expression)` [\(code.id)]"
  }
}
