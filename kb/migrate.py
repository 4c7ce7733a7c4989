"""Bring any database (new, or made by an older version) up to the current schema with Alembic."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from .config import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"
FIRST_REVISION = "0001"


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
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None and "cases" in inspect(connection).get_table_names():
            # Made by the first version, before migrations existed: its schema is the first revision's.
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, "head")
