import CustodyDiagnostics
import CustodyEngine
import CustodyLanguage
import CustodyReports
import CustodyValues
import CustodyYAML

/// An approved exception: findings it matches are reported as `waived` (never removed), so an
/// auditor sees both the finding and who accepted it, why, and until when.
public struct Waiver: Sendable, Hashable {
  public var id: String
  /// A clause id or a rule id the waiver applies to.
  public var clause: String?
  public var rule: String?
  /// Entry ids a finding's evidence must be within, or account keys (`site|pool|partner`).
  public var entryIDs: Set<String>
  public var accounts: Set<String>
  public var reason: String
  public var approvedBy: String
  public var expires: CivilDate
  public var span: SourceSpan?

  public var target: String {
    var parts: [String] = []
    if let clause { parts.append("clause \(clause)") }
    if let rule { parts.append("rule \(rule)") }
    if !entryIDs.isEmpty { parts.append("entries \(entryIDs.sorted().joined(separator: ","))") }
    if !accounts.isEmpty { parts.append("accounts \(accounts.sorted().joined(separator: ","))") }
    return parts.joined(separator: "; ")
  }
}

/// Reads and applies a waivers file (`waivers:` list, docs/editing.md#waivers).
public enum Waivers {
  /// Loads a waivers file; problems are diagnostics with file:line:column.
  public static func load(path: String, sources: SourceCache, into bag: inout DiagnosticBag)
    -> [Waiver]
  {
    guard let root = YAMLLoader(sources: sources).load(path: path, into: &bag) else { return [] }
    guard let map = root.mapping, let list = map["waivers"]?.sequence else {
      bag.report(.waiverFormat, "a waivers file is a mapping with a `waivers:` list", at: root.span)
      return []
    }
    for key in map.pairs where key.key.value != "waivers" {
      bag.report(
        .waiverFormat, "unknown key '\(key.key.value)' in a waivers file", at: key.key.span,
        suggestions: Suggestions.closest(to: key.key.value, in: ["waivers"]))
    }
    var waivers: [Waiver] = []
    var seen: [String: SourceSpan] = [:]
    let known = [
      "id", "clause", "rule", "entry_ids", "accounts", "reason", "approved_by", "expires",
    ]
    for item in list.items {
      guard let m = item.mapping else {
        bag.report(
          .waiverFormat, "a waiver is a mapping, not \(item.kindDescription)", at: item.span)
        continue
      }
      for pair in m.pairs where !known.contains(pair.key.value) {
        bag.report(
          .waiverFormat, "unknown key '\(pair.key.value)' in a waiver", at: pair.key.span,
          suggestions: Suggestions.closest(to: pair.key.value, in: known))
      }
      func string(_ key: String, required: Bool) -> String? {
        guard let node = m[key] else {
          if required { bag.report(.waiverFormat, "a waiver needs `\(key):`", at: m.span) }
          return nil
        }
        guard let s = node.scalar, !s.isNull, !s.value.isEmpty else {
          bag.report(.waiverFormat, "`\(key):` must be a non-empty text", at: node.span)
          return nil
        }
        return s.value
      }
      func strings(_ key: String) -> [String] {
        guard let node = m[key] else { return [] }
        if let s = node.scalar { return [s.value] }
        guard let seq = node.sequence else {
          bag.report(.waiverFormat, "`\(key):` must be a list of texts", at: node.span)
          return []
        }
        return seq.items.compactMap { item in
          guard let s = item.scalar else {
            bag.report(.waiverFormat, "`\(key):` items must be texts", at: item.span)
            return nil
          }
          return s.value
        }
      }
      let id = string("id", required: true)
      let clause = string("clause", required: false)
      let rule = string("rule", required: false)
      let reason = string("reason", required: true)
      let approved = string("approved_by", required: true)
      let expiresText = string("expires", required: true)
      if clause == nil && rule == nil {
        bag.report(.waiverFormat, "a waiver names a `clause:` or a `rule:`", at: m.span)
      }
      let entryIDs = Set(strings("entry_ids"))
      let accounts = Set(strings("accounts"))
      if entryIDs.isEmpty && accounts.isEmpty {
        bag.report(
          .waiverFormat, "a waiver lists the `entry_ids:` or `accounts:` it matches", at: m.span,
          help: "a waiver never covers a whole clause blindly")
      }
      var expires: CivilDate?
      if let expiresText {
        expires = CivilDate.parseISO(expiresText)
        if expires == nil {
          bag.report(
            .waiverFormat, "`expires:` must be a date YYYY-MM-DD, not '\(expiresText)'",
            at: m["expires"]?.span)
        }
      }
      if let id, let first = seen[id] {
        bag.report(
          .waiverFormat, "duplicate waiver id '\(id)'", at: m["id"]?.span,
          notes: [DiagnosticNote("first defined here", at: first)])
      }
      if let id { seen[id] = m["id"]?.span }
      if let id, let reason, let approved, let expires, clause != nil || rule != nil,
        !(entryIDs.isEmpty && accounts.isEmpty)
      {
        waivers.append(
          Waiver(
            id: id, clause: clause, rule: rule, entryIDs: entryIDs, accounts: accounts,
            reason: reason, approvedBy: approved, expires: expires, span: m.span))
      }
    }
    return waivers
  }

