"""an index for the outbox's due-message query (status, then when it is due)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outbox_status_not_before', 'outbox', ['status', 'not_before'])


def downgrade() -> None:
    op.drop_index('ix_outbox_status_not_before', table_name='outbox')
