"""users.must_change_password: change the password given by an administrator at next login

Revision ID: 0002_must_change_password
Revises: 0001_baseline
Create Date: 2026-11-26 12:46:12.150956
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_must_change_password'
down_revision = '0001_baseline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')

