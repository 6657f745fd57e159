"""danger reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'danger_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('school_id', sa.String(length=40), nullable=False),
        sa.Column('text', sa.String(length=4096), nullable=False),
        sa.Column('kinds', sa.JSON(), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('concern_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['concern_id'], ['concern.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_danger_report_account_id', 'danger_report', ['account_id'])


def downgrade() -> None:
    op.drop_index('ix_danger_report_account_id', table_name='danger_report')
    op.drop_table('danger_report')
