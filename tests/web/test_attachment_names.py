"""Attachment names on the case page carry no bidirectional or invisible controls: not in the list (stripped on
upload) and not in the case history (events keep what was uploaded before; the page strips it)."""
from __future__ import annotations

from sqlalchemy import select

from engine.cases.records import Attachment
from engine.models import Instance, User
from engine.runtime import audit
from tests.case_material import PDF

from .helpers import text
from .test_attachments import app_config, case, files, upload  # noqa: F401 - fixtures

RLO = "\u202e"


def test_names_are_shown_without_bidirectional_controls(client, auth, db, case, files):
    auth.as_("office1")
    assert upload(client, case, f"发票{RLO}fdp.txt.pdf", PDF).status_code == 302
    assert db.scalars(select(Attachment.filename)).one() == "发票fdp.txt.pdf"
    office1 = db.scalars(select(User).where(User.username == "office1")).one()
    audit.record(db, db.get(Instance, case), "attachment", office1, data={"filename": f"旧记录{RLO}txt.exe"})
    db.commit()
    page = text(client.get(f"/instances/{case}"))
    assert RLO not in page and "发票fdp.txt.pdf" in page and "旧记录txt.exe" in page
