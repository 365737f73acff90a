"""A small test procedure (会议材料报送) whose first form has every kind of field: text, long text, number, date,
choices, yes/no, unit and member pickers, a file, a repeated group and a conditional field; helpers for its tests."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from engine.definitions import deploy as definitions
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.models import User

HERE = Path(__file__).resolve().parent
DIAGRAM = HERE / "material.bpmn"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FILLED = {"subject": "2026年一季度协商座谈会材料", "kind": "report",
          "participants.0.name": "王五", "participants.0.unit": "czj", "participants.0.phone": "0871-1234567"}


def docx() -> bytes:
    """A minimal .docx; fixed entry dates so two calls give the same bytes (writestr would stamp the clock)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), body)
    return buffer.getvalue()


def start_material(session, username: str = "office1") -> int:
    """Deploy the procedure (once) and start a case; returns the instance id. Commits."""
    definitions.deploy_file(session, DIAGRAM)
    starter = session.scalars(select(User).where(User.username == username)).one()
    instance_id = runtime.start_instance(session, starter, "material", {}).id
    session.commit()
    return instance_id


def open_task_id(session, instance_id: int, username: str = "office1") -> str:
    user = session.scalars(select(User).where(User.username == username)).one()
    found = [t.id for t in inbox.tasks_for(session, user) if t.instance_id == instance_id]
    session.rollback()
    assert len(found) == 1, found
    return found[0]
