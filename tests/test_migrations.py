"""The Alembic migrations build exactly the schema the models describe, so an existing database
upgrades to what the code expects."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kb.models import Base


def test_migrations_match_the_models(kb) -> None:
    with kb.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ: write a migration ({diff[:3]})"


def test_init_is_idempotent_and_versioned(kb) -> None:
    kb.init()
    kb.init()
    tables = set(inspect(kb.db.engine).get_table_names())
    assert {"alembic_version", "cases", "themes", "users", "selections", "drafts", "index_tasks"} <= tables
