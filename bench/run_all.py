#!/usr/bin/env python3
"""The whole benchmark suite in one command, reported as one Markdown table with the machine.

    .venv/bin/python bench/run_all.py --quick            # ~12 min: everything but the 100,000-case search
    .venv/bin/python bench/run_all.py                    # + 100,000 cases (several minutes more)
    .venv/bin/python bench/run_all.py --write            # also puts the table into docs/benchmarks.md
    .venv/bin/python bench/run_all.py --data /tmp/kb10k  # keep the 10,000-case data folder for next time

Sections (see docs/benchmarks.md for what each figure measures):
  anonymisation on one core (bench_anonymizer.py under `taskset -c 0`), `flask kb import` throughput,
  index build and search latency at 1k/10k/100k (bench_search.py), the search page over HTTP against
  the search call on the same 10k index, peak memory of a web worker and whether spaCy is loaded on
  the search path, time from process start to the first answered request, and the load test
  (bench/load.py: 20 users, 30 s, 10k cases). Everything runs on 127.0.0.1; every step has a timeout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

ROOT = c.ROOT
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"
LOAD_USERS, LOAD_SECONDS, WEB_CASES = 20, 30, 10000
HTTP_QUERIES = 300
PROBE_USER, PROBE_BUREAU = "mesure", "mesure-bureau"


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], timeout: float, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_quiet(limit: float) -> None:
    """Other work on the machine skews every figure: wait (bounded) for a quieter moment."""
    deadline = time.monotonic() + limit
    while float(loadavg().split()[0]) >= 1.0 and time.monotonic() < deadline:
        log(f"waiting for a quieter machine (load average {loadavg()})")
        time.sleep(min(15.0, max(0.0, deadline - time.monotonic())))


# -- the machine -----------------------------------------------------------------------------------
def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    try:
        commit = run(["git", "rev-parse", "--short", "HEAD"], 10).stdout.strip()
        dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], 10).stdout.strip()
        commit += " (+ uncommitted changes)" if dirty else ""
    except Exception:  # noqa: BLE001
        commit = "?"
    return {"nproc": len(os.sched_getaffinity(0)), "cpus": os.cpu_count(), "cpu": cpu,
            "ram_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "kernel": platform.release(), "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "commit": commit, "loadavg_start": loadavg()}


# -- anonymisation ---------------------------------------------------------------------------------
def anonymisation(repeat: int) -> dict:
    cmd = [sys.executable, "bench/bench_anonymizer.py", "--repeat", str(repeat)]
    pinned = shutil.which("taskset") is not None
    if pinned:
        cmd = ["taskset", "-c", "0", *cmd]
    out = run(cmd, 1800, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if out.returncode:
        raise RuntimeError(f"bench_anonymizer.py exited {out.returncode}: {out.stderr[-500:]}")
    text = out.stdout
    m1 = re.search(r"narratives: (\d+) \(mean (\d+) words\), model load: ([\d.]+) s", text)
    m2 = re.search(r"batch: ([\d.]+) narratives/s, ([\d.]+) ms per narrative", text)
    m3 = re.search(r"one at a time: median ([\d.]+) ms, max ([\d.]+) ms", text)
    if not (m1 and m2 and m3):
        raise RuntimeError("could not read bench_anonymizer.py's output: " + text[-300:])
    return {"pinned": pinned, "narratives": int(m1[1]), "words": int(m1[2]), "model_load_s": float(m1[3]),
            "per_s": float(m2[1]), "ms_each": float(m2[2]), "single_p50_ms": float(m3[1]), "single_max_ms": float(m3[2])}


# -- import ----------------------------------------------------------------------------------------
def import_throughput(workdir: Path, n: int) -> dict:
    """`flask --app app kb import` of n synthetic cases into an empty data folder (every text field
    anonymised); a 1-case import measures the fixed cost (interpreter, app, spaCy model load)."""
    records = c.synth_records(n, seed=5, prefix="IM-")

    def write(path: Path, recs) -> Path:
        with path.open("w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        return path

    def timed_import(file: Path, data: Path) -> float:
        t = time.perf_counter()
        out = run([sys.executable, "-m", "flask", "--app", "app", "kb", "import", str(file)], 1800, env=c.env_for(data))
        took = time.perf_counter() - t
        if out.returncode or "created" not in out.stdout:
            raise RuntimeError(f"kb import exited {out.returncode}: {(out.stdout + out.stderr)[-500:]}")
        return took

    fixed = timed_import(write(workdir / "one.jsonl", records[:1]), workdir / "import-one")
    total = timed_import(write(workdir / "many.jsonl", records), workdir / "import-many")
    chars = sum(len(r.title) + len(r.situation) + len(r.opinion) for r in records) / n
    return {"cases": n, "mean_chars": round(chars), "total_s": round(total, 1), "fixed_s": round(fixed, 1),
            "per_s": round(n / total, 1), "per_s_net": round((n - 1) / max(total - fixed, 0.01), 1)}


# -- search at several sizes -----------------------------------------------------------------------
def search_sizes(sizes: list[int]) -> list[dict]:
    out = run([sys.executable, "bench/bench_search.py", "--sizes", ",".join(map(str, sizes))], 5400)
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not rows:
        raise RuntimeError(f"bench_search.py exited {out.returncode}: {out.stderr[-500:]}")
    return rows


# -- the 10k data folder, the search call vs the page, memory, spaCy, start-up -------------------------
def search_call_on(data_dir: Path, requests) -> dict:
    """In this process, on the data folder's index: the call the search page makes, same warm-up as bench_search."""
    from indexes import CaseIndex, SearchRequest, dense

    settings = c.settings_for(data_dir)
    index = CaseIndex(settings.index_dir, dense=dense.slot(settings.dense_model))  # as the web app opens it
    try:
        index.search(SearchRequest(query="police"))
        for req in requests[:20]:
            index.search(req)
        lat = []
        for req in requests:
            t = time.perf_counter()
            index.search(req)
            lat.append((time.perf_counter() - t) * 1000)
    finally:
        index.close()
    return c.summary_ms(lat)


