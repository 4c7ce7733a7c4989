#!/usr/bin/env python3
"""Load test: N volunteers browsing at once (search page, a case page, its similar cases as JSON).

    .venv/bin/python bench/load.py                       # 20 users, 30 s, 10,000 cases, 4 workers
    .venv/bin/python bench/load.py --users 5 --seconds 10 --cases 1000
    .venv/bin/python bench/load.py --data /tmp/kb10k     # keep (and reuse) the data folder
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --data DIR   # a server already running

Without --url it fills a data folder (a temporary one unless --data) with synthetic cases made by
bench_search.py from the shared, already anonymised corpus, written through
KnowledgeBase.save_records then indexed once by kb.reindex(); creates one volunteer account per user
(logins are rate-limited per account), and starts `gunicorn -c gunicorn.conf.py -w 4` on 127.0.0.1.

Each user is a thread with its own cookie jar, logged in through the real /login form (CSRF token
included), then loops: `/?q=...` (bench_search's varied queries, a fifth with a theme filter), one
case found on that page (`/cases/REF`), and `/cases/REF.json`. Two rounds per user are a warm-up and
are not counted (each worker's first search opens the index and maps the word vectors; start-up is
measured apart by run_all.py). The loop stops at --seconds or at --max-requests, whichever comes
first. Errors are answers other than 200 and exceptions (timeouts, refused connections).

Target (issue): 20 concurrent users on 10,000 cases, no error, p95 under 300 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

KINDS = ("search", "case", "case.json")
TARGET_P95_MS = 300


def username(prefix: str, n: int) -> str:
    return f"{prefix}{n:03d}"


class BudgetSpent(Exception):
    """The deadline passed or the request budget is used up."""


class Budget:
    """A shared request budget and deadline: `take()` is False once either is spent."""

    def __init__(self, max_requests: int) -> None:
        self.left = max_requests
        self.lock = threading.Lock()
        self.deadline = float("inf")

    def take(self) -> bool:
        if time.monotonic() >= self.deadline:
            return False
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def run_load(base: str, users: int, seconds: float, max_requests: int, refs: list[str], prefix: str,
             password: str, timeout: float = 30, warmup: int = 2, seed: int = 1, log=print,
             server_cpu=None, think: float = 0) -> dict:
    """`server_cpu`: a function giving the server's CPU seconds so far (when this script started it)."""
    queries = c.search_params(1000)
    budget = Budget(max_requests)
    barrier = threading.Barrier(users + 1)
    samples: list[list[tuple[str, int, float, str]]] = [[] for _ in range(users)]
    setup_errors: list[str] = []

    def one_round(browser: c.Browser, rng: random.Random, out: list | None) -> None:
        """search -> a case from its results -> that case's JSON; `out` None means warm-up."""
        def get(kind: str, path: str) -> bytes:
            if out is not None and not budget.take():
                raise BudgetSpent
            t0 = time.perf_counter()
            try:
                status, body, took = browser.request(path)
                error = "" if status == 200 else f"HTTP {status}"
            except Exception as exc:  # noqa: BLE001 - every failure is a result here
                status, body, took, error = 0, b"", time.perf_counter() - t0, type(exc).__name__
            if out is not None:
                out.append((kind, status, took * 1000, error))
                if think:  # a reader's pause, never past the deadline
                    time.sleep(max(0.0, min(rng.uniform(0, 2 * think), budget.deadline - time.monotonic())))
            elif error:
                setup_errors.append(f"warm-up {kind}: {error}")
            return body

        page = get("search", "/?" + c.query_string(rng.choice(queries)))
        found = c.CASE_LINK.findall(page.decode("utf-8", "replace"))
        ref = rng.choice(found) if found else rng.choice(refs)
        get("case", f"/cases/{ref}")
        get("case.json", f"/cases/{ref}.json")

    def user(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        browser = c.Browser(base, timeout=timeout)
        ok = True
        try:
            browser.login(username(prefix, n), password)
            for _ in range(warmup):
                one_round(browser, rng, None)
        except Exception as exc:  # noqa: BLE001
            setup_errors.append(f"user {n}: {exc}")
            ok = False
        try:
            barrier.wait(timeout=300)
        except threading.BrokenBarrierError:
            return
        while ok:
            try:
                one_round(browser, rng, samples[n])
            except BudgetSpent:
                return

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    log(f"load: {users} users logging in and warming up...")
    for t in threads:
        t.start()
    barrier.wait(timeout=300)
    start = time.monotonic()
    client_cpu0 = sum(os.times()[:2])
    server_cpu0 = server_cpu() if server_cpu else None
    budget.deadline = start + seconds
    log(f"load: measuring for up to {seconds:.0f} s or {max_requests} requests...")
    end = budget.deadline + timeout + 5  # each request is bounded by `timeout`: threads end soon after the deadline
    for t in threads:
        t.join(timeout=max(0.0, end - time.monotonic()))
    elapsed = time.monotonic() - start
    client_cores = (sum(os.times()[:2]) - client_cpu0) / elapsed
    server_cores = (server_cpu() - server_cpu0) / elapsed if server_cpu else None
    stuck = sum(t.is_alive() for t in threads)

    flat = [s for per_user in samples for s in per_user]
    result = {"users": users, "seconds": round(elapsed, 1), "requests": len(flat),
              "rps": round(len(flat) / elapsed, 1) if elapsed else 0.0,
              "errors": sum(1 for s in flat if s[3]) + len(setup_errors) + stuck,
              "error_kinds": dict(Counter(s[3] for s in flat if s[3])),
              "setup_errors": setup_errors[:20], "stuck_threads": stuck,
              "client_cpu_cores": round(client_cores, 2),
              "server_cpu_cores": round(server_cores, 2) if server_cores is not None else None,
              "server_cpu_ms_per_request": (round(server_cores * elapsed / len(flat) * 1000, 1)
                                            if server_cores is not None and flat else None),
              "overall": c.summary_ms([s[2] for s in flat]),
              "kinds": {kind: {**c.summary_ms([s[2] for s in flat if s[0] == kind]),
                               "errors": sum(1 for s in flat if s[0] == kind and s[3])} for kind in KINDS}}
    p95 = result["overall"]["p95_ms"]
    result["target_met"] = bool(flat) and result["errors"] == 0 and p95 is not None and p95 < TARGET_P95_MS
    return result


def refs_from_server(base: str, prefix: str, password: str, log=print) -> list[str]:
    """With --url: case refs seen through the JSON search API (a fallback when a results page is empty)."""
    browser = c.Browser(base)
    browser.login(username(prefix, 0), password)
    refs: set[str] = set()
    for params in c.search_params(20, seed=99) + [{"q": ""}]:
        status, body, _ = browser.request("/api/search?" + c.query_string(params))
        if status == 200:
            refs.update(hit["ref"] for hit in json.loads(body)["results"])
    if not refs:
        raise SystemExit("no case found through /api/search: is the knowledge base empty?")
    log(f"load: {len(refs)} refs gathered from the server")
    return sorted(refs)


def table(result: dict) -> str:
    lines = ["| requests | count | p50 ms | p95 ms | max ms | errors |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind in KINDS:
        k = result["kinds"][kind]
        lines.append(f"| {kind} | {k['n']} | {k['p50_ms']} | {k['p95_ms']} | {k['max_ms']} | {k['errors']} |")
    o = result["overall"]
    lines.append(f"| **all** | {o['n']} | {o['p50_ms']} | {o['p95_ms']} | {o['max_ms']} | {result['errors']} |")
    return "\n".join(lines)


def summary_line(result: dict) -> str:
    o = result["overall"]
    return (f"{result['users']} users, {result['seconds']} s, {result.get('cases', '?')} cases, "
            f"{result.get('workers', '?')} workers: {result['requests']} requests, {result['rps']} req/s, "
            f"p50 {o['p50_ms']} ms, p95 {o['p95_ms']} ms, {result['errors']} error(s); CPU cores busy: "
            f"server {result.get('server_cpu_cores') if result.get('server_cpu_cores') is not None else '?'}, "
            f"load client {result['client_cpu_cores']}"
            + (f"; server CPU per request {result['server_cpu_ms_per_request']} ms"
               if result.get("server_cpu_ms_per_request") else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--max-requests", type=int, default=100000)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers (when this script starts it)")
    ap.add_argument("--url", help="target a server already running (loopback); skips starting one")
    ap.add_argument("--data", type=Path, help="data folder: kept and reused (filled when it holds fewer cases); "
                    "with --url, the server's KB_DATA_DIR, where the bench accounts are created")
    ap.add_argument("--user-prefix", default="charge", help="accounts are PREFIX000, PREFIX001, ...")
    ap.add_argument("--password", default=c.PASSWORD)
    ap.add_argument("--timeout", type=float, default=30, help="seconds per request")
    ap.add_argument("--think", type=float, default=0, metavar="SECONDS",
                    help="mean pause after each request (uniform 0..2x); 0, the default, is the issue's load")
    ap.add_argument("--warmup", type=int, default=2, help="uncounted rounds per user before the clock starts")
    ap.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    args = ap.parse_args(argv)
    if args.users < 1 or args.seconds <= 0 or args.max_requests < 1:
        ap.error("--users, --seconds and --max-requests must be positive")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    accounts = [(username(args.user_prefix, n), "volunteer") for n in range(args.users)]
    server = None
    temp = None
    result_extra: dict = {}
    try:
        if args.url:
            if not args.url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
                ap.error("--url must be a loopback address")
            base = args.url.rstrip("/")
            if args.data:
                c.create_accounts(args.data, accounts, args.password)
            refs = refs_from_server(base, args.user_prefix, args.password, log)
            result_extra = {"cases": "?", "workers": "?"}
        else:
            if args.data:
                data_dir = args.data
            else:
                temp = Path(tempfile.mkdtemp(prefix="kb-load-"))
                data_dir = temp / "data"
            log(f"load: filling {data_dir} with {args.cases} cases and {args.users} accounts...")
            filled = c.fill_data_dir(data_dir, args.cases, accounts, args.password, log=log)
            log(f"load: data folder ready {filled}")
            refs = [r.ref for r in c.synth_records(min(args.cases, filled["cases"]))] or ["SY-000000"]
            server = c.Gunicorn(data_dir, workers=args.workers,
                                log_path=(temp or data_dir.parent) / "load-gunicorn.log").start()
            ready = server.wait_ready()
            log(f"load: gunicorn -w {args.workers} answering after {ready:.1f} s at {server.base}")
            base = server.base
            result_extra = {"cases": filled["cases"], "workers": args.workers, "startup_s": round(ready, 1)}
        result = run_load(base, args.users, args.seconds, args.max_requests, refs, args.user_prefix,
                          args.password, timeout=args.timeout, warmup=args.warmup, log=log,
                          server_cpu=server.cpu_seconds if server else None, think=args.think)
        result.update(result_extra, think_s=args.think)
    finally:
        if server:
            server.stop()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(table(result))
        print()
        print(summary_line(result))
        if result["setup_errors"]:
            print("setup errors: " + "; ".join(result["setup_errors"]))
        if result["error_kinds"]:
            print("errors: " + ", ".join(f"{k} x{n}" for k, n in result["error_kinds"].items()))
        verdict = "met" if result["target_met"] else "NOT met"
        print(f"target (no error, p95 < {TARGET_P95_MS} ms): {verdict}")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
