"""Helpers shared by the tests: a recogniser's context, whole-word presence as the scorer matches it,
a script run against a fresh app in a fresh process."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from anonymizer.allowlist import get_allowlist
from anonymizer.context import Context
from anonymizer.lexicon import get_lexicon


def ctx(text: str) -> Context:
    return Context(text, get_lexicon(), get_allowlist())


def present(needle: str, haystack: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack, re.IGNORECASE) is not None


def run_in_fresh_process(script: str, data_dir: Path, timeout: float) -> dict:
    """Run `script` (which builds its app on KB_DATA_DIR and prints one JSON line last) in a new Python
    process, on an emptied database when the suite runs on PostgreSQL; its JSON answer."""
    env = dict(os.environ, KB_DATA_DIR=str(data_dir))
    if env.get("KB_DATABASE_URL"):
        from tests.conftest import reset_database
        reset_database(env["KB_DATABASE_URL"])
    out = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[1], env=env,
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF file from its numbered objects (1 is the catalogue), with the cross-reference table."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out
