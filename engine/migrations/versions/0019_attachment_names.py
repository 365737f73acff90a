"""case_attachments.filename: bidirectional controls and other invisible format characters removed from stored names

A right-to-left override in a name ("发票\u202efdp.exe" shown as "发票exe.pdf") disguised what a file is. Uploads strip
them since this revision (engine/cases/attachments.clean_filename); this removes them from the names already stored.
The audit events keep the name as it was recorded (they are hash-chained and never rewritten).

Revision ID: 0019_attachment_names
Revises: 0018_sessions_login_throttle
Create Date: 2026-12-07 16:30:00
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0019_attachment_names'
down_revision = '0018_sessions_login_throttle'
branch_labels = None
depends_on = None

_KEEP = {"\u200c", "\u200d"}
_attachments = sa.table("case_attachments", sa.column("id", sa.Integer), sa.column("filename", sa.String(255)))


def _visible(name: str) -> str:
    kept = "".join(c for c in name if c in _KEEP or unicodedata.category(c) not in ("Cf", "Zl", "Zp"))
    return kept.strip(" .") or "附件"


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_attachments.c.id, _attachments.c.filename)).all()
    for row_id, name in rows:
        cleaned = _visible(name or "")
        if cleaned != name:
            connection.execute(_attachments.update().where(_attachments.c.id == row_id).values(filename=cleaned))


def downgrade() -> None:
    pass  # the characters removed were never wanted; there is nothing to put back
