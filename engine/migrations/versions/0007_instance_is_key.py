"""instances.is_key: a key case (重点) is marked on the instance, read by the worklist without the proposal record

Revision ID: 0007_instance_is_key
Revises: 0006_role_actions
Create Date: 2026-12-07 04:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_instance_is_key'
down_revision = '0006_role_actions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_key', sa.Boolean(), server_default='0', nullable=False))
    proposals = sa.table('proposals', sa.column('instance_id', sa.Integer), sa.column('is_key', sa.Boolean))
    instances = sa.table('instances', sa.column('id', sa.Integer), sa.column('is_key', sa.Boolean))
    op.execute(instances.update().where(instances.c.id.in_(
        sa.select(proposals.c.instance_id).where(proposals.c.is_key.is_(True)))).values(is_key=True))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('is_key')
