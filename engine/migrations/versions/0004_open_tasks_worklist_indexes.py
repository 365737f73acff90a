"""open_tasks: worklist indexes — a view's ranges (role, candidate unit, candidate user, claimer) read in due order,
and all open work in due order

Revision ID: 0004_open_tasks_worklist_indexes
Revises: 0003_proposal_reply_due
Create Date: 2026-11-26 13:18:39.917336
"""
from alembic import op
import sqlalchemy as sa
import engine.models


revision = '0004_open_tasks_worklist_indexes'
down_revision = '0003_proposal_reply_due'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('open_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_open_tasks_due_order', ['due_at', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_open_tasks_worklist', ['role_key', 'candidate_unit', 'candidate_user',
                                                         'claimed_by_id', 'due_at', 'created_at', 'id',
                                                         'delegated_by_id', 'process_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('open_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_open_tasks_worklist')
        batch_op.drop_index('ix_open_tasks_due_order')
