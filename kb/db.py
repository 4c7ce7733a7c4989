"""Engine and sessions: one Session per request or command, tables created and themes seeded on start."""
from __future__ import annotations

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


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

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


def seed_themes(session: Session) -> None:
    """Insert the design's taxonomy once; labels the bureau changed later are left alone."""
    known = set(session.scalars(select(Theme.slug)))
    for slug, label in THEMES.items():
        if slug not in known:
            session.add(Theme(slug=slug, label=label))
