"""holiday calendar: holiday_years, holiday_ranges; working-day deadlines kept on open_tasks and instances

Revision ID: 0005_holiday_calendar
Revises: 0004_open_tasks_worklist_indexes
Create Date: 2026-12-07 03:23:24.039360
"""
from alembic import op
import sqlalchemy as sa
import engine.models


revision = '0005_holiday_calendar'
down_revision = '0004_open_tasks_worklist_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holiday_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', engine.models.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('holiday_ranges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['holiday_years.year'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('holiday_ranges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_ranges_year'), ['year'], unique=False)

    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workday_deadlines', sa.Text(), server_default='[]', nullable=False))

    with op.batch_alter_table('open_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_working_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('due_pending', sa.Boolean(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('open_tasks', schema=None) as batch_op:
        batch_op.drop_column('due_pending')
        batch_op.drop_column('due_working_days')

    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('workday_deadlines')

    with op.batch_alter_table('holiday_ranges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_ranges_year'))

    op.drop_table('holiday_ranges')
    op.drop_table('holiday_years')
