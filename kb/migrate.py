"""Bring any database (new, or made by an older version) up to the current schema with Alembic."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from .config import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Callers on one machine hold the data folder's lock; PostgreSQL servers shared by several
    machines are serialised by an advisory lock held for the migration's transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(7274201)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
