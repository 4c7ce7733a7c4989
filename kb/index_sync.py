"""Keeping this server's index at the head of the change log, from its own position.

A sync reads the index's position (a small file in its folder) and the log's newest id: when they
agree, that is all (it runs before every web request). Otherwise, under this server's file lock, it
applies the rows after its position, writes the new position after the index commit, says so in
`index_nodes`, and prunes what every server seen within the retention has applied.

An index rebuilds from the database instead when it has no position (new, made before positions
existed, or a rebuild that died), when its position is ahead of the log (it comes from another
database), or when rows after its position were pruned (its server was not seen for longer than the
retention).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Connection

from indexes import CaseDoc, CaseIndex

from . import change_log, index_position, nodes
from .config import Settings
from .db import Database
from .locks import file_lock
from .models import utcnow

SYNC_LOCK = "outbox.lock"  # one writer of this server's index at a time, across its processes
HEARTBEAT_S = 60.0  # a server with nothing to apply still says it is there, this often at most
DOCS_BATCH = 500


class Source(Protocol):
    """What the follower needs of the knowledge base (services.KnowledgeBase)."""
    settings: Settings
    db: Database

    @property
    def index(self) -> CaseIndex: ...

    def iter_docs(self) -> Iterable[CaseDoc]: ...

    def docs_for(self, refs: Sequence[str]) -> list[CaseDoc]: ...


@dataclass(frozen=True)
class NodeStatus:
    name: str
    position: int | None  # None: no position (a rebuild is due)
    behind: int  # log rows after its position (the distance to the head, when rows after it were pruned)
    last_seen: datetime | None
    this_server: bool
    counted: bool  # seen within the retention: pruning waits for it
    needs_rebuild: bool  # rows after its position were pruned, or it has no position

    def as_json(self) -> dict:
        return {"name": self.name, "position": self.position, "behind": self.behind,
                "last_seen": self.last_seen.isoformat() + "Z" if self.last_seen else None,
                "this_server": self.this_server, "counted": self.counted, "needs_rebuild": self.needs_rebuild}


@dataclass(frozen=True)
class LogStatus:
    head: int
    oldest: int | None
    retention_days: float
    nodes: list[NodeStatus]

    @property
    def this_server(self) -> NodeStatus:
        return next(n for n in self.nodes if n.this_server)


class IndexFollower:
    def __init__(self, source: Source) -> None:
        self.source = source
        self._name: str | None = None
        self._last_heartbeat = float("-inf")

    @property
    def name(self) -> str:
        if self._name is None:
            self._name = nodes.node_name(self.source.settings)
        return self._name

    @property
    def _index_dir(self) -> Path:
        return self.source.settings.index_dir

    def position(self) -> int | None:
        return index_position.read(self._index_dir).applied

    def sync(self) -> int:
        """Bring the index to the head of the log; the number of rows applied (or cases rebuilt)."""
        position = self.position()
        with self.source.db.engine.connect() as connection:
            head = change_log.head(connection)
            if position == head:
                self._heartbeat(connection, position)
                return 0
        with file_lock(self.source.settings.data_dir / SYNC_LOCK):
            return self._catch_up()

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild this server's index from the database (`kb reindex`); the number of cases.
        `progress` is told how many cases each step wrote (the command line's progress bar)."""
        with file_lock(self.source.settings.data_dir / SYNC_LOCK):
            return self._rebuild(progress)

    def _catch_up(self) -> int:
        position = self.position()  # another process of this server may have moved it meanwhile
        with self.source.db.engine.connect() as connection:
            head = change_log.head(connection)
            if position == head:
                return 0
            if position is None or position > head:
                changes = None
            else:
                changes = change_log.changes_between(connection, position, head)
                if not change_log.complete_after(position, change_log.oldest(connection)):
                    changes = None  # read after the rows: a prune that came first is seen here
        if changes is None:
            return self._rebuild()
        self._apply(changes)
        index_position.write(self._index_dir, head)
        self._record(head)
        return len(changes)

    def _apply(self, changes: list[change_log.Change]) -> None:
        last = change_log.last_actions(changes)
        upserts = [ref for ref, action in last.items() if action == change_log.UPSERT]
        found: set[str] = set()

        def docs() -> Iterator[CaseDoc]:
            for start in range(0, len(upserts), DOCS_BATCH):
                for doc in self.source.docs_for(upserts[start:start + DOCS_BATCH]):
                    found.add(doc.ref)
                    yield doc

        index = self.source.index
        if upserts:
            index.upsert(docs(), purge=False)  # the caller purges the replaced text (services.apply_outbox)
        gone = [ref for ref, action in last.items() if action == change_log.DELETE or ref not in found]
        if gone:
            index.delete(gone, purge=False)

    def _rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        index_position.mark_rebuilding(self._index_dir)
        with self.source.db.engine.connect() as connection:
            head = change_log.head(connection)  # every row up to here is committed: the rebuild reads them
        count = self.source.index.rebuild(self.source.iter_docs(), progress)
        index_position.write(self._index_dir, head)
        self._record(head)
        return count

    def _record(self, position: int) -> None:
        """Say where this index stands, then prune what every server still counted has applied."""
        settings = self.source.settings
        now = utcnow()
        with self.source.db.engine.begin() as connection:
            nodes.touch(connection, self.name, position, now)
            lowest = nodes.lowest_position(connection, now - settings.node_retention)
            if lowest:
                change_log.prune_below(connection, lowest)
        self._last_heartbeat = time.monotonic()

    def _heartbeat(self, connection: Connection, position: int) -> None:
        if time.monotonic() - self._last_heartbeat < HEARTBEAT_S:
            return
        nodes.touch(connection, self.name, position, utcnow())
        connection.commit()
        self._last_heartbeat = time.monotonic()

    def status(self) -> LogStatus:
        """Every known server's place in the log (`kb check`); this one's from its index folder."""
        settings = self.source.settings
        position = self.position()
        cutoff = utcnow() - settings.node_retention
        with self.source.db.engine.connect() as connection:
            head = change_log.head(connection)
            oldest = change_log.oldest(connection)
            rows = {row.name: row for row in nodes.known(connection)}
            positions = {name: row.position for name, row in rows.items()}
            positions[self.name] = position
            complete = {name: p is not None and p <= head and change_log.complete_after(p, oldest)
                        for name, p in positions.items()}
            behind = {name: change_log.count_after(connection, p) if complete[name] else head - (p or 0)
                      for name, p in positions.items()}
        result = []
        for name in sorted(positions):
            row = rows.get(name)
            result.append(NodeStatus(
                name=name, position=positions[name], behind=max(behind[name], 0),
                last_seen=row.last_seen if row else None, this_server=name == self.name,
                counted=bool(row and row.last_seen >= cutoff), needs_rebuild=not complete[name]))
        return LogStatus(head=head, oldest=oldest, retention_days=settings.node_retention.total_seconds() / 86400,
                         nodes=result)
