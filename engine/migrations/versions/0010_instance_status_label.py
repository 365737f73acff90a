"""instances.status_label: where a case stands in its procedure's words, from the diagram's status labels

Revision ID: 0010_instance_status_label
Revises: 0009_obligation_thresholds
Create Date: 2026-12-07 05:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_instance_status_label'
down_revision = '0009_obligation_thresholds'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_label', sa.String(length=60), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('status_label')
