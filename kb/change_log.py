"""The index change log (table `index_tasks`): what every server's index must do, written in the
same transaction as the change to a case.

Each server reads the log from its own position (kb/index_sync.py), so a row is never consumed by
whoever reads it first. One session listener records a row for every case created, deleted, or
changed in what the index holds, so no write path can forget it. Rows hold a ref and an action,
never text.

A reader that has applied row N takes it that every row below N is committed. PostgreSQL gives ids
when rows are inserted, not when they commit: two transactions could commit 11 before 10, and a
server that read 11 would never see 10. So on PostgreSQL the transactions that write to the log take
turns (an advisory lock held until their commit or rollback) and commit in the order of their ids.
SQLite has one writer at a time already.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, event, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from .models import Case, IndexTask

UPSERT, DELETE = "upsert", "delete"
# What the index holds of a case (services.case_to_doc), plus updated_at, which the index keeps to
# compare with the database. A change to anything else (the report summary) leaves the index alone.
INDEXED_ATTRIBUTES = ("title", "situation", "opinion", "year", "year_to", "channel", "updated_at",
                      "themes", "sectors", "legal_refs")
ORDER_LOCK = 7274203  # advisory lock key (services/knowledge_base.py uses 7274202, migrate.py 7274201)
LOGGED = "index_log_written"  # session.info: ref -> the last action logged in this transaction


@dataclass(frozen=True)
class Change:
    id: int
    ref: str
    action: str


def record_index_changes(sessions: sessionmaker) -> None:
    """Every session of `sessions` logs the index work of its changes to cases before they flush."""
    event.listen(sessions, "before_flush", _log_changed_cases)
    event.listen(sessions, "after_transaction_end", _forget_logged)


def _log_changed_cases(session: Session, _flush_context, _instances) -> None:
    changes = [(case.ref, UPSERT) for case in session.new if isinstance(case, Case)]
    changes += [(case.ref, UPSERT) for case in session.dirty if isinstance(case, Case) and _index_sees(case)]
    changes += [(case.ref, DELETE) for case in session.deleted if isinstance(case, Case)]
    logged: dict[str, str] = session.info.setdefault(LOGGED, {})
    changes = [(ref, action) for ref, action in changes if logged.get(ref) != action]
    if not changes:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORDER_LOCK})
    for ref, action in changes:
        session.add(IndexTask(ref=ref, action=action))
        logged[ref] = action


def _index_sees(case: Case) -> bool:
    attrs = inspect(case).attrs
    return any(attrs[name].history.has_changes() for name in INDEXED_ATTRIBUTES)


def _forget_logged(session: Session, transaction: SessionTransaction) -> None:
    """At the end of the transaction, or of a savepoint: a row rolled back with a savepoint is then
    logged again by the next flush (a duplicate row is harmless, a missing one is not). Each flush
    runs in a subtransaction of its own, which ends here too and must not forget."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(LOGGED, None)


# -- reading -------------------------------------------------------------------------------------
# Built once: a sync runs this before every web request, and building the statement anew each time
# cost as much again as running it on SQLite (docs/benchmarks.md).
HEAD = select(func.max(IndexTask.id))


def head(connection: Connection) -> int:
    """The id of the newest row (0 for a log never written)."""
    return connection.scalar(HEAD) or 0


def oldest(connection: Connection) -> int | None:
    return connection.scalar(select(func.min(IndexTask.id)))


def changes_between(connection: Connection, after: int, upto: int) -> list[Change]:
    rows = connection.execute(select(IndexTask.id, IndexTask.ref, IndexTask.action)
                              .where(IndexTask.id > after, IndexTask.id <= upto).order_by(IndexTask.id))
    return [Change(*row) for row in rows]


def count_after(connection: Connection, position: int) -> int:
    return connection.scalar(select(func.count(IndexTask.id)).where(IndexTask.id > position)) or 0


def complete_after(position: int, oldest_id: int | None) -> bool:
    """Whether every row after `position` is still in the log. Pruning deletes only rows below some
    server's position, so once a row after `position` has gone, no row at or below it is left."""
    return oldest_id is None or position >= oldest_id - 1


def last_actions(changes: list[Change]) -> dict[str, str]:
    """What each case needs now: only its last action counts (the index reads the case as it is)."""
    last: dict[str, str] = {}
    for change in changes:
        last[change.ref] = change.action
    return last


# -- pruning -------------------------------------------------------------------------------------
def prune_below(connection: Connection, position: int) -> int:
    """Delete the rows below `position`, which every server that still counts has applied. The row
    at `position` stays, and so does the newest row: ids are then never reused (SQLite would give a
    deleted largest rowid again), and a server can tell whether rows after its position went."""
    return connection.execute(delete(IndexTask).where(IndexTask.id < position)).rowcount or 0
