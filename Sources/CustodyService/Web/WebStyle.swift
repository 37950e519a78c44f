import Crypto
import CustodyKit
import Foundation

/// The pages' one stylesheet, inline in every page (no external assets). Its sha256 goes into
/// the Content-Security-Policy, so no other style (and no script at all) can run.
///
/// Colours meet WCAG AA contrast (4.5:1) on their backgrounds; links stay underlined; narrow
/// screens scroll wide tables inside focusable regions; print hides navigation and forms so a
/// run page prints as an audit annex.
enum WebStyle {
  static let css = """

    :root { --bad: #b3261e; --ok: #1e6b34; --warn: #7a4f00; --line: #c4c9d0; --muted: #4f5660; --link: #1a4fa0; --bg-soft: #f3f4f6; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; background: #fff; margin: 0; }
    a { color: var(--link); text-decoration: underline; }
    a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, [tabindex]:focus-visible { outline: 3px solid #e0a100; outline-offset: 2px; }
    .skip { position: absolute; left: -10000px; top: 0; background: #fff; padding: 8px; }
    .skip:focus { left: 8px; z-index: 10; }
    header.top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px 24px; padding: 10px 24px; border-bottom: 2px solid var(--line); background: var(--bg-soft); }
    header.top .brand { font-weight: bold; font-size: 17px; color: #1b1f24; text-decoration: none; }
    header.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; padding: 0; }
    header.top nav a[aria-current="page"] { font-weight: bold; }
    form.logout { display: flex; align-items: center; gap: 10px; margin: 0; }
    main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 40px; }
    footer.page { max-width: 1180px; margin: 0 auto; padding: 12px 24px; color: var(--muted); border-top: 1px solid var(--line); }
    h1 { font-size: 24px; margin: 8px 0 10px; line-height: 1.25; }
    h2 { font-size: 19px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
    h3 { font-size: 16px; margin: 14px 0 4px; }
    .muted, .meta { color: var(--muted); }
    nav.crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: 4px; padding: 0; margin: 0 0 4px; color: var(--muted); }
    nav.crumbs li + li::before { content: "›"; padding: 0 6px; }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
    caption { text-align: left; font-weight: bold; padding: 4px 0; }
    th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
    thead th { background: var(--bg-soft); }
    tbody th { white-space: nowrap; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .hash, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; word-break: break-all; }
    .scroll { overflow-x: auto; }
    .badge { display: inline-block; font-size: 12px; font-weight: bold; text-transform: uppercase; letter-spacing: .03em; padding: 2px 8px; border-radius: 3px; background: #e4e7eb; color: #1b1f24; white-space: nowrap; }
    .badge.conformant, .badge.done-ok { background: var(--ok); color: #fff; }
    .badge.non_conformant, .badge.major, .badge.failed, .badge.overdue { background: var(--bad); color: #fff; }
    .badge.incomplete, .badge.minor { background: #f1c40f; color: #1b1f24; }
    .badge.observation { background: #dfe7f5; color: #1b1f24; }
    .badge.pending, .badge.running { background: #dfe7f5; color: #1b1f24; }
    .verdict { display: inline-block; font-weight: bold; font-size: 19px; padding: 6px 14px; border-radius: 4px; margin: 4px 0; background: #e4e7eb; }
    .verdict.conformant { background: var(--ok); color: #fff; }
    .verdict.non_conformant { background: var(--bad); color: #fff; }
    .verdict.incomplete { background: #f1c40f; color: #1b1f24; }
    tr.non_conformant td.status { color: var(--bad); font-weight: bold; }
    tr.conformant td.status { color: var(--ok); }
    tr.not_evaluated td.status { color: var(--warn); font-weight: bold; }
    article.nc { border-left: 5px solid var(--warn); padding: 4px 14px; margin: 14px 0; background: #fcfcfd; }
    article.nc.major { border-left-color: var(--bad); }
    article.nc.waived { border-left-color: var(--line); }
    .bad-text { color: var(--bad); font-weight: bold; }
    .ok-text { color: var(--ok); font-weight: bold; }
    ol.timeline { list-style: none; display: flex; flex-wrap: wrap; gap: 8px; padding: 0; margin: 8px 0 16px; }
    ol.timeline li { border: 2px solid var(--line); border-radius: 4px; padding: 6px 10px; min-width: 118px; }
    ol.timeline li.conformant { border-color: var(--ok); }
    ol.timeline li.non_conformant, ol.timeline li.overdue { border-color: var(--bad); }
    ol.timeline li.incomplete { border-color: #b08900; }
    ol.timeline .period { font-weight: bold; display: block; }
    form.stacked { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; max-width: 640px; }
    form.stacked .field { display: grid; gap: 4px; min-width: 0; }
    form.stacked select, form.stacked input[type=text], form.stacked input[type=password], form.stacked textarea { width: 100%; }
    form.inline select { max-width: 100%; }
    form.inline .field { min-width: 0; max-width: 100%; }
    form.inline { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; margin: 8px 0 14px; }
    form.inline .field { display: grid; gap: 4px; }
    label { font-weight: 600; }
    .hint { color: var(--muted); font-size: 13px; font-weight: normal; }
    input, select, textarea, button { font: inherit; }
    input[type=text], input[type=password], input[type=date], select, textarea { border: 1px solid #767d87; border-radius: 3px; padding: 5px 8px; max-width: 100%; }
    button { background: var(--link); color: #fff; border: 0; border-radius: 3px; padding: 6px 14px; cursor: pointer; }
    button.secondary { background: #e4e7eb; color: #1b1f24; border: 1px solid #767d87; }
    .error-box { border: 2px solid var(--bad); border-radius: 4px; padding: 10px 14px; background: #fdf1f0; }
    .error-box h2 { border: 0; margin-top: 0; color: var(--bad); }
    .notice { border: 2px solid var(--line); border-radius: 4px; padding: 10px 14px; background: var(--bg-soft); }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0 14px; }
    dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
    .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
    ul.formats { display: flex; flex-wrap: wrap; gap: 6px 16px; padding: 0; list-style: none; }
    pre.command { background: var(--bg-soft); border: 1px solid var(--line); padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; }
    figure.account { margin: 12px 0 26px; }
    \(BalanceChart.css)
    @media (max-width: 700px) {
      header.top, main, footer.page { padding-left: 12px; padding-right: 12px; }
      .columns { grid-template-columns: 1fr; }
      dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: 6px; }
      h1 { font-size: 20px; }
    }
    @page { margin: 14mm; }
    @media print {
      header.top, .skip, form, .no-print, footer.page nav { display: none !important; }
      body { font-size: 10pt; }
      main { max-width: none; padding: 0; }
      a { color: inherit; text-decoration: none; }
      .verdict, .badge { color: #000 !important; background: none !important; border: 1.5px solid #000; }
      .scroll { overflow: visible; }
      article.nc, figure.account, tr { break-inside: avoid; }
      h2, h3 { break-after: avoid; }
      thead th { background: none; }
    }

    """

  /// `'sha256-…'` of the stylesheet, for the Content-Security-Policy.
  static let hashSource =
    "'sha256-\(Data(SHA256.hash(data: Data(css.utf8))).base64EncodedString())'"

  /// No scripts, no external anything; forms post only to this origin; the one style block.
  static let contentSecurityPolicy =
    "default-src 'none'; style-src \(hashSource); img-src data:; form-action 'self'; "
    + "base-uri 'none'; frame-ancestors 'none'"
}
