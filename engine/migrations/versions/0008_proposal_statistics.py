"""proposals: what 提案统计 reads — the return window and the moment of 签收, the deadline the first reply was due by,
when 重新办理 began — and indexes on submitted_at (the proposal's year) and on is_key with it (the year's 重点提案)

Proposals replied before this revision take their current reply_due as the first reply's deadline (the best there
is: a re-handled one's is the second round's); their acceptance and re-handling moments stay unknown (empty).

Revision ID: 0008_proposal_statistics
Revises: 0007_instance_is_key
Create Date: 2026-12-07 04:30:47
"""
from alembic import op
import sqlalchemy as sa
import engine.models


revision = '0008_proposal_statistics'
down_revision = '0007_instance_is_key'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accept_due', engine.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', engine.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_reply_due', engine.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('rehandled_at', engine.models.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_proposals_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index('ix_proposals_key_year', ['is_key', 'submitted_at'], unique=False)
    proposals = sa.table('proposals', sa.column('replied_at', sa.DateTime), sa.column('reply_due', sa.DateTime),
                         sa.column('first_reply_due', sa.DateTime))
    op.execute(proposals.update().where(proposals.c.replied_at.is_not(None))
               .values(first_reply_due=proposals.c.reply_due))


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_key_year')
        batch_op.drop_index(batch_op.f('ix_proposals_submitted_at'))
        batch_op.drop_column('rehandled_at')
        batch_op.drop_column('first_reply_due')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('accept_due')