def web_worker(data_dir: Path, workdir: Path, params: list[dict]) -> dict:
    """One gunicorn worker: sequential search pages (+ case pages and JSON), then its memory and
    mapped libraries; then one intake anonymisation as a check that the spaCy probe sees spaCy."""
    res: dict = {}
    with c.Gunicorn(data_dir, workers=1, log_path=workdir / "gunicorn-memory.log") as server:
        res["ready_s"] = round(server.wait_ready(), 2)
        browser = c.Browser(server.base, timeout=120)
        browser.login(PROBE_USER)
        worker = server.worker_pids()[0]
        res["after_start"] = c.proc_status(worker)
        search_ms, case_ms, json_ms, errors = [], [], [], 0
        refs: list[str] = []
        for i, p in enumerate(params[:21] + params):
            status, body, took = browser.request("/?" + c.query_string(p))
            errors += status != 200
            refs = c.CASE_LINK.findall(body.decode("utf-8", "replace")) or refs
            if i >= 21:
                search_ms.append(took * 1000)
            if refs and i % 3 == 0:
                status, _, took_case = browser.request(f"/cases/{refs[0]}")
                status_json, _, took_json = browser.request(f"/cases/{refs[0]}.json")
                errors += (status != 200) + (status_json != 200)
                if i >= 21:
                    case_ms.append(took_case * 1000)
                    json_ms.append(took_json * 1000)
        assert worker in server.worker_pids(), "the worker was replaced during the measurement"
        res.update(search=c.summary_ms(search_ms), case=c.summary_ms(case_ms), case_json=c.summary_ms(json_ms),
                   errors=errors, requests=len(search_ms) + len(case_ms) + len(json_ms))
        res["after_search"] = c.proc_status(worker)
        res["spacy_after_search"] = c.spacy_mappings(worker)
        # The intake page (GET) and one anonymisation (POST), by a bureau account.
        bureau = c.Browser(server.base, timeout=120)
        bureau.login(PROBE_BUREAU)
        token = bureau.token("/intake/")
        res["spacy_after_intake_get"] = c.spacy_mappings(worker)
        status, _, took = bureau.request("/intake/", {
            "csrf_token": token, "title": "Demande d'une école", "situation": "Une école demande à l'assistante "
            "sociale le contenu de ses entretiens avec un élève et sa famille.", "opinion": "",
            "themes": "secret-professionnel", "year": "2024", "channel": "mail", "sectors": "", "legal_refs": ""})
        res["intake_status"], res["intake_first_s"] = status, round(took, 2)
        res["after_intake"] = c.proc_status(worker)
        res["spacy_after_intake"] = c.spacy_mappings(worker)
        res["master"] = c.proc_status(server.process.pid)
    return res


