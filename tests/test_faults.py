"""Nothing lost under faults and load: SIGKILL in the middle of an import or a reindex, and many
concurrent writes from several gunicorn workers. These run real processes against the data folder."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb import index_position
from kb.models import Case
from kb.records import CaseRecord
from tests.conftest import PASSWORD, case_row, ensure_user, write_jsonl

PROJECT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def many_cases(count: int) -> list[dict]:
    topics = ["l'adresse d'un usager", "le dossier d'un élève", "un rapport au juge", "une attestation de suivi",
              "les notes d'entretien", "la liste des résidents", "un certificat médical", "le relevé des aides"]
    return [case_row(f"AV-2020-{i:04d}", title=f"Demande concernant {topics[i % len(topics)]} ({i})",
                     situation=f"Un service demande {topics[i % len(topics)]} à l'assistante sociale. Situation {i}.",
                     year=2000 + i % 25) for i in range(count)]


def env_for(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, KB_DATA_DIR=str(data_dir))
    env.pop("FLASK_APP", None)
    return env


def flask(data_dir: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "flask", "--app", "app", "kb", *args], cwd=PROJECT, env=env_for(data_dir),
                          capture_output=True, text=True, timeout=600, **kw)


def kill_when(process: subprocess.Popen, condition, timeout: float = 300) -> None:
    """SIGKILL the process as soon as `condition()` holds (polled every few milliseconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the process ended before the fault could be injected: {process.stderr.read()[-2000:]}")
        if condition():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.005)
    process.kill()
    pytest.fail("the condition to inject the fault never held")


def count(kb, model, *where) -> int:
    with kb.db.session() as db:
        return db.scalar(select(func.count(model.id)).where(*where))


def test_sigkill_during_import_then_restart_and_rerun(kb, data_dir: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "big.jsonl", many_cases(300))
    process = subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "kb", "import", str(source)], cwd=PROJECT,
                               env=env_for(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Killed right after the database commit, while the index is being written.
    kill_when(process, lambda: count(kb, Case) > 0)
    assert count(kb, Case) == 300  # the import is one transaction: all or nothing

    restart = flask(data_dir, "check")  # start-up replays the outbox, then compares
    assert restart.returncode == 0, restart.stdout + restart.stderr
    assert "agree" in restart.stdout
    rerun = flask(data_dir, "import", str(source))
    assert rerun.returncode == 0 and "0 created, 0 updated, 300 unchanged" in rerun.stdout, rerun.stdout + rerun.stderr
    assert kb.check().ok and kb.index.doc_count() == 300


def test_sigkill_during_reindex_then_restart(kb, runner, data_dir: Path, tmp_path: Path) -> None:
    assert runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", many_cases(300)))]).exit_code == 0
    process = subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "kb", "reindex"], cwd=PROJECT,
                               env=env_for(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The rebuild marks itself as under way in this server's index folder, not in the shared database.
    kill_when(process, lambda: index_position.read(kb.settings.index_dir).rebuilding)
    time.sleep(0.2)  # not a timing assumption: the index may be mid-rebuild or not started; both must heal
    assert index_position.read(kb.settings.index_dir).applied is None  # no position: the next sync rebuilds
    restart = flask(data_dir, "check")
    assert restart.returncode == 0 and "agree" in restart.stdout, restart.stdout + restart.stderr
    assert index_position.read(kb.settings.index_dir).applied == kb.follower.status().head
    assert kb.index.doc_count() == 300 and kb.check().ok


def test_concurrent_creations_take_turns_for_the_next_ref(kb) -> None:
    """Twenty saves at once in the same year: each gets its own AV-YEAR-NNN at the first attempt
    (a lost race that had to retry five times gave a 500 under gunicorn on PostgreSQL)."""
    def create(n: int) -> str:
        return kb.create_case(CaseRecord(ref="", title=f"Cas {n}", situation=f"Situation {n}.",
                                         themes=["divers"], year=2031), actor="test", attempts=1)

    with ThreadPoolExecutor(max_workers=20) as pool:
        refs = list(pool.map(create, range(40)))
    assert sorted(refs) == [f"AV-2031-{n:03d}" for n in range(1, 41)]
    assert kb.index.doc_count() == 40 and kb.check().ok


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A minimal cookie-keeping client, like one user's browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode("utf-8")

    def post(self, path: str, fields: dict) -> int:
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=300) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.get(path)).group(1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_four_gunicorn_workers_take_200_concurrent_cases(app, kb, data_dir: Path) -> None:
    for n in range(20):  # one account per simulated user: logins are rate-limited per account
        ensure_user(app, f"bureau{n}", "bureau")
    port = free_port()
    server = subprocess.Popen([PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "4",
                               "-b", f"127.0.0.1:{port}", "app:app"], cwd=PROJECT, env=env_for(data_dir),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start: " + (server.stderr.read() if server.poll() is not None else ""))
                time.sleep(0.3)

        def user_session(n: int) -> list[int]:
            browser = Browser(base)
            assert browser.post("/login", {"username": f"bureau{n}", "password": PASSWORD,
                                           "csrf_token": browser.token("/login")}) == 302
            token = browser.token("/intake/")
            return [browser.post("/intake/save", {
                "csrf_token": token, "title": f"Cas concurrent {n}-{k}", "situation": f"Situation numéro {n}-{k}.",
                "opinion": "Avis.", "themes": "divers", "year": "2025", "channel": "mail", "sectors": "", "legal_refs": "",
                "accept_residuals": "y"}) for k in range(10)]

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = [s for batch in pool.map(user_session, range(20)) for s in batch]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    server_log = server.stderr.read()  # the app logs where an error happened, never the text
    assert statuses == [302] * 200, f"{statuses.count(500)} errors; server log:\n{server_log}"
    assert count(kb, Case) == 200
    assert kb.index.doc_count() == 200 and kb.check().ok
