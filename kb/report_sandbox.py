"""Reading an activity report in a child process bounded in time and memory.

A report is untrusted input: a crafted PDF of a few kilobytes can hold content streams that take a
minute of CPU, or gigabytes of memory, to parse. So the app never parses one in its own process. A
child Python (isolated mode, no bytecode written) receives the file's bytes through a pipe, so the raw
report never touches the disk; before reading them it limits itself: address space, CPU time, no core
dump and no file written at all (RLIMIT_FSIZE 0). It extracts the text and parses it
(kb.report_parser: pure functions, the bounds on pages, content and text are there), then sends back
only the drafts, as JSON. The parent kills it when the time limit passes.

This module imports nothing heavy: the child imports it, and nothing else of the app.
"""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from .report_parser import (NotAReport, ParsedReport, ReportDraft, extract_text_from, parse_report, too_heavy,
                            unreadable)

ROOT = Path(__file__).resolve().parent.parent
# `-I`: isolated (no PYTHON* variables, no user site, no script or working folder on sys.path);
# `-B`: no .pyc written.
_CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
          "from kb.report_sandbox import child_main; child_main()")


@dataclass(frozen=True)
class Limits:
    """What one reading may cost. A report of 40 pages reads in well under a second on this machine."""

    seconds: float = 30.0  # wall clock, from the child's start to its answer
    memory_bytes: int = 1 << 30  # the child's address space (Python and pypdf take some 45 MB of it)


def read_report_bounded(name: str, data: bytes, known_themes: dict[str, str], include_miscellaneous: bool = False,
                        limits: Limits = Limits()) -> ParsedReport:
    """`parse_report(extract_text_from(name, data), ...)` in a bounded child process.

    Raises NotAReport with reason "time-limit" or "memory-limit" when the child runs out of time or
    memory (the message: too heavy to read), and whatever NotAReport the parser raised otherwise."""
    header = {"name": name, "themes": known_themes, "include_miscellaneous": include_miscellaneous,
              "memory_bytes": limits.memory_bytes, "cpu_seconds": int(limits.seconds) + 1}
    payload = json.dumps(header).encode("utf-8") + b"\n" + data
    try:
        done = subprocess.run([sys.executable, "-I", "-B", "-c", _CHILD, str(ROOT)], input=payload,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=limits.seconds,
                              check=False)
    except subprocess.TimeoutExpired:  # the child was killed
        raise too_heavy(name, "time-limit") from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict):
        # Killed by its CPU limit (SIGXCPU, then SIGKILL), or out of memory before it could answer;
        # logged (the exit status only), so that a child that cannot start at all gets noticed.
        logging.getLogger(__name__).warning("The report reader stopped without an answer (exit status %s).",
                                            done.returncode)
        raise too_heavy(name, "time-limit" if done.returncode < 0 else "memory-limit")
    if "error" in answer:
        reason = answer.get("reason") or "unreadable"
        if answer["error"]:
            raise NotAReport(answer["error"], reason)
        raise too_heavy(name, reason) if reason == "memory-limit" else unreadable(name)
    return _parsed_from_json(answer["report"])


def _parsed_from_json(data: dict) -> ParsedReport:
    def draft(d: dict) -> ReportDraft:
        return ReportDraft(**d)
    period = tuple(data["period"]) if data["period"] else None
    return ParsedReport(period=period, drafts=[draft(d) for d in data["drafts"]],
                        set_aside=[draft(d) for d in data["set_aside"]])


def _limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    """The child's own limits, set before it reads the report."""
    import resource
    import signal

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no memory image on disk
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write to a file fails (EFBIG) instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file written, whatever a library tries


def child_main() -> None:
    """The child: header line (JSON), then the report's bytes, on stdin; one JSON answer on stdout."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    header = json.loads(stdin.readline())
    _limit_self(int(header["memory_bytes"]), int(header["cpu_seconds"]))
    try:
        data = stdin.read()
        parsed = parse_report(extract_text_from(header["name"], data), header["themes"],
                              include_miscellaneous=bool(header["include_miscellaneous"]))
        answer = {"report": {"period": parsed.period, "drafts": [asdict(d) for d in parsed.drafts],
                             "set_aside": [asdict(d) for d in parsed.set_aside]}}
    except NotAReport as exc:
        answer = {"error": str(exc), "reason": exc.reason}
    except MemoryError:
        answer = {"error": None, "reason": "memory-limit"}
    except Exception:  # noqa: BLE001 - whatever a malformed file makes a library raise; never its message
        answer = {"error": None, "reason": "unreadable"}
    stdout.write(json.dumps(answer).encode("ascii"))  # ASCII: a lone surrogate from a PDF travels escaped
    stdout.flush()
