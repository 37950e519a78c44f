#!/usr/bin/env python3
"""Load check of `custody serve` (issue 20, acceptance 5): bounded and on loopback only.

Starts the service on 127.0.0.1 (port 0) with a fresh data directory, uploads the Cu-again
bundle, then N submissions (default 50) concurrently - alternating fixtures/sample (conformant)
and fixtures/planted/cua-4.3 (non_conformant) - polls every run until done, checks every
verdict, and prints uploads/s, p50/p99 latency of the status calls and run throughput.
Standard library only. Exit 1 on a wrong verdict, a failed run or the time bound.
"""
import argparse, io, json, os, re, signal, subprocess, sys, tempfile, time, urllib.request, zipfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--binary", default=None)
    args = parser.parse_args()
    binary = args.binary or os.path.join(
        subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip(), "custody")

    data = tempfile.mkdtemp(prefix="custody-load-")
    token = subprocess.check_output([binary, "serve", "init", "--data", data + "/d"], text=True).strip()
    log = open(data + "/serve.log", "w+")
    server = subprocess.Popen(
        [binary, "serve", "--data", data + "/d", "--host", "127.0.0.1", "--port", "0",
         "--workers", str(args.workers), "--log-level", "warning"], stderr=log)
    try:
        port = None
        for _ in range(600):
            log.seek(0)
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read())
            if match:
                port = int(match.group(1))
                break
            time.sleep(0.05)
        assert port, "service did not start"
        base = f"http://127.0.0.1:{port}"

        def call(method, path, body=None, content_type=None):
            request = urllib.request.Request(base + path, data=body, method=method)
            request.add_header("Authorization", "Bearer " + token)
            if content_type:
                request.add_header("Content-Type", content_type)
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())

        org = call("POST", "/api/v1/organisations", json.dumps({"slug": "load", "name": "Load"}).encode(),
                   "application/json")["id"]
        bundle = zip_of(folder_files("standards/schema", "standards/schema/") + folder_files("rules", "rules/")
                        + [("standards/cu-again-coc.yaml", os.path.join(ROOT, "standards/cu-again-coc.yaml"))])
        digest = call("POST", "/api/v1/bundles", bundle, "application/zip")["digest"]
        ledgers = {
            "conformant": zip_of(folder_files("fixtures/sample")),
            "non_conformant": zip_of([f for f in folder_files("fixtures/planted/cua-4.3") if f[0].endswith(".csv")]),
        }
        kinds = ["conformant" if i % 2 == 0 else "non_conformant" for i in range(args.submissions)]

        def upload(i):
            reply = call("POST", f"/api/v1/organisations/{org}/submissions?period=2025&bundle={digest}&note=load-{i}",
                         ledgers[kinds[i]], "application/zip")
            return reply["runs"][0]["id"]

        started = time.monotonic()
        with ThreadPoolExecutor(args.concurrency) as pool:
            runs = list(pool.map(upload, range(args.submissions)))
        upload_seconds = time.monotonic() - started

        latencies, finished, failures = [], {}, []
        deadline = started + args.timeout

        def poll(run):
            while time.monotonic() < deadline:
                t0 = time.monotonic()
                reply = call("GET", f"/api/v1/runs/{run}")
                latencies.append(time.monotonic() - t0)
                if reply["status"] in ("done", "failed"):
                    finished[run] = (reply, time.monotonic())
                    return
                time.sleep(0.2)

        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(poll, runs))
        for run, kind in zip(runs, kinds):
            if run not in finished:
                failures.append(f"run {run} did not finish within {args.timeout} s")
                continue
            reply = finished[run][0]
            if reply["status"] != "done" or reply.get("verdict") != kind:
                failures.append(f"run {run}: {reply['status']} {reply.get('verdict')} (expected {kind})")
        last = max((t for _, t in finished.values()), default=time.monotonic())
        latencies.sort()
        pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
        print(f"submissions: {args.submissions} (concurrency {args.concurrency}, workers {args.workers}, "
              f"cores {os.cpu_count()})")
        print(f"uploads: {upload_seconds:.2f} s, {args.submissions / upload_seconds:.1f} uploads/s")
        print(f"status calls: {len(latencies)}, p50 {pct(0.50):.1f} ms, p99 {pct(0.99):.1f} ms")
        print(f"runs: all finished {last - started:.2f} s after the first upload, "
              f"{len(finished) / (last - started):.2f} runs/s")
        for failure in failures:
            print("FAIL:", failure)
        return 1 if failures else 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    sys.exit(main())
