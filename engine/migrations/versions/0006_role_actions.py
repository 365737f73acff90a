"""roles: the actions each role may take

Revision ID: 0006_role_actions
Revises: 0005_holiday_calendar
Create Date: 2026-12-07 03:32:00.334717
"""
from alembic import op
import sqlalchemy as sa
import engine.models


revision = '0006_role_actions'
down_revision = '0005_holiday_calendar'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actions', sa.JSON(), server_default='[]', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('roles', schema=None) as batch_op:
        batch_op.drop_column('actions')

