"""live sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:19:25.498297
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('live_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=200), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('recorded', sa.Boolean(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('parent_present', sa.Boolean(), nullable=False),
    sa.Column('expectations', sa.JSON(), nullable=False),
    sa.Column('school_lines', sa.JSON(), nullable=False),
    sa.Column('extra', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_created_by'), ['created_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_session_status'), ['status'], unique=False)

    op.create_table('live_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardian.id'], ),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'pupil_id', 'guardian_id')
    )
    with op.batch_alter_table('live_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_invitation_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_invitation_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_invitation_session_id'), ['session_id'], unique=False)

    op.create_table('live_session_class',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], ),
    sa.PrimaryKeyConstraint('session_id', 'class_id')
    )


def downgrade() -> None:
    op.drop_table('live_session_class')
    with op.batch_alter_table('live_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_invitation_session_id'))
        batch_op.drop_index(batch_op.f('ix_live_invitation_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_live_invitation_guardian_id'))

    op.drop_table('live_invitation')
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_session_status'))
        batch_op.drop_index(batch_op.f('ix_live_session_starts_at'))
        batch_op.drop_index(batch_op.f('ix_live_session_school_id'))
        batch_op.drop_index(batch_op.f('ix_live_session_created_by'))

    op.drop_table('live_session')
