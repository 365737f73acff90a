"""Bidirectional controls and other invisible format characters never reach an attachment's shown name: stripped on
upload, and removed from names stored before (migration 0019), on both databases."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from engine import schema
from engine.cases import attachments
from engine.cases.records import Attachment

from .flow import Flow

RLO, LRO, RLI, PDI, ZWSP, BOM, ALM = "\u202e", "\u202d", "\u2067", "\u2069", "\u200b", "\ufeff", "\u061c"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("name, shown", [
    (f"发票{RLO}fdp.exe", "发票fdp.exe"),
    (f"{LRO}报告{PDI}.pdf", "报告.pdf"),
    (f"会议{RLI}纪要{PDI}.docx", "会议纪要.docx"),
    (f"{BOM}{ZWSP}名单{ALM}.xlsx", "名单.xlsx"),
    ("第一段\u2028第二段.txt", "第一段第二段.txt"),
    ("نامه\u200cها.pdf", "نامه\u200cها.pdf"),  # a zero-width non-joiner spells the word: kept
])
def test_invisible_controls_are_stripped_from_names(name, shown):
    assert attachments.clean_filename(name) == shown


def test_an_upload_is_stored_without_them(deployed, users, both_backends, tmp_path):
    instance = Flow(deployed, users).submit()
    row = attachments.add(deployed, attachments.Store(tmp_path), users.member1, instance, f"提案{RLO}txt.pdf", PDF)
    deployed.commit()
    assert deployed.scalar(select(Attachment.filename).where(Attachment.id == row.id)) == "提案txt.pdf"


def test_the_migration_cleans_names_stored_before(deployed, users, both_backends, tmp_path):
    instance = Flow(deployed, users).submit()
    store = attachments.Store(tmp_path)
    disguised = attachments.add(deployed, store, users.member1, instance, "a.pdf", PDF)
    plain = attachments.add(deployed, store, users.member1, instance, "普通文件.pdf", PDF)
    deployed.flush()
    deployed.execute(text("UPDATE case_attachments SET filename = :name WHERE id = :id"),
                     {"name": f"发票{RLO}fdp.exe{ZWSP}", "id": disguised.id})
    deployed.commit()
    engine = deployed.get_bind()
    with engine.begin() as connection:
        config = schema._config(connection)  # back to just before the cleaning migration, whatever came before it
        before = ScriptDirectory.from_config(config).get_revision("0019_attachment_names").down_revision
        command.stamp(config, before)
        command.upgrade(config, "0019_attachment_names")  # that migration alone (the later ones are applied)
    names = dict(deployed.execute(select(Attachment.id, Attachment.filename)).all())
    assert names[disguised.id] == "发票fdp.exe" and names[plain.id] == "普通文件.pdf"
