"""case vectors: one row per case and model (name@version), computed when the case is written

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-04 22:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_vectors',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('model', sa.String(length=120), nullable=False),
        sa.Column('text_hash', sa.String(length=64), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', 'model'),
    )
    op.create_index('ix_case_vectors_model_text_hash', 'case_vectors', ['model', 'text_hash'])


def downgrade() -> None:
    op.drop_index('ix_case_vectors_model_text_hash', table_name='case_vectors')
    op.drop_table('case_vectors')
