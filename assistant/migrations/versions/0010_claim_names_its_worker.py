"""an outbox claim names the worker that made it (worker id : random)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('claim_token', existing_type=sa.String(length=32),
                           type_=sa.String(length=64), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('claim_token', existing_type=sa.String(length=64),
                           type_=sa.String(length=32), existing_nullable=True)
