"""Engine and sessions: one Session per request or command, tables created and themes seeded on start."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .migrate import upgrade
from .models import THEMES, Theme


def make_engine(url: str) -> Engine:
    """`hide_parameters`: a database error never carries the values (case text) into a log or a page."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - driver hook
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # Deleted rows are overwritten, so no removed text lingers in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


log = logging.getLogger(__name__)
CHECKPOINT_ATTEMPTS = 5


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._checkpoint_owed = False
        if self.engine.dialect.name == "sqlite":
            event.listen(self.sessions, "after_flush", _note_replaced_rows)
            event.listen(self.sessions, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop("replaced_rows", False) or self._checkpoint_owed:
            self.forget_old_pages()

    def forget_old_pages(self) -> bool:
        """SQLite keeps the pages a transaction replaced in its WAL file (and the database file keeps
        them until a checkpoint): after a commit that changed or deleted a row, copy the WAL back and
        empty it, so no earlier version of a record rests in either file (secure_delete zeroes the
        freed cells). Waits briefly for other readers; if they stay, the next such commit retries."""
        for _ in range(CHECKPOINT_ATTEMPTS):
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA busy_timeout=1000")
                busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
                connection.exec_driver_sql("PRAGMA busy_timeout=30000")
            if not busy:
                self._checkpoint_owed = False
                return True
        self._checkpoint_owed = True
        log.warning("WAL checkpoint deferred: other connections are reading")
        return False

    def create_all(self) -> None:
        """Migrate to the current schema (Alembic), then seed the themes."""
        upgrade(self.engine)
        with self.session() as session:
            seed_themes(session)
            session.commit()

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _note_replaced_rows(session: Session, _context) -> None:
    """Rows updated or deleted in this flush: their earlier version must not rest in the WAL."""
    if session.dirty or session.deleted:
        session.info["replaced_rows"] = True


def seed_themes(session: Session) -> None:
    """Insert the design's taxonomy once; labels the bureau changed later are left alone."""
    known = set(session.scalars(select(Theme.slug)))
    for slug, label in THEMES.items():
        if slug not in known:
            session.add(Theme(slug=slug, label=label))
