#!/usr/bin/env python3
"""The web pages of `custody serve` in a real browser (issue 21, acceptance 1 and 3).

Starts the service on 127.0.0.1 (port 0) with a fresh data directory, loads the Cu-again
bundle and a conformant submission (fixtures/sample) through the API, sets web passwords with
`custody serve user-password`, then drives Debian's headless Chromium through chromedriver
(selenium from PyPI):

  - logs in as an auditor through the login form (by keyboard: the first Tab reaches the skip
    link),
  - uploads fixtures/planted/cua-4.3 through the organisation's upload form, waits on the run
    page (it reloads itself until the run is done), sees CUA-4.3 non-conformant with its
    evidence row and the balance chart,
  - opens the compare page against the conformant run, the standards library and a diff, the
    audit log filtered, the run page printed to PDF,
  - logs out (the run URL then sends to the login page), logs in as a client of another
    organisation and gets the 404 page for the same run URL.

Every page: a full-page screenshot under --out (and the run page's on a phone-wide screen),
nothing wider than a 390 px screen but the tables that scroll inside their own region, no
browser console message (the one expected 404 of the last step aside), and axe-core (bundled in axe-selenium-python) reports no serious
or critical violation (results in --out/axe/). Exit 1 on any failure.
"""
import argparse, base64, io, json, os, re, signal, subprocess, sys, tempfile, time, urllib.request, zipfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait
from axe_selenium_python import Axe

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "correct horse battery staple"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, file=sys.stderr)
    return condition


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            archive.write(path, name)
    return buffer.getvalue()


def folder_files(folder, prefix=""):
    out = []
    for base, _, names in os.walk(os.path.join(ROOT, folder)):
        for name in sorted(names):
            path = os.path.join(base, name)
            out.append((prefix + os.path.relpath(path, os.path.join(ROOT, folder)), path))
    return out


