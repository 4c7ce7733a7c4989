"""index_nodes: every server's position in the index change log (index_tasks)

The log used to be a queue whose rows the one server deleted once applied; each server now reads it
from its own position (kept with its index) and rows go only once every known server has them. The
"reindex" rows a rebuild left as an "under way" marker are dropped: a rebuild under way is now marked
in the server's own index folder, and an index without a position is rebuilt at its next sync.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_nodes',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.execute("DELETE FROM index_tasks WHERE action = 'reindex'")


def downgrade() -> None:
    op.drop_table('index_nodes')
