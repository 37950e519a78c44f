import Foundation
import Mustache

/// The pages' Mustache templates (swift-mustache), kept here as literals so the binary carries
/// them. `{{x}}` is HTML-escaped; `{{{x}}}` is used only for markup the service made itself
/// (the page body inside the layout, the balance chart's SVG, the stylesheet).
enum WebTemplates {
  static let sources: [String: String] = [
    "layout": layout, "login": login, "error": error, "organisations": organisations,
    "organisation": organisation, "run": run, "compare": compare, "standards": standards,
    "diff": diff, "audit": audit,
  ]

  /// Parsed once. The templates are constants, so a parse error is a programming error that
  /// WebRenderingTests catches (it renders every page).
  static let library: MustacheLibrary = {
    var library = MustacheLibrary()
    for (name, source) in sources {
      do {
        try library.register(source, named: name)
      } catch {
        fatalError("web template \(name) does not parse: \(error)")
      }
    }
    return library
  }()

  static func render(_ name: String, _ object: Any) -> String {
    library.render(object, withTemplate: name) ?? ""
  }

  static let layout = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    {{#refresh}}<meta http-equiv="refresh" content="{{refresh}}">{{/refresh}}
    <link rel="icon" href="data:,">
    <title>{{title}} · custody</title>
    <style>{{{css}}}</style>
    </head>
    <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
    <a class="brand" href="/">custody</a>
    {{#user}}
    <nav aria-label="Main">
    <ul>
    <li><a href="/organisations"{{#currentOrganisations}} aria-current="page"{{/currentOrganisations}}>Organisations</a></li>
    <li><a href="/standards"{{#currentStandards}} aria-current="page"{{/currentStandards}}>Standards</a></li>
    {{#showAudit}}<li><a href="/audit"{{#currentAudit}} aria-current="page"{{/currentAudit}}>Audit log</a></li>{{/showAudit}}
    </ul>
    </nav>
    <form class="logout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <span>{{name}} <span class="muted">({{role}})</span></span>
    <button type="submit" class="secondary">Log out</button>
    </form>
    {{/user}}
    </header>
    <main id="main">
    {{{body}}}
    </main>
    <footer class="page"><p>custody {{version}} · certification body intake service</p></footer>
    </body>
    </html>

    """

  static let login = """
    <h1>Log in</h1>
    {{#message}}<div class="error-box" role="alert"><p>{{message}}</p></div>{{/message}}
    <form class="stacked" method="post" action="/login">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <input type="hidden" name="next" value="{{next}}">
    <div class="field"><label for="name">User name</label>
    <input type="text" id="name" name="name" autocomplete="username" required value="{{name}}"></div>
    <div class="field"><label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required></div>
    <div><button type="submit">Log in</button></div>
    </form>
    <p class="muted">Passwords are set by an administrator with <code>custody serve user-password</code>. Sessions end after 30 minutes without use and 8 hours after login.</p>

    """

  static let error = """
    <div class="error-box" role="alert">
    <h1>{{status}} {{title}}</h1>
    <p>{{detail}}</p>
    {{#code}}<p class="meta">code <code>{{code}}</code></p>{{/code}}
    {{#hasItems}}<ul>{{#items}}<li><code>{{.}}</code></li>{{/items}}</ul>{{/hasItems}}
    </div>
    {{#back}}<p><a href="{{back}}">Back to {{backLabel}}</a></p>{{/back}}

    """

  static let organisations = """
    <h1>Organisations</h1>
    {{^rows}}<p>No organisation is visible to you.</p>{{/rows}}
    {{#hasRows}}
    <div class="scroll" role="region" aria-label="Organisations table" tabindex="0">
    <table>
    <caption class="muted">Latest verdict, its open non-conformities, the last submission and the periods overdue (due 90 days after a period ends).</caption>
    <thead><tr><th scope="col">Organisation</th><th scope="col">Latest verdict</th><th scope="col">Open non-conformities</th><th scope="col">Last submission</th><th scope="col">Overdue periods</th></tr></thead>
    <tbody>
    {{#rows}}
    <tr>
    <th scope="row"><a href="/organisations/{{id}}">{{name}}</a> <span class="muted">{{slug}}</span></th>
    <td>{{#verdict}}<span class="badge {{verdict}}">{{verdictLabel}}</span> <a href="/runs/{{latestRun}}">run {{latestRun}}</a>{{/verdict}}{{^verdict}}<span class="muted">no finished run</span>{{/verdict}}</td>
    <td>{{#verdict}}<span class="badge major">major {{major}}</span> <span class="badge minor">minor {{minor}}</span> <span class="badge observation">observation {{observation}}</span>{{/verdict}}</td>
    <td>{{#lastSubmission}}{{lastSubmission}}{{/lastSubmission}}{{^lastSubmission}}<span class="muted">none</span>{{/lastSubmission}}</td>
    <td>{{#overdue}}<span class="badge overdue">{{.}}</span> {{/overdue}}{{^overdue}}<span class="muted">none</span>{{/overdue}}</td>
    </tr>
    {{/rows}}
    </tbody>
    </table>
    </div>
    {{/hasRows}}

    """

  static let organisation = """
    <nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="/organisations">Organisations</a></li><li aria-current="page">{{name}}</li></ol></nav>
    <h1>{{name}} <span class="muted">{{slug}}</span></h1>

    <h2 id="periods">Periods</h2>
    <p class="muted">Each reporting period in order, with the verdict of its latest finished run. A period with no submission 90 days after it ends is overdue.</p>
    {{^timeline}}<p>No submission yet.</p>{{/timeline}}
    <ol class="timeline" aria-label="Reporting periods">
    {{#timeline}}
    <li class="{{state}}"><span class="period">{{period}}</span> <span class="badge {{state}}">{{stateLabel}}</span>{{#submissions}}<br><a href="#submission-{{.}}">submission {{.}}</a>{{/submissions}}</li>
    {{/timeline}}
    </ol>

    <h2 id="submissions">Submissions and runs</h2>
    {{^submissions}}<p>No submission yet.</p>{{/submissions}}
    {{#submissions}}
    <section aria-labelledby="submission-{{id}}">
    <h3 id="submission-{{id}}">Submission {{id}}: period {{period}}</h3>
    <p class="meta">received {{createdAt}} · {{fileCount}} file(s){{#profile}} · mapping profile{{/profile}}{{#note}} · note: {{note}}{{/note}}</p>
    <div class="scroll" role="region" aria-label="Runs of submission {{id}}" tabindex="0">
    <table>
    <thead><tr><th scope="col">Run</th><th scope="col">Standard</th><th scope="col">Status</th><th scope="col">Verdict</th><th scope="col" class="num">Major</th><th scope="col" class="num">Minor</th><th scope="col" class="num">Observation</th><th scope="col" class="num">Findings</th><th scope="col">Finished</th></tr></thead>
    <tbody>
    {{#runs}}
    <tr><th scope="row"><a href="/runs/{{id}}">run {{id}}</a></th><td>{{standard}}</td><td><span class="badge {{status}}">{{status}}</span></td>
    <td>{{#verdict}}<span class="badge {{verdict}}">{{verdictLabel}}</span>{{/verdict}}{{#error}}<span class="bad-text">{{error}}</span>{{/error}}</td>
    <td class="num">{{major}}</td><td class="num">{{minor}}</td><td class="num">{{observation}}</td><td class="num">{{findings}}</td><td>{{finishedAt}}</td></tr>
    {{/runs}}
    </tbody>
    </table>
    </div>
    </section>
    {{/submissions}}

    <h2 id="upload">Upload a submission</h2>
    {{^bundles}}<p>No standard bundle is loaded yet: an administrator or auditor uploads one through the API first.</p>{{/bundles}}
    {{#hasBundles}}
    <form class="stacked" method="post" action="/organisations/{{id}}/submissions" enctype="multipart/form-data">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <div class="field"><label for="file">Ledger files <span class="hint">(the CSV files, or one .zip of them)</span></label>
    <input type="file" id="file" name="file" multiple required></div>
    <div class="field"><label for="profile">Mapping profile <span class="hint">(optional YAML)</span></label>
    <input type="file" id="profile" name="profile"></div>
    <div class="field"><label for="period">Reporting period <span class="hint">(YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn)</span></label>
    <input type="text" id="period" name="period" required pattern="[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?" value="{{suggestedPeriod}}"></div>
    <div class="field"><label for="bundle">Standard</label>
    <select id="bundle" name="bundle" required>
    {{#bundles}}<option value="{{digest}}">{{label}}</option>{{/bundles}}
    </select></div>
    <div class="field"><label for="previousRun">Opening balances <span class="hint">(the previous audited period's run, whose signed report opens this one; Cu-again CUA-4.7)</span></label>
    <select id="previousRun" name="previousRun">
    <option value="">none: the first audited period</option>
    {{#previousRuns}}<option value="{{id}}">{{label}}</option>{{/previousRuns}}
    </select></div>
    <div class="field"><label for="note">Note <span class="hint">(optional)</span></label>
    <textarea id="note" name="note" rows="3" maxlength="10000"></textarea></div>
    <div><button type="submit">Upload and validate</button></div>
    </form>
    {{/hasBundles}}

    """

  static let run = """
    <nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="/organisations">Organisations</a></li><li><a href="/organisations/{{organisationID}}">{{organisationName}}</a></li><li aria-current="page">Run {{id}}</li></ol></nav>
    <h1>Run {{id}}: {{standardTitle}} <span class="muted">{{standardVersion}}</span></h1>
    <dl class="facts">
    <dt>Organisation</dt><dd>{{organisationName}}</dd>
    <dt>Period</dt><dd>{{period}} (submission {{submission}})</dd>
    {{#previousRun}}<dt>Opening balances</dt><dd>from the signed report of <a href="/runs/{{previousRun}}">run {{previousRun}}</a> (CUA-4.7)</dd>{{/previousRun}}
    <dt>Status</dt><dd><span class="badge {{status}}">{{status}}</span>{{#finishedAt}} · finished {{finishedAt}}{{/finishedAt}}</dd>
    </dl>
    {{#waiting}}<p class="notice no-print" role="status">This run is {{status}}. The page reloads every 2 seconds until it is done.</p>{{/waiting}}
    {{#error}}<div class="error-box" role="alert"><h2>The run failed</h2><pre class="command">{{error}}</pre></div>{{/error}}
    {{#report}}
    <p class="verdict {{verdict}}" id="verdict">{{headline}}</p>
    <p class="meta">major <b>{{major}}</b> · minor <b>{{minor}}</b> · observation <b>{{observation}}</b> · waived <b>{{waived}}</b> · findings <b>{{findings}}</b> · fail on <b>{{failOn}}</b></p>

    <h2 id="clauses">Clauses</h2>
    <div class="scroll" role="region" aria-label="Clauses table" tabindex="0">
    <table>
    <thead><tr><th scope="col">Clause</th><th scope="col">Status</th><th scope="col">Severity</th><th scope="col">Title</th><th scope="col">Rules</th><th scope="col">Note</th></tr></thead>
    <tbody>
    {{#clauses}}<tr class="{{status}}"><th scope="row">{{id}}</th><td class="status">{{statusLabel}}</td><td>{{severity}}</td><td>{{title}}</td><td>{{rules}}</td><td>{{reason}}</td></tr>
    {{/clauses}}
    </tbody>
    </table>
    </div>

    <h2 id="nonconformities">Non-conformities ({{ncCount}})</h2>
    {{^nonconformities}}<p>None.</p>{{/nonconformities}}
    {{#nonconformities}}
    <article class="nc {{severity}}{{#waived}} waived{{/waived}}" aria-labelledby="nc-{{number}}">
    <h3 id="nc-{{number}}">{{number}}. <span class="badge {{severity}}">{{severity}}</span> {{clause}} / {{rule}}{{#waived}} <span class="badge">waived</span>{{/waived}}</h3>
    <p>{{summary}}</p>
    {{#messages}}<p class="meta">finding: {{.}}</p>{{/messages}}
    {{#moreFindings}}<p class="meta">findings shown: {{moreFindings}} (the JSON report lists them up to its finding limit)</p>{{/moreFindings}}
    <p class="meta">id {{id}} · evidence rows {{shown}} of {{total}}</p>
    {{#hasEvidence}}
    <div class="scroll" role="region" aria-label="Evidence rows of non-conformity {{number}}" tabindex="0">
    <table class="evidence">
    <thead><tr><th scope="col">File</th><th scope="col" class="num">Line</th><th scope="col">Entry</th><th scope="col">Column</th><th scope="col">Value</th></tr></thead>
    <tbody>
    {{#evidence}}<tr><td>{{file}}</td><td class="num">{{line}}</td><td>{{entry}}</td><td>{{column}}</td><td>{{value}}</td></tr>
    {{/evidence}}
    </tbody>
    </table>
    </div>
    {{/hasEvidence}}
    </article>
    {{/nonconformities}}

    <h2 id="mass-balance">Mass-balance statement</h2>
    {{^accounts}}<p>The report traces no account.</p>{{/accounts}}
    {{#hasAccounts}}
    <div class="scroll" role="region" aria-label="Mass-balance statement" tabindex="0">
    <table>
    <thead><tr><th scope="col">Account</th><th scope="col">Rule</th><th scope="col">Period</th><th scope="col" class="num">Opening</th><th scope="col" class="num">Closing</th><th scope="col" class="num">Shortfall</th></tr></thead>
    <tbody>
    {{#accounts}}<tr><th scope="row"><a href="#account-{{number}}">{{account}}</a></th><td>{{rule}}</td><td>{{period}}</td><td class="num">{{opening}}</td><td class="num">{{closing}}</td><td class="num">{{#shortfall}}<span class="bad-text">{{shortfall}}</span>{{/shortfall}}</td></tr>
    {{/accounts}}
    </tbody>
    </table>
    </div>
    {{#accounts}}
    <figure class="account" id="account-{{number}}">
    {{{chart}}}
    <figcaption><b>{{account}}</b> ({{rule}}{{#period}}, period {{period}}{{/period}}): running balance by date, opening {{opening}}, closing {{closing}}{{#shortfall}}, shortfall <span class="bad-text">{{shortfall}}</span>{{/shortfall}}{{#truncated}}; {{shown}} of {{total}} postings shown{{/truncated}}</figcaption>
    <div class="scroll" role="region" aria-label="Postings of {{account}}" tabindex="0">
    <table class="steps">
    <thead><tr><th scope="col">Date</th><th scope="col">Kind</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Balance</th><th scope="col">Row</th></tr></thead>
    <tbody>
    {{#steps}}<tr{{#failing}} class="first-failure"{{/failing}}><td>{{date}}</td><td>{{kind}}</td><td class="num">{{amount}}</td><td class="num">{{balance}}</td><td>{{row}}{{#failing}} <b>first failure</b>{{/failing}}</td></tr>
    {{/steps}}
    </tbody>
    </table>
    </div>
    </figure>
    {{/accounts}}
    {{/hasAccounts}}
    {{/report}}

    <h2 id="inputs">Inputs</h2>
    <div class="scroll" role="region" aria-label="Inputs table" tabindex="0">
    <table>
    <thead><tr><th scope="col">Input</th><th scope="col">Name</th><th scope="col" class="num">Bytes or rows</th><th scope="col">sha256</th></tr></thead>
    <tbody>
    {{#inputs}}<tr><th scope="row">{{kind}}</th><td>{{name}}</td><td class="num">{{size}}</td><td class="hash">{{sha256}}</td></tr>
    {{/inputs}}
    </tbody>
    </table>
    </div>
    <dl class="facts">
    <dt>Standard</dt><dd>{{standardID}} {{standardVersion}}{{#effectiveFrom}}, effective from {{effectiveFrom}}{{/effectiveFrom}}</dd>
    <dt>Bundle digest</dt><dd class="hash">{{bundle}}</dd>
    </dl>

    {{#report}}
    <h2 id="reports">Reports</h2>
    <ul class="formats">
    {{#formats}}<li><a href="/runs/{{id}}/report?format={{format}}">{{label}}</a></li>{{/formats}}
    </ul>

    <h2 id="signature">Signature</h2>
    {{#signature}}
    <dl class="facts">
    <dt>Algorithm</dt><dd>{{algorithm}}</dd>
    <dt>Key id</dt><dd class="hash">{{keyId}}</dd>
    <dt>Signature</dt><dd class="hash">{{value}}</dd>
    </dl>
    <p>To verify offline, download the <a href="/runs/{{runID}}/report?format=json">signed JSON report</a> and the service's <a href="/signing-key.pub">public key</a>, then run:</p>
    <pre class="command">custody verify run-{{runID}}.json --key signing.key.pub</pre>
    <p class="muted">Adding <code>--ledger DIR --standard FILE</code> with the inputs above (same sha256) recomputes the report and names any difference.</p>
    {{/signature}}
    {{^signature}}<p class="bad-text">This report carries no signature.</p>{{/signature}}

    <h2 id="compare" class="no-print">Compare</h2>
    {{^others}}<p class="no-print">No other finished run of this organisation to compare with.</p>{{/others}}
    {{#hasOthers}}
    <form class="inline" method="get" action="/compare">
    <input type="hidden" name="head" value="{{id}}">
    <div class="field"><label for="base">Compare this run with</label>
    <select id="base" name="base">
    {{#others}}<option value="{{id}}">{{label}}</option>{{/others}}
    </select></div>
    <div><button type="submit">Compare</button></div>
    </form>
    {{/hasOthers}}
    {{/report}}

    """

  static let compare = """
    <nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="/organisations">Organisations</a></li><li><a href="/organisations/{{organisationID}}">{{organisationName}}</a></li><li aria-current="page">Compare runs {{base.id}} and {{head.id}}</li></ol></nav>
    <h1>Run {{base.id}} and run {{head.id}} side by side</h1>
    <div class="columns">
    {{#sides}}
    <section aria-labelledby="side-{{id}}">
    <h2 id="side-{{id}}">{{role}}: <a href="/runs/{{id}}">run {{id}}</a></h2>
    <p><span class="verdict {{verdict}}">{{verdictLabel}}</span></p>
    <p class="meta">period {{period}} · {{standard}} · finished {{finishedAt}}</p>
    </section>
    {{/sides}}
    </div>

    <h2 id="nonconformities">Non-conformities</h2>
    {{#groups}}
    <h3>{{label}} ({{count}})</h3>
    {{^items}}<p class="muted">None.</p>{{/items}}
    {{#hasItems}}
    <div class="scroll" role="region" aria-label="{{label}} non-conformities" tabindex="0">
    <table>
    <thead><tr><th scope="col">Clause</th><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Summary</th></tr></thead>
    <tbody>
    {{#items}}<tr><th scope="row">{{clause}}</th><td>{{rule}}</td><td><span class="badge {{severity}}">{{severity}}</span></td><td>{{summary}}</td></tr>
    {{/items}}
    </tbody>
    </table>
    </div>
    {{/hasItems}}
    {{/groups}}

    <h2 id="clauses">Clause changes ({{clauseCount}})</h2>
    {{^clauses}}<p class="muted">No clause changed status.</p>{{/clauses}}
    {{#hasClauses}}
    <div class="scroll" role="region" aria-label="Clause changes" tabindex="0">
    <table>
    <thead><tr><th scope="col">Clause</th><th scope="col">Run {{base.id}}</th><th scope="col">Run {{head.id}}</th></tr></thead>
    <tbody>
    {{#clauses}}<tr><th scope="row">{{clause}}</th><td>{{base}}</td><td>{{head}}</td></tr>
    {{/clauses}}
    </tbody>
    </table>
    </div>
    {{/hasClauses}}

    <h2 id="balances">Closing balances</h2>
    {{^balances}}<p class="muted">Neither run traces an account.</p>{{/balances}}
    {{#hasBalances}}
    <div class="scroll" role="region" aria-label="Closing balances" tabindex="0">
    <table>
    <thead><tr><th scope="col">Account</th><th scope="col">Rule</th><th scope="col">Period</th><th scope="col" class="num">Run {{base.id}} closing</th><th scope="col" class="num">Run {{base.id}} shortfall</th><th scope="col" class="num">Run {{head.id}} closing</th><th scope="col" class="num">Run {{head.id}} shortfall</th></tr></thead>
    <tbody>
    {{#balances}}<tr><th scope="row">{{account}}</th><td>{{rule}}</td><td>{{period}}</td><td class="num">{{baseClosing}}</td><td class="num">{{baseShortfall}}</td><td class="num">{{headClosing}}</td><td class="num">{{headShortfall}}</td></tr>
    {{/balances}}
    </tbody>
    </table>
    </div>
    {{/hasBalances}}

    """

  static let standards = """
    <h1>Standards library</h1>
    {{^bundles}}<p>No standard bundle is loaded yet (the API's <code>POST /api/v1/bundles</code>).</p>{{/bundles}}
    {{#hasBundles}}
    <div class="scroll" role="region" aria-label="Standard bundles" tabindex="0">
    <table>
    <thead><tr><th scope="col">Standard</th><th scope="col">Version</th><th scope="col">Effective from</th><th scope="col">Title</th><th scope="col" class="num">Files</th><th scope="col">Loaded</th><th scope="col">Bundle digest</th></tr></thead>
    <tbody>
    {{#bundles}}<tr><th scope="row">{{standard}}</th><td>{{version}}</td><td>{{effectiveFrom}}</td><td>{{title}}</td><td class="num">{{files}}</td><td>{{createdAt}}</td><td class="hash">{{digest}}</td></tr>
    {{/bundles}}
    </tbody>
    </table>
    </div>

    <h2 id="diff">Compare two versions</h2>
    <form class="inline" method="get" action="/standards/diff">
    <div class="field"><label for="old">Old</label>
    <select id="old" name="old">{{#bundles}}<option value="{{digest}}">{{label}}</option>{{/bundles}}</select></div>
    <div class="field"><label for="new">New</label>
    <select id="new" name="new">{{#bundles}}<option value="{{digest}}"{{#isLatest}} selected{{/isLatest}}>{{label}}</option>{{/bundles}}</select></div>
    <div class="field"><label for="submission">Impact on a ledger <span class="hint">(optional)</span></label>
    <select id="submission" name="submission"><option value="">none</option>{{#submissions}}<option value="{{id}}">{{label}}</option>{{/submissions}}</select></div>
    <div><button type="submit">Show the difference</button></div>
    </form>
    {{/hasBundles}}

    """

  static let diff = """
    <nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="/standards">Standards</a></li><li aria-current="page">Difference</li></ol></nav>
    <h1>{{oldLabel}} → {{newLabel}}</h1>
    <h2 id="changes">Changes ({{changeCount}})</h2>
    {{^changes}}<p>No changes in clauses, parameters or compiled rules.</p>{{/changes}}
    {{#hasChanges}}
    <div class="scroll" role="region" aria-label="Changes" tabindex="0">
    <table>
    <thead><tr><th scope="col">Change</th><th scope="col">Subject</th><th scope="col">Id</th><th scope="col">Details</th></tr></thead>
    <tbody>
    {{#changes}}<tr><td><span class="badge {{cls}}">{{kind}}</span></td><td>{{subject}}</td><th scope="row">{{id}}</th><td>{{#details}}{{.}}<br>{{/details}}</td></tr>
    {{/changes}}
    </tbody>
    </table>
    </div>
    {{/hasChanges}}
    {{#impact}}
    <h2 id="impact">Impact on submission {{submission}} ({{period}}, {{organisation}})</h2>
    <h3>Findings that appear ({{appearedCount}})</h3>
    {{^appeared}}<p class="muted">None.</p>{{/appeared}}
    <ul>{{#appeared}}<li><b>{{rule}}</b> [{{clauses}}]: {{message}}</li>{{/appeared}}</ul>
    <h3>Findings that disappear ({{disappearedCount}})</h3>
    {{^disappeared}}<p class="muted">None.</p>{{/disappeared}}
    <ul>{{#disappeared}}<li><b>{{rule}}</b> [{{clauses}}]: {{message}}</li>{{/disappeared}}</ul>
    {{/impact}}
    <h2 id="text">As <code>custody diff</code> prints it</h2>
    <pre class="command">{{text}}</pre>

    """

  static let audit = """
    <h1>Audit log</h1>
    <p class="muted">Append-only and hash-chained: <code>custody serve audit-verify</code> detects an edited or deleted entry.{{#scoped}} You see the entries of your organisations.{{/scoped}}</p>
    <form class="inline" method="get" action="/audit">
    <div class="field"><label for="organisation">Organisation</label>
    <select id="organisation" name="organisation"><option value="">any</option>{{#organisations}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/organisations}}</select></div>
    <div class="field"><label for="action">Action</label>
    <select id="action" name="action"><option value="">any</option>{{#actions}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/actions}}</select></div>
    <div class="field"><label for="actor">Actor contains</label><input type="text" id="actor" name="actor" value="{{actor}}"></div>
    <div class="field"><label for="object">Object contains</label><input type="text" id="object" name="object" value="{{object}}"></div>
    <div class="field"><label for="from">From</label><input type="date" id="from" name="from" value="{{from}}"></div>
    <div class="field"><label for="to">To</label><input type="date" id="to" name="to" value="{{to}}"></div>
    <div><button type="submit">Filter</button></div>
    </form>
    <p class="meta">{{count}} entr{{#one}}y{{/one}}{{^one}}ies{{/one}} shown, newest first.</p>
    {{#hasEntries}}
    <div class="scroll" role="region" aria-label="Audit entries" tabindex="0">
    <table>
    <thead><tr><th scope="col" class="num">#</th><th scope="col">When (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Object</th><th scope="col">Organisation</th><th scope="col">Details</th></tr></thead>
    <tbody>
    {{#entries}}<tr><th scope="row" class="num">{{id}}</th><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{#href}}<a href="{{href}}">{{object}}</a>{{/href}}{{^href}}{{object}}{{/href}}</td><td>{{organisation}}</td><td class="hash">{{#details}}{{.}}<br>{{/details}}</td></tr>
    {{/entries}}
    </tbody>
    </table>
    </div>
    {{/hasEntries}}
    {{#older}}<p><a href="{{older}}">Older entries</a></p>{{/older}}

    """
}
