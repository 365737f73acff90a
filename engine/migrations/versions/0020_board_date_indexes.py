"""board date indexes: every date column an obligation of the 年度看板 counts a year over is indexed, so a year's
figures are range scans, not scans of every record ever kept

Revision ID: 0020_board_date_indexes
Revises: 0019_attachment_names
Create Date: 2026-12-07 16:10:00
"""
from alembic import op


revision = '0020_board_date_indexes'
down_revision = '0019_attachment_names'
branch_labels = None
depends_on = None

INDEXES = [
    ("consultation_plans", "created_at"), ("consultations", "started_at"), ("consultations", "closed_at"),
    ("consultations", "planned_date"), ("consultation_outcomes", "created_at"), ("consultation_outcomes", "sent_on"),
    ("outcome_instructions", "instructed_on"), ("outcome_implementations", "reported_on"),
    ("proposals", "replied_at"), ("proposals", "closed_at"), ("appraisals", "closed_at"),
    ("inspections", "closed_at"), ("inspections", "reported_at"), ("duty_assessments", "closed_at"),
    ("division_tasks", "started_at"), ("consultation_plans", "plenary_on"), ("year_plans", "approved_at"),
]


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
