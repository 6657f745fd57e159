"""concerns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:12:20.096908
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('concern',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('sender_account_id', sa.Integer(), nullable=True),
    sa.Column('sender_guardian_id', sa.Integer(), nullable=True),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('from_pupil', sa.Boolean(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('text', sa.String(length=4096), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], ),
    sa.ForeignKeyConstraint(['sender_account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['sender_guardian_id'], ['guardian.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_escalate_at'), ['escalate_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_sender_account_id'), ['sender_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_status'), ['status'], unique=False)

    op.create_table('concern_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('concern_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_event_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_event_staff_id'), ['staff_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('concern_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_event_staff_id'))
        batch_op.drop_index(batch_op.f('ix_concern_event_concern_id'))

    op.drop_table('concern_event')
    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_status'))
        batch_op.drop_index(batch_op.f('ix_concern_sender_account_id'))
        batch_op.drop_index(batch_op.f('ix_concern_school_id'))
        batch_op.drop_index(batch_op.f('ix_concern_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_concern_escalate_at'))

    op.drop_table('concern')

