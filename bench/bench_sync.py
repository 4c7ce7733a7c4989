#!/usr/bin/env python3
"""What a sync of the index costs when nothing changed: it runs before every web request.

    .venv/bin/python bench/bench_sync.py                                   # SQLite in a temporary folder
    .venv/bin/python bench/bench_sync.py --database-url "$(bash scripts/postgres)"   # PostgreSQL

A sync with nothing to do reads the index's position (a small file in its folder) and the change log's
newest id (one query), and at most once a minute says in `index_nodes` that this server is there. The
web app's hook (kb/web/index_follow.py) first asks whether a purge is under way (a file lock), timed
apart as `purge_check`; `position_file` is the read of the position alone. The
reference, measured in the same rounds, interleaved, is the cheapest database round trip the app could
make: a connection from the pool and `SELECT 1`. The log holds --log-rows rows (as when a server that
is down holds it back), which a `max(id)` on the primary key should not feel.

PostgreSQL: give a throw-away database (scripts/postgres creates one); its tables are created there and
the cases and log rows added are left in it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from kb import index_position, nodes  # noqa: E402
from kb.config import load_settings  # noqa: E402
from kb.models import IndexTask, utcnow  # noqa: E402
from kb.records import CaseRecord  # noqa: E402
from kb.services import KnowledgeBase  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def timed_us(fn, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1e6)
    return out


def prepare(data_dir: Path, url: str | None, cases: int, log_rows: int) -> KnowledgeBase:
    settings = load_settings(data_dir=data_dir, database_url=url or f"sqlite:///{data_dir / 'kb.sqlite3'}",
                             node_name="bench-sync")
    kb = KnowledgeBase(settings)
    kb.init()
    kb.save_records([CaseRecord(ref=f"BS-{n:05d}", title=f"Demande {n} d'un service", situation=f"Situation {n}.",
                                opinion="Avis.", themes=["divers"], year=2024, channel="mail") for n in range(cases)])
    with kb.db.engine.begin() as connection:
        # another server, seen now, has applied none of the rows that follow: the log keeps them all
        nodes.touch(connection, "bench-lagging", 0, utcnow())
        connection.execute(insert(IndexTask), [{"ref": f"BS-{n % max(cases, 1):05d}", "action": "upsert",
                                                "created_at": utcnow()} for n in range(log_rows)])
    kb.apply_outbox()  # this server applies them
    return kb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a throw-away PostgreSQL database (default: SQLite in a temporary folder)")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--log-rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=2000, help="calls of each kind per round")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        kb = prepare(Path(tmp) / "data", args.database_url, args.cases, args.log_rows)
        position = index_position.read(kb.settings.index_dir).applied
        assert kb.apply_outbox() == 0, "the sync should have nothing to do"

        def select_one() -> None:
            with kb.db.engine.connect() as connection:
                connection.execute(text("SELECT 1")).scalar()

        def read_position() -> None:
            index_position.read(kb.settings.index_dir)

        load_start = os.getloadavg()
        rounds = []
        for _ in range(args.rounds):
            row = {}
            for name, fn in (("sync", kb.apply_outbox), ("select_1", select_one), ("position_file", read_position),
                             ("purge_check", kb.purge_under_way)):
                timed_us(fn, 50)  # warm
                values = timed_us(fn, args.calls)
                row[name] = {"median_us": round(statistics.median(values), 1), "p95_us": round(pct(values, 95), 1),
                             "max_us": round(max(values), 1)}
            row["sync_minus_select_1_us"] = round(row["sync"]["median_us"] - row["select_1"]["median_us"], 1)
            rounds.append(row)
            print(json.dumps(row), file=sys.stderr)
        assert index_position.read(kb.settings.index_dir).applied == position  # nothing was applied meanwhile
        with kb.db.engine.connect() as connection:
            kept = connection.execute(select(func.count(IndexTask.id))).scalar()
        result = {
            "database": kb.db.engine.dialect.name, "cases": args.cases, "log_rows_kept": kept,
            "calls_per_round": args.calls, "rounds": rounds,
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "sync_median_us_range": [min(r["sync"]["median_us"] for r in rounds), max(r["sync"]["median_us"] for r in rounds)],
            "select_1_median_us_range": [min(r["select_1"]["median_us"] for r in rounds),
                                         max(r["select_1"]["median_us"] for r in rounds)],
        }
        kb.index.close()
        kb.db.engine.dispose()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
