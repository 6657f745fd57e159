"""link codes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:47:06.213665
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('link_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('link_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_attempt_account_id'), ['account_id'], unique=False)

    op.create_table('link_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.String(length=40), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardian.id'], ),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    with op.batch_alter_table('link_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_code_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_code_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_code_staff_id'), ['staff_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('link_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_code_staff_id'))
        batch_op.drop_index(batch_op.f('ix_link_code_school_id'))
        batch_op.drop_index(batch_op.f('ix_link_code_guardian_id'))

    op.drop_table('link_code')
    with op.batch_alter_table('link_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_attempt_account_id'))

    op.drop_table('link_attempt')