class Pages:
    """The browser, with the checks every page gets."""

    def __init__(self, base, out):
        self.base = base
        self.out = out
        os.makedirs(os.path.join(out, "axe"), exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil_which("chromium")
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(shutil_which("chromedriver")), options=options)
        self.driver.set_page_load_timeout(120)
        self.shots = []
        self.axed = 0

    def open(self, path):
        self.driver.get(self.base + path)

    def console(self, name, allow=()):
        entries = self.driver.get_log("browser")
        bad = [e for e in entries if not any(a in e.get("message", "") for a in allow)]
        check(not bad, f"{name}: browser console: {bad}")

    def screenshot(self, name):
        """A full-page PNG: the window is made as tall as the page first."""
        driver = self.driver
        width = driver.get_window_size()["width"]
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height + 140, 600), 12000))
        path = os.path.join(self.out, f"{len(self.shots) + 1:02d}-{name}.png")
        driver.save_screenshot(path)
        driver.set_window_size(width, 900)
        check(os.path.getsize(path) > 5000, f"{name}: screenshot is blank")
        self.shots.append(path)

    def axe(self, name):
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        with open(os.path.join(self.out, "axe", f"{name}.json"), "w") as f:
            json.dump(results["violations"], f, indent=1)
        serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                   for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        check(not serious, f"{name}: axe: {serious}")
        self.axed += 1

    def narrow(self, name):
        """On a 390 px wide screen nothing but the scrolling tables may be wider than it."""
        driver = self.driver
        size = driver.get_window_size()
        driver.set_window_size(390, 900)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(overflow <= 0, f"{name}: on a 390 px screen the page overflows by {overflow} px")
        driver.set_window_size(size["width"], size["height"])

    def page(self, name, allow=()):
        """Checks the page now shown: console, axe, narrow screen, screenshot."""
        self.console(name, allow)
        self.axe(name)
        self.narrow(name)
        self.screenshot(name)

    def h1(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text


def wait(driver, condition, timeout=30, poll=0.2):
    """Waits for `condition` on a completely loaded page; a page that is being replaced
    meanwhile is no failure."""
    return WebDriverWait(driver, timeout, poll_frequency=poll,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(
        lambda d: condition(d) and d.execute_script("return document.readyState") == "complete")


def shutil_which(name):
    import shutil
    path = shutil.which(name) or shutil.which(name + "-browser")
    if not path:
        sys.exit(f"{name} not found (Debian packages chromium and chromium-driver)")
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=None)
    parser.add_argument("--out", default=os.path.join(ROOT, ".build", "web-check"))
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a run")
    args = parser.parse_args()
    binary = args.binary or os.path.join(
        subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip(), "custody")
    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if name.endswith((".png", ".pdf")):
            os.remove(os.path.join(args.out, name))

    data = tempfile.mkdtemp(prefix="custody-web-check-")
    token = subprocess.check_output([binary, "serve", "init", "--data", data + "/d"], text=True).strip()
    log = open(data + "/serve.log", "w+")
    server = subprocess.Popen(
        [binary, "serve", "--data", data + "/d", "--host", "127.0.0.1", "--port", "0", "--workers", "2",
         "--log-level", "warning"], stderr=log, stdin=subprocess.DEVNULL)
    pages = None
    try:
        port = None
        for _ in range(1200):
            log.seek(0)
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
            if match:
                port = int(match.group(1))
                break
            time.sleep(0.05)
        assert port, "service did not start"
        base = f"http://127.0.0.1:{port}"

        def call(method, path, body=None, content_type="application/json"):
            if isinstance(body, dict):
                body = json.dumps(body).encode()
            request = urllib.request.Request(base + path, data=body, method=method)
            request.add_header("Authorization", "Bearer " + token)
            if body is not None:
                request.add_header("Content-Type", content_type)
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())

        # What the auditor finds: organisations A and B, the Cu-again bundle, a conformant run.
        org_a = call("POST", "/api/v1/organisations", {"slug": "smelter-a", "name": "Smelter A"})["id"]
        org_b = call("POST", "/api/v1/organisations", {"slug": "refinery-b", "name": "Refinery B"})["id"]
        bundle = zip_of(folder_files("standards/schema", "standards/schema/") + folder_files("rules", "rules/")
                        + [("standards/cu-again-coc.yaml", os.path.join(ROOT, "standards/cu-again-coc.yaml"))])
        digest = call("POST", "/api/v1/bundles", bundle, "application/zip")["digest"]
        submission = call("POST", f"/api/v1/organisations/{org_a}/submissions?period=2024&bundle={digest}",
                          zip_of(folder_files("fixtures/sample")), "application/zip")
        conformant = submission["runs"][0]["id"]
        call("POST", "/api/v1/users", {"name": "auditor", "role": "auditor", "organisations": [org_a]})
        call("POST", "/api/v1/users", {"name": "client-b", "role": "client", "organisation": org_b})
        for user in ["auditor", "client-b"]:
            subprocess.run([binary, "serve", "user-password", "--data", data + "/d", "--user", user],
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        deadline = time.time() + args.timeout
        while call("GET", f"/api/v1/runs/{conformant}")["status"] not in ("done", "failed"):
            assert time.time() < deadline, "the conformant run did not finish"
            time.sleep(0.2)

        pages = Pages(base, args.out)
        driver = pages.driver

        # The checks can fail: on a served page (same policy as every page), an image without
        # a text alternative must be a critical axe violation.
        pages.open("/login")
        driver.execute_script("document.querySelector('main').appendChild(document.createElement('img'))")
        control = Axe(driver)
        control.inject()
        found = [v["id"] for v in control.run()["violations"] if v.get("impact") == "critical"]
        check("image-alt" in found, f"axe negative control: expected image-alt, got {found}")
        driver.execute_script("console.error('negative control')")
        check(any("negative control" in e.get("message", "") for e in driver.get_log("browser")),
              "console negative control: a console error must be seen")

        # Log in as the auditor, by keyboard: Tab reaches the skip link first.
        pages.open("/login")
        check(pages.h1() == "Log in", "login page")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        check(driver.switch_to.active_element.get_attribute("class") == "skip",
              "first Tab focuses the skip link")
        pages.page("login")
        driver.find_element(By.ID, "name").send_keys("auditor")
        password = driver.find_element(By.ID, "password")
        password.send_keys(PASSWORD)
        password.send_keys(Keys.ENTER)
        wait(driver, timeout=30, condition=lambda d: d.find_element(By.TAG_NAME, "h1").text == "Organisations")
        check("Smelter A" in driver.page_source and "Refinery B" not in driver.page_source,
              "organisations: the auditor's only")
        pages.page("organisations")

        # The organisation and its upload form.
        driver.find_element(By.LINK_TEXT, "Smelter A").click()
        wait(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith("Smelter A"))
        pages.page("organisation")
        ledger = sorted(os.path.join(ROOT, "fixtures/planted/cua-4.3", name)
                        for name in os.listdir(os.path.join(ROOT, "fixtures/planted/cua-4.3"))
                        if name.endswith(".csv"))
        driver.find_element(By.ID, "file").send_keys("\n".join(ledger))
        period = driver.find_element(By.ID, "period")
        period.clear()
        period.send_keys("2025")
        Select(driver.find_element(By.ID, "bundle")).select_by_value(digest)
        driver.find_element(By.ID, "note").send_keys("uploaded through the form")
        driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]").click()

        # The run page reloads itself until the run is done.
        wait(driver, timeout=args.timeout, poll=0.5, condition=
            lambda d: d.find_elements(By.ID, "verdict") or d.find_elements(By.CSS_SELECTOR, ".error-box"))
        run_url = driver.current_url
        run_id = int(run_url.rstrip("/").split("/")[-1])
        check(driver.find_element(By.ID, "verdict").text == "NON-CONFORMANT", "run verdict")
        clause = driver.find_element(By.XPATH, "//section|//main").find_elements(
            By.XPATH, "//tr[@class='non_conformant']/th[normalize-space()='CUA-4.3']")
        check(len(clause) == 1, "CUA-4.3 non-conformant in the clause table")
        ncs = [a for a in driver.find_elements(By.CSS_SELECTOR, "article.nc") if "CUA-4.3" in a.find_element(By.TAG_NAME, "h3").text]
        check(len(ncs) == 1, "one CUA-4.3 non-conformity")
        if ncs:
            rows = ncs[0].find_elements(By.CSS_SELECTOR, "table.evidence tbody tr")
            check(len(rows) >= 1, "CUA-4.3 has an evidence row")
            if rows:
                cells = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
                check(cells[0].endswith(".csv") and cells[1].isdigit(), f"evidence row names file and line: {cells}")
        charts = driver.find_elements(By.CSS_SELECTOR, "figure.account svg.chart")
        check(len(charts) >= 1, "the balance chart is drawn")
        if charts:
            check(charts[0].size["width"] > 200 and charts[0].size["height"] > 80, "the chart has a size")
            check(len(charts[0].find_elements(By.CSS_SELECTOR, "polyline.balance")) == 1, "the chart has its line")
        pages.page("run")

        # Printed: the run page as an audit annex.
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
        pdf_bytes = base64.b64decode(pdf["data"])
        with open(os.path.join(args.out, f"run-{run_id}.pdf"), "wb") as f:
            f.write(pdf_bytes)
        check(pdf_bytes.startswith(b"%PDF") and len(pdf_bytes) > 20000, "run page prints to PDF")

        # Narrow screen: nothing wider than a phone's screen but the scrolling tables.
        driver.set_window_size(390, 900)
        driver.refresh()
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(overflow <= 0, f"run page on a 390 px screen overflows by {overflow} px")
        pages.screenshot("run-narrow")
        driver.set_window_size(1280, 900)
        driver.refresh()
        pages.console("run-narrow")

        # Compare against the conformant run, through the form on the run page.
        Select(driver.find_element(By.ID, "base")).select_by_value(str(conformant))
        driver.find_element(By.CSS_SELECTOR, "form[action='/compare'] button").click()
        wait(driver, timeout=30, condition=lambda d: "side by side" in d.find_element(By.TAG_NAME, "h1").text)
        check(f"Run {conformant} and run {run_id} side by side" == pages.h1(), "compare heading")
        check("CUA-4.3" in driver.find_element(By.ID, "nonconformities").find_element(By.XPATH, "following::table").text,
              "CUA-4.3 among the new non-conformities")
        pages.page("compare")

        # Standards library, a diff with its impact on a ledger, the audit log filtered.
        driver.find_element(By.LINK_TEXT, "Standards").click()
        wait(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Standards library")
        pages.page("standards")
        Select(driver.find_element(By.ID, "submission")).select_by_index(1)
        driver.find_element(By.CSS_SELECTOR, "form[action='/standards/diff'] button").click()
        wait(driver, timeout=120, condition=lambda d: "→" in d.find_element(By.TAG_NAME, "h1").text)
        check("No changes in clauses" in driver.page_source, "diff of a bundle with itself")
        pages.page("standards-diff")
        driver.find_element(By.LINK_TEXT, "Audit log").click()
        wait(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Audit log")
        Select(driver.find_element(By.ID, "action")).select_by_value("run.done")
        driver.find_element(By.CSS_SELECTOR, "form[action='/audit'] button").click()
        wait(driver, timeout=30, condition=lambda d: "action=run.done" in d.current_url)
        check(f"run:{run_id}" in driver.page_source, "audit log lists the run")
        pages.page("audit")

        # Log out: the run URL now sends to the login page.
        driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
        wait(driver, timeout=30, condition=lambda d: d.find_element(By.TAG_NAME, "h1").text == "Log in")
        pages.open(f"/runs/{run_id}")
        check(pages.h1() == "Log in" and "next=/runs/" in driver.current_url, "logged out: run sends to login")
        pages.console("logged-out")

        # A client of another organisation: 404 for the same run URL.
        driver.find_element(By.ID, "name").send_keys("client-b")
        password = driver.find_element(By.ID, "password")
        password.send_keys(PASSWORD)
        password.send_keys(Keys.ENTER)
        wait(driver, timeout=30, condition=lambda d: d.find_element(By.TAG_NAME, "h1").text != "Log in")
        check(pages.h1() == "404 Not Found", f"client of B gets 404 for run {run_id}: {pages.h1()}")
        check("Smelter A" not in driver.page_source, "the 404 page reveals nothing")
        # The one console message allowed: the browser's own note of this 404.
        pages.page("run-other-organisation-404", allow=(f"/runs/{run_id} - Failed to load resource: the server responded with a status of 404",))
    finally:
        if pages:
            pages.driver.quit()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()

    shots = len(pages.shots) if pages else 0
    axed = pages.axed if pages else 0
    print(f"web browser check: {shots} screenshots and a PDF in {os.path.relpath(args.out, ROOT)}, "
          f"{axed} pages checked by axe-core")
    if failures:
        print(f"web browser check FAILED: {len(failures)} problem(s)", file=sys.stderr)
        sys.exit(1)
    print("web browser check passed")


if __name__ == "__main__":
    main()