IMPORT_CHECK = r"""
import os, sys, traceback
ROOT = os.getcwd() + os.sep
class WatchSpacy:
    # Reports where the first spaCy or thinc import comes from: the project's frames on the stack.
    seen = False
    def find_spec(self, name, path=None, target=None):
        if not WatchSpacy.seen and name.split(".")[0] in ("spacy", "thinc"):
            WatchSpacy.seen = True
            frames = [f"{f.filename[len(ROOT):]}:{f.lineno} {f.name}" for f in traceback.extract_stack()[:-1]
                      if f.filename.startswith(ROOT) and os.sep + ".venv" + os.sep not in f.filename]
            sys.stderr.write("@@ spacy-import " + name + " <- " + " <- ".join(reversed(frames)) + "\n")
        return None
sys.meta_path.insert(0, WatchSpacy())
def step(name):
    sys.stderr.write("@@ step " + name + "\n"); sys.stderr.flush()
step("create_app")
from kb.web import create_app
app = create_app(config={"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
client = app.test_client()
step("POST /login")
assert client.post("/login", data={"username": sys.argv[1], "password": sys.argv[2]}).status_code == 302
step("GET /?q=...")
pages = [client.get("/?q=signalement+police&theme=secret-professionnel"), client.get("/?q=dossier+social")]
ref = app.extensions["kb"].index.search(__import__("indexes").SearchRequest(query="dossier")).hits[0].ref
step("GET /cases/REF")
pages.append(client.get("/cases/" + ref))
step("GET /cases/REF.json")
pages.append(client.get("/cases/" + ref + ".json"))
assert all(p.status_code == 200 for p in pages), [p.status_code for p in pages]
print("SPACY" if any(m.split(".")[0] in ("spacy", "thinc") for m in sys.modules) else "NO-SPACY")
"""


def parse_importtime(stderr: str) -> dict:
    """From `-X importtime` output (with "@@ step NAME" markers): the chain of imports that first
    brings in spaCy or thinc, the step during which it happened, and the import time by package."""
    rows = []  # (level, self µs, cumulative µs, module, step), children before their parent
    current = "start"
    caller = None
    for line in stderr.splitlines():
        if line.startswith("@@ step "):
            current = line[len("@@ step "):]
            continue
        if line.startswith("@@ spacy-import ") and caller is None:
            caller = line[len("@@ spacy-import "):]
            continue
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m:
            rows.append((len(m[3]) // 2, int(m[1]), int(m[2]), m[4], current))
    chain: list[str] = []
    during = None
    for i, (level, _, _, name, step) in enumerate(rows):
        if name.split(".")[0] in ("spacy", "thinc"):
            chain, during = [name], step
            for lvl, _, _, parent, _ in rows[i + 1:]:
                if level == 0:
                    break
                if lvl < level:
                    chain.append(parent)
                    level = lvl
            chain.reverse()
            first = next(k for k, mod in enumerate(chain) if mod.split(".")[0] in ("spacy", "thinc"))
            chain = chain[:first + 1]
            break
    by_package: dict[str, int] = {}  # self time summed by top-level package: where start-up time goes
    for _, self_us, _, name, _ in rows:
        by_package[name.split(".")[0]] = by_package.get(name.split(".")[0], 0) + self_us
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:6]
    return {"chain": chain, "during": during, "caller": caller,
            "total_import_s": round(sum(r[2] for r in rows if r[0] == 0) / 1e6, 2),
            "slowest": [(name, round(us / 1e6, 2)) for name, us in top]}


def import_check(data_dir: Path) -> dict:
    """`python -X importtime`: the app built and the search path driven in one process; which import
    chain, if any, brings spaCy in (and during which step); and where import time goes."""
    out = run([sys.executable, "-X", "importtime", "-c", IMPORT_CHECK, PROBE_USER, c.PASSWORD], 600,
              env=c.env_for(data_dir))
    if out.returncode:
        raise RuntimeError(f"import check exited {out.returncode}: {out.stderr[-800:]}")
    return {"spacy_loaded": "SPACY" in out.stdout.split(), **parse_importtime(out.stderr)}


def startup(data_dir: Path, workdir: Path, params: list[dict]) -> dict:
    """gunicorn -w 1 on an existing data folder: process start -> first 200 from /login, then the first
    search page (index opened, word vectors mapped) after logging in."""
    with c.Gunicorn(data_dir, workers=1, log_path=workdir / "gunicorn-startup.log") as server:
        ready = server.wait_ready()
        browser = c.Browser(server.base, timeout=120)
        browser.login(PROBE_USER)
        status, _, first = browser.request("/?" + c.query_string(params[0]))
        status2, _, second = browser.request("/?" + c.query_string(params[1]))
    return {"ready_s": round(ready, 2), "first_search_s": round(first, 2), "second_search_ms": round(second * 1000),
            "status": (status, status2)}


def load_test(data_dir: Path) -> dict:
    out = run([sys.executable, "bench/load.py", "--json", "--users", str(LOAD_USERS), "--seconds", str(LOAD_SECONDS),
               "--cases", str(WEB_CASES), "--data", str(data_dir)], LOAD_SECONDS + 1200)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"load.py exited {out.returncode}: {out.stderr[-800:]}")
    return json.loads(lines[-1])


