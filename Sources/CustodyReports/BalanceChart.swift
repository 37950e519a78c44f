import CustodyValues

/// An inline SVG step chart of an account's running balance: the opening balance, one step per
/// posting, a dashed zero line, and the first failing posting circled. Coordinates are
/// computed with exact decimals (rounded to 0.1 px), so the same trace always draws the same
/// bytes.
public struct BalanceChart: Sendable {
  /// The chart's styles (and the first failing step's row), shared by the HTML report and the
  /// service's pages so both draw it alike.
  public static let css = """
    svg.chart { max-width: 100%; height: auto; display: block; }
    svg .plot { fill: #fafbfc; stroke: var(--line); }
    svg .negative { fill: #fde8e6; }
    svg .zero { stroke: #444; stroke-dasharray: 4 3; }
    svg .balance { fill: none; stroke: #1f5fbf; stroke-width: 2; }
    svg .point { fill: #1f5fbf; }
    svg .failure { fill: none; stroke: var(--bad); stroke-width: 3; }
    svg .failure-label { fill: var(--bad); font-size: 12px; font-weight: bold; }
    svg .axis { fill: var(--muted); font-size: 11px; }
    tr.first-failure td { background: #fde8e6; }
    """

  var width = 720
  var height = 260
  private let left = 96
  private let right = 24
  private let top = 24
  private let bottom = 44

  public init() {}

  /// The SVG element, or nil when a balance is not a decimal (the table still shows it).
  /// `byDate`: points are placed by their step's date (the opening at the first step's),
  /// not one step apart (the statement's chart of period closes).
  public func svg(_ trace: Report.AccountTrace, title: String, byDate: Bool = false) -> String? {
    guard let opening = ExactDecimal(trace.opening) else { return nil }
    var balances = [opening]
    for step in trace.steps {
      guard let value = ExactDecimal(step.balance) else { return nil }
      balances.append(value)
    }
    var low = balances.min() ?? .zero
    var high = balances.max() ?? .zero
    if ExactDecimal.zero < low { low = .zero }
    if high < ExactDecimal.zero { high = .zero }
    if low == high { high = (try? high.adding(.one)) ?? high }

    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let n = max(1, balances.count - 1)
    var days: [Int]?
    if byDate {
      let d = trace.steps.compactMap { CivilDate.parseISO($0.date).map { Int($0.dayNumber) } }
      if d.count == trace.steps.count, let first = d.first { days = [first] + d }
    }
    func x(_ i: Int) -> String {
      if let days, let first = days.first, let last = days.last, last > first {
        return scaled(
          ExactDecimal(days[i] - first), ExactDecimal(last - first), plotWidth, offset: left)
      }
      return scaled(ExactDecimal(i), ExactDecimal(n), plotWidth, offset: left)
    }
    func y(_ v: ExactDecimal) -> String {
      let fromTop = (try? high.subtracting(v)) ?? .zero
      let range = (try? high.subtracting(low)) ?? .one
      return scaled(fromTop, range, plotHeight, offset: top)
    }

    // Steps: hold the previous balance until the posting, then jump.
    var points = ["\(x(0)),\(y(balances[0]))"]
    for i in 1..<balances.count {
      points.append("\(x(i)),\(y(balances[i - 1]))")
      points.append("\(x(i)),\(y(balances[i]))")
    }
    let zeroY = y(.zero)
    let e = Escape.xml
    var out =
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\""
    out += " width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(e(title))\">\n"
    out += "<title>\(e(title))</title>\n"
    out +=
      "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" class=\"plot\"/>\n"
    if low < ExactDecimal.zero {
      out +=
        "<rect x=\"\(left)\" y=\"\(zeroY)\" width=\"\(plotWidth)\" height=\"\(subtract(top + plotHeight, zeroY))\" class=\"negative\"/>\n"
    }
    out +=
      "<line x1=\"\(left)\" y1=\"\(zeroY)\" x2=\"\(left + plotWidth)\" y2=\"\(zeroY)\" class=\"zero\"/>\n"
    out +=
      "<text x=\"\(left - 6)\" y=\"\(zeroY)\" class=\"axis\" text-anchor=\"end\" dominant-baseline=\"middle\">0</text>\n"
    out +=
      "<text x=\"\(left - 6)\" y=\"\(top)\" class=\"axis\" text-anchor=\"end\" dominant-baseline=\"middle\">\(e(high.description))</text>\n"
    if low < ExactDecimal.zero {
      out +=
        "<text x=\"\(left - 6)\" y=\"\(top + plotHeight)\" class=\"axis\" text-anchor=\"end\" dominant-baseline=\"middle\">\(e(low.description))</text>\n"
    }
    if let first = trace.steps.first, let last = trace.steps.last {
      out +=
        "<text x=\"\(left)\" y=\"\(height - bottom + 18)\" class=\"axis\">\(e(first.date))</text>\n"
      out +=
        "<text x=\"\(left + plotWidth)\" y=\"\(height - bottom + 18)\" class=\"axis\" text-anchor=\"end\">\(e(last.date))</text>\n"
    }
    out += "<polyline class=\"balance\" points=\"\(points.joined(separator: " "))\"/>\n"
    for (i, step) in trace.steps.enumerated() {
      let tip =
        "\(step.date) \(step.kind) \(step.amount), balance \(step.balance)"
        + (step.entryId.map { " (\($0))" } ?? "")
      out +=
        "<circle cx=\"\(x(i + 1))\" cy=\"\(y(balances[i + 1]))\" r=\"2.5\" class=\"point\"><title>\(e(tip))</title></circle>\n"
    }
    if let failure = trace.firstFailure, failure >= 0, failure < trace.steps.count {
      let step = trace.steps[failure]
      let cx = x(failure + 1)
      let cy = y(balances[failure + 1])
      let label =
        "first failure \(step.date): \(step.balance)" + (step.entryId.map { " (\($0))" } ?? "")
      let anchor = failure + 1 > n / 2 ? "end" : "start"
      let dx = anchor == "end" ? "-10" : "10"
      out += "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"7\" class=\"failure\"/>\n"
      out +=
        "<text x=\"\(cx)\" y=\"\(cy)\" dx=\"\(dx)\" dy=\"-10\" text-anchor=\"\(anchor)\" class=\"failure-label\">\(e(label))</text>\n"
    }
    out += "</svg>"
    return out
  }

  /// offset + numerator / denominator * span, to one decimal place.
  private func scaled(
    _ numerator: ExactDecimal, _ denominator: ExactDecimal, _ span: Int, offset: Int
  ) -> String {
    guard let product = try? numerator.multiplied(by: ExactDecimal(span)),
      let ratio = try? product.divided(by: denominator),
      let total = try? ratio.adding(ExactDecimal(offset))
    else { return "\(offset)" }
    return total.rounded(scale: 1).normalized.description
  }

  private func subtract(_ a: Int, _ b: String) -> String {
    guard let value = ExactDecimal(b), let difference = try? ExactDecimal(a).subtracting(value)
    else { return "0" }
    return difference.normalized.description
  }
}
