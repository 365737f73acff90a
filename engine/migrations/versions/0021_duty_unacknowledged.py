"""duty assessment: who was told of the result and never answered (未反馈)

Revision ID: 0021_duty_unacknowledged
Revises: 0020_board_date_indexes
Create Date: 2026-12-07 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_duty_unacknowledged'
down_revision = '0020_board_date_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duty_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unacknowledged', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('duty_assessments', schema=None) as batch_op:
        batch_op.drop_column('unacknowledged')
