"""agreement records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:03:34.340407
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('agreement_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.String(length=40), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=10), nullable=False),
    sa.Column('template_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('typed_name', sa.String(length=100), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('telegram_user_id', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardian.id'], ),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], ),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agreement_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_record_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_record_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_record_school_id'), ['school_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('agreement_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_record_school_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_record_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_record_guardian_id'))

    op.drop_table('agreement_record')

