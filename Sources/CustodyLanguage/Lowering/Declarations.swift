import CustodyDiagnostics
import CustodyValues
import CustodyYAML

/// A declared parameter of a standard, rule or book (`params:` / `parameters:`).
struct ParamDecl: Sendable {
  var name: String
  var type: ValueType
  var defaultValue: Value?
  var description: String
  var span: SourceSpan
  /// Where the default was written.
  var defaultSpan: SourceSpan?
  /// `optional: true`: null (`~`) is a meaningful value (a default or a binding). Otherwise a
  /// null value is an error: it silently switched checks off (issue 22, item 8).
  var optional: Bool = false
  /// A default was written but rejected (already reported; no "needs a default" on top).
  var defaultInvalid: Bool = false
}

/// A rule file after lowering; its `check:` is compiled per instance (parameter values are
/// part of the compiled expressions).
struct RuleDecl: Sendable {
  var id: String
  var title: String
  var description: String
  var params: [ParamDecl]
  var requires: [YAMLScalar]
  /// Prerequisite rules: a row one of them judged non-conformant is not judged again here.
  var unlessFailing: [YAMLScalar] = []
  var effectiveFrom: CivilDate?
  var effectiveUntil: CivilDate?
  var kind: String
  var check: YAMLMapping
  var message: YAMLScalar?
  var tests: [YAMLNode]
  var file: String
  var span: SourceSpan
  var idSpan: SourceSpan
}

/// A book file after lowering; sources are compiled per mass_balance instance.
struct BookDecl: Sendable {
  var id: String
  var title: String
  var params: [ParamDecl]
  var account: [String]
  var sameDay: CompiledBook.SameDay
  var lifetime: YAMLScalar?
  var credits: [YAMLNode]
  var debits: [YAMLNode]
  var transfers: [YAMLNode]
  var opening: YAMLNode?
  var inputTotals: [YAMLNode]
  var outputTotals: [YAMLNode]
  var file: String
  var span: SourceSpan
}

/// One rule named in a clause, with its `with:` bindings.
struct RuleUse: Sendable {
  var ruleID: String
  var ruleSpan: SourceSpan
  var bindings: [(name: YAMLScalar, value: YAMLNode)]
}

struct ClauseDecl: Sendable {
  var clause: Clause
  var uses: [RuleUse]
  var documentary: Bool
  /// The requirement as written, to place `{$name}` diagnostics.
  var requirementScalar: YAMLScalar? = nil
}

struct StandardDecl: Sendable {
  var id: String
  var title: String
  var version: String
  var effectiveFrom: CivilDate?
  var effectiveUntil: CivilDate?
  var schemaPath: YAMLScalar?
  /// The clause unreadable ledger cells count against (`records_clause:`).
  var recordsClause: YAMLScalar?
  /// `severity_labels:`: display names of the severity levels.
  var severityLabels: [ClauseSeverity: String] = [:]
  var rulePaths: [YAMLScalar]
  var references: [ExternalReference]
  var params: [ParamDecl]
  var sections: [Section]
  var clauses: [ClauseDecl]
  var tests: [YAMLNode]
  var file: String
  var span: SourceSpan
}