# -- the report ------------------------------------------------------------------------------------
def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "**missed**")


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def build_table(r: dict, quick: bool) -> str:
    m = r["machine"]
    lines = [
        f"Machine: {m['nproc']} CPU(s) available ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"Linux {m['kernel']}; run {m['date']} on commit {m['commit']}"
        f"{' with --quick' if quick else ''}. Load average at start {m['loadavg_start']}, "
        f"at end {r.get('loadavg_end', '?')}"
        + ("; 1-minute load average as each section began: " + ", ".join(f"{k} {v}" for k, v in r["loadavg"].items())
           if r.get("loadavg") else "") + ".",
        "",
        "| figure | measured | target | |",
        "| --- | --- | --- | --- |",
    ]

    def row(figure: str, measured: str, target: str = "", ok: bool | None = None) -> None:
        lines.append(f"| {figure} | {measured} | {target} | {verdict(ok)} |")

    def failed(figure: str, key: str) -> bool:
        if key in r.get("errors", {}):
            row(figure, f"failed: {r['errors'][key]}")
            return True
        return key not in r

    if not failed("Anonymisation, one core", "anon"):
        a = r["anon"]
        core = "one core (`taskset -c 0`)" if a["pinned"] else "not pinned (no taskset)"
        row(f"Anonymisation, {core}, batches of 32", f"{a['per_s']:.1f} narratives/s ({a['ms_each']:.1f} ms each; "
            f"{a['narratives']} narratives of ~{a['words']} words)", "≥ 30 narratives/s", a["per_s"] >= 30)
        row("Anonymisation, one narrative at a time", f"median {a['single_p50_ms']:.0f} ms, max {a['single_max_ms']:.0f} ms; "
            f"model load {a['model_load_s']:.1f} s")
    if not failed("Import (`flask kb import`)", "import"):
        i = r["import"]
        row(f"Import, `flask kb import` of {i['cases']} synthetic cases (~{i['mean_chars']} chars each, anonymised)",
            f"{i['per_s']} cases/s end to end ({i['total_s']} s); {i['per_s_net']} cases/s without the "
            f"{i['fixed_s']} s fixed cost (start-up, model load)")
    if not failed("Search (bench_search.py)", "search"):
        targets = {10000: 50, 100000: 150}
        for s in r["search"]:
            w, n = s["whoosh"], s["cases"]
            target = targets.get(n)
            row(f"Index build, {n:,} cases", f"{w['build_s']} s, {w['size_mb']} MB")
            row(f"Search call, {n:,} cases ({s['queries']} queries)",
                f"median {w['p50_ms']} ms, p95 {w['p95_ms']} ms (max {w['max_ms']}; SQLite FTS5 p95 {s['fts5']['p95_ms']} ms)",
                f"p95 < {target} ms" if target else "", w["p95_ms"] < target if target else None)
        if quick:
            row("Search call, 100,000 cases", "not run (--quick)", "p95 < 150 ms")
    if "call" in r and "web" in r:
        call, page = r["call"], r["web"]["search"]
        d50, d95 = page["p50_ms"] - call["p50_ms"], page["p95_ms"] - call["p95_ms"]
        row(f"Search call on the web's {WEB_CASES:,}-case index, in process", f"median {call['p50_ms']} ms, p95 {call['p95_ms']} ms")
        row("Search page over HTTP, same queries (1 worker, one client)",
            f"median {page['p50_ms']} ms, p95 {page['p95_ms']} ms: the page adds {d50:+.1f} ms (median), {d95:+.1f} ms (p95)",
            "adds ≤ 50 ms", max(d50, d95) <= 50)
    if not failed("Web worker", "web"):
        w = r["web"]
        row("Case page / case JSON over HTTP (1 worker, one client)",
            f"median {w['case']['p50_ms']} / {w['case_json']['p50_ms']} ms, p95 {w['case']['p95_ms']} / {w['case_json']['p95_ms']} ms")
        row(f"Web worker peak memory (VmHWM) after {w['requests']} requests on {WEB_CASES:,} cases",
            f"{mb(w['after_search']['VmHWM'])} (VmRSS {mb(w['after_search']['VmRSS'])}; "
            f"{mb(w['after_start']['VmHWM'])} right after start; master {mb(w['master']['VmHWM'])})")
        spacy = w["spacy_after_search"]
        row("spaCy loaded in the worker on the search path (`/proc/PID/maps`)",
            "**yes**: " + ", ".join(Path(p).name for p in spacy[:3]) if spacy else "no",
            "not loaded", not spacy)
        if "imports" in r:
            im = r["imports"]
            if im["spacy_loaded"]:
                row("Import chain that loads spaCy (`-X importtime`)",
                    f"during {im.get('during') or '?'}: " + (" → ".join(im["chain"]) or "?")
                    + (f"; first import: `{im['caller']}`" if im.get("caller") else ""))
        row("spaCy after one intake anonymisation (check that the probe sees it)",
            f"{'yes' if w['spacy_after_intake'] else 'no'} (HTTP {w['intake_status']}, first anonymisation "
            f"{w['intake_first_s']} s; VmHWM {mb(w['after_intake']['VmHWM'])})")
    if not failed("Start-up", "startup"):
        s = r["startup"]
        row(f"Start-up, gunicorn -w 1 on {WEB_CASES:,} cases: process start → first answered request",
            f"{s['ready_s']} s (then the first search page {s['first_search_s']} s, the next {s['second_search_ms']} ms)")
    if "imports" in r:
        im = r["imports"]
        row("Imports (`-X importtime`: create_app, then the search path)", f"{im['total_import_s']} s in all; packages taking most: "
            + ", ".join(f"{n} {t} s" for n, t in im["slowest"][:4]))
    if not failed("Load test", "load"):
        L = r["load"]
        o = L["overall"]
        k = L["kinds"]
        row(f"Load: {L['users']} users, {L['seconds']} s, {L['cases']:,} cases, gunicorn -w {L['workers']}",
            f"{L['requests']} requests, {L['rps']} req/s, median {o['p50_ms']} ms, p95 {o['p95_ms']} ms, "
            f"{L['errors']} error(s) (p95 search {k['search']['p95_ms']}, case {k['case']['p95_ms']}, "
            f"JSON {k['case.json']['p95_ms']} ms)"
            + (f"; CPU cores busy: workers {L['server_cpu_cores']}, load client {L['client_cpu_cores']} "
               f"(of {m['nproc']}); {L['server_cpu_ms_per_request']} ms of server CPU per request"
               if L.get("server_cpu_cores") is not None else ""),
            "no error, p95 < 300 ms", L["target_met"])
    return "\n".join(lines)


