"""conversation version, replies in the chat a concern came from

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('concern') as batch:
        batch.add_column(sa.Column('reply_here', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('concern') as batch:
        batch.drop_column('reply_here')
    with op.batch_alter_table('conversation') as batch:
        batch.drop_column('version')
