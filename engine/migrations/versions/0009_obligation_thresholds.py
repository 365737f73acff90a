"""obligation_thresholds: the office's own thresholds for the year board's obligations

Revision ID: 0009_obligation_thresholds
Revises: 0008_proposal_statistics
Create Date: 2026-12-07 04:40:00
"""
from alembic import op
import sqlalchemy as sa
import engine.models


revision = '0009_obligation_thresholds'
down_revision = '0008_proposal_statistics'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('obligation_thresholds',
    sa.Column('obligation_id', sa.String(length=10), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', engine.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('obligation_id')
    )


def downgrade() -> None:
    op.drop_table('obligation_thresholds')
