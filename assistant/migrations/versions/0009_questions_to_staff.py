"""questions passed to the school, their history, and candidate FAQ phrasings

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'school_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.String(length=40), nullable=False),
        sa.Column('reference', sa.String(length=12), nullable=False),
        sa.Column('sender_account_id', sa.Integer(), nullable=True),
        sa.Column('guardian_id', sa.Integer(), nullable=True),
        sa.Column('pupil_id', sa.Integer(), nullable=True),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('text', sa.String(length=1000), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('routed_role', sa.String(length=20), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded', sa.Boolean(), nullable=False),
        sa.Column('entry_id', sa.String(length=60), nullable=False),
        sa.Column('answer', sa.String(length=4096), nullable=False),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['answered_by'], ['staff.id'], ),
        sa.ForeignKeyConstraint(['guardian_id'], ['guardian.id'], ),
        sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ),
        sa.ForeignKeyConstraint(['sender_account_id'], ['account.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reference'),
    )
    with op.batch_alter_table('school_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_question_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_question_school_id'), ['school_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_school_question_sender_account_id'),
                              ['sender_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_school_question_status'), ['status'], unique=False)

    op.create_table(
        'question_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=20), nullable=False),
        sa.Column('actor', sa.String(length=40), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['school_question.id'], ),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('question_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_event_question_id'), ['question_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_question_event_staff_id'), ['staff_id'],
                              unique=False)

    op.create_table(
        'faq_candidate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.String(length=40), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('entry_id', sa.String(length=60), nullable=False),
        sa.Column('text', sa.String(length=400), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('accepted', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['school_id'], ['school.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('school_id', 'locale', 'entry_id', 'text'),
    )
    with op.batch_alter_table('faq_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_candidate_school_id'), ['school_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('faq_candidate')
    op.drop_table('question_event')
    op.drop_table('school_question')