def write_doc(table: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{DOC} has no {BEGIN} ... {END} markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")


def main() -> int:
    global WEB_CASES
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the 100,000-case search")
    ap.add_argument("--write", action="store_true", help=f"put the table into {DOC.relative_to(ROOT)}")
    ap.add_argument("--data", type=Path, help="the 10,000-case data folder: kept, reused when already filled")
    ap.add_argument("--json-out", type=Path, help="also write every raw figure to this JSON file")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait (at most this long) for the 1-minute load average to fall below 1")
    ap.add_argument("--from-json", type=Path, metavar="FILE",
                    help="run nothing: render (and --write) the table of a run saved with --json-out")
    ap.add_argument("--web-cases", type=int, default=WEB_CASES, help="cases behind the web figures (default 10,000)")
    ap.add_argument("--only", help="comma-separated sections: anon,import,search,web,startup,load")
    args = ap.parse_args()
    WEB_CASES = args.web_cases
    only = set(args.only.split(",")) if args.only else {"anon", "import", "search", "web", "startup", "load"}

    if args.from_json:
        r = json.loads(args.from_json.read_text(encoding="utf-8"))
        WEB_CASES = r.get("web_cases", WEB_CASES)
        table = build_table(r, r.get("quick", False))
        print(table)
        if args.write:
            write_doc(table)
        return 0
    if args.wait_quiet:
        wait_quiet(args.wait_quiet)
    r: dict = {"machine": machine(), "errors": {}, "loadavg": {}, "quick": args.quick,
               "web_cases": WEB_CASES}
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    data_dir = args.data or workdir / "data10k"
    log(f"machine {r['machine']}; work folder {workdir}")

    def section(key: str, label: str, fn, *fn_args) -> None:
        if key.split(":")[0] not in only:
            return
        r["loadavg"][key.split(":")[-1]] = loadavg().split()[0]
        log(f"{label}... (load average {loadavg()})")
        t = time.perf_counter()
        try:
            r[key.split(":")[-1]] = fn(*fn_args)
        except Exception as exc:  # noqa: BLE001 - one section failing must not hide the others
            traceback.print_exc()
            r["errors"][key.split(":")[-1]] = f"{type(exc).__name__}: {str(exc)[:300]}"
        log(f"{label} done in {time.perf_counter() - t:.0f} s")

    try:
        section("anon", "anonymisation (bench_anonymizer.py, taskset -c 0)", anonymisation, 10)
        section("import", "import throughput (flask kb import)", import_throughput, workdir, 500)
        section("search", "search at several sizes (bench_search.py)", search_sizes,
                [1000, 10000] if args.quick else [1000, 10000, 100000])
        if only & {"web", "startup", "load"}:
            log(f"filling the {WEB_CASES:,}-case data folder {data_dir}...")
            accounts = [(load_user, "volunteer") for load_user in (f"charge{n:03d}" for n in range(LOAD_USERS))]
            accounts += [(PROBE_USER, "volunteer"), (PROBE_BUREAU, "bureau")]
            r["fill"] = c.fill_data_dir(data_dir, WEB_CASES, accounts, log=log)
            log(f"data folder: {r['fill']}")
            params = c.search_params(HTTP_QUERIES)
            section("web:call", "search call in process on the 10k index", search_call_on, data_dir,
                    c.search_requests(HTTP_QUERIES))
            section("web", "web worker: HTTP pages, memory, spaCy", web_worker, data_dir, workdir, params)
            section("web:imports", "import check (-X importtime)", import_check, data_dir)
            section("startup", "start-up time", startup, data_dir, workdir, c.search_params(2, seed=3))
            section("load", f"load test ({LOAD_USERS} users, {LOAD_SECONDS} s)", load_test, data_dir)
    finally:
        r["loadavg_end"] = loadavg()
        if args.data is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {data_dir}; logs in {workdir}")
    table = build_table(r, args.quick)
    print(table)
    if args.json_out:
        args.json_out.write_text(json.dumps(r, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.write:
        write_doc(table)
        log(f"table written into {DOC}")
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
