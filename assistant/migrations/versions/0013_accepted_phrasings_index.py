"""an index on accepted phrasings: every update counts them to know whether its school's changed

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_faq_candidate_accepted', 'faq_candidate', ['accepted'])


def downgrade() -> None:
    op.drop_index('ix_faq_candidate_accepted', table_name='faq_candidate')