  /// Marks matching findings and non-conformities as waived, lists every waiver with its
  /// status (applied, expired, unmatched), and recomputes the summary and verdict. An expired
  /// waiver waives nothing.
  public static func apply(_ waivers: [Waiver], to report: inout Report, asOf: CivilDate) {
    var matched: [String: Int] = [:]
    func matches(
      _ w: Waiver, rule: String, clauses: [String], evidence: [Report.Evidence], account: String?
    ) -> Bool {
      if let r = w.rule, r != rule { return false }
      if let c = w.clause, !clauses.contains(c) { return false }
      if let account, w.accounts.contains(account) { return true }
      let ids = evidence.compactMap(\.entryId)
      return !ids.isEmpty && ids.count == evidence.count
        && ids.allSatisfy { w.entryIDs.contains($0) }
    }
    let active = waivers.filter { $0.expires >= asOf }
    var waivedFindings: [String: String] = [:]
    for i in report.findings.indices {
      let f = report.findings[i]
      // A capped evidence list cannot prove every row is covered.
      guard f.status == .fail || f.status == .error,
        f.evidenceTotal == f.evidence.count || f.account != nil
      else { continue }
      if let w = active.first(where: {
        matches($0, rule: f.rule, clauses: f.clauses, evidence: f.evidence, account: f.account)
      }) {
        report.findings[i].status = .waived
        report.findings[i].waiver = w.id
        waivedFindings[f.id] = w.id
        matched[w.id, default: 0] += 1
      }
    }
    for i in report.nonconformities.indices {
      let nc = report.nonconformities[i]
      report.nonconformities[i].waived =
        !nc.findings.isEmpty && nc.findings.allSatisfy { waivedFindings[$0] != nil }
    }
    report.waivers = waivers.sorted { $0.id < $1.id }.map { w in
      let status: Report.WaiverEntry.Status =
        w.expires < asOf ? .expired : (matched[w.id, default: 0] > 0 ? .applied : .unmatched)
      return Report.WaiverEntry(
        id: w.id, target: w.target, status: status, reason: w.reason, approvedBy: w.approvedBy,
        expires: w.expires.description, matched: matched[w.id, default: 0])
    }
    recomputeVerdict(&report)
  }

  /// Summary counts and verdict from the non-waived non-conformities at the `fail_on` level.
  public static func recomputeVerdict(_ report: inout Report) {
    let open = report.nonconformities.filter { !$0.waived }
    let counts = Judgement.summary(openNonConformities: open.map(\.severity))
    report.summary.major = counts[.major, default: 0]
    report.summary.minor = counts[.minor, default: 0]
    report.summary.observation = counts[.observation, default: 0]
    report.summary.waived = report.findings.count { $0.status == .waived }
    // The one verdict function (the engine's).
    report.verdict = Judgement.verdict(
      openNonConformities: open.map(\.severity), clauses: report.clauses.map(\.status),
      failOn: report.failOn)
    // A clause stays non-conformant while any of its non-conformities is open.
    for i in report.clauses.indices where report.clauses[i].status == .nonConformant {
      let id = report.clauses[i].id
      let ncs = report.nonconformities.filter { $0.clause == id }
      if !ncs.isEmpty && ncs.allSatisfy(\.waived) {
        report.clauses[i].reason = "all non-conformities waived"
      }
    }
  }
}
