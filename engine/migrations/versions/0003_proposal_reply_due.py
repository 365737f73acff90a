"""proposals.reply_due: the handling deadline, moved when 督办 agrees to an extension

Revision ID: 0003_proposal_reply_due
Revises: 0002_must_change_password
Create Date: 2026-11-26 13:17:38.448982
"""
from alembic import op
import sqlalchemy as sa
import engine.models


revision = '0003_proposal_reply_due'
down_revision = '0002_must_change_password'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_due', engine.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('reply_due')
