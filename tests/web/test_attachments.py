"""Attachments on the case page: upload, permission-checked download, and every refusal changing nothing."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from engine.models import Event
from engine.cases.records import Attachment
from tests.case_material import PDF, docx, start_material

from .helpers import text


@pytest.fixture
def app_config(tmp_path):
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            "XIESHANG_FILES_DIR": str(tmp_path / "files"), "XIESHANG_UPLOAD_MAX_MB": 1}


@pytest.fixture
def case(db):
    return start_material(db)


@pytest.fixture
def files(tmp_path):
    return tmp_path / "files"


def multipart(fields: dict[str, tuple[str, bytes] | str]) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a big one to an unclosed temporary file)."""
    boundary, parts = "xieshang-test-boundary", []
    for name, value in fields.items():
        if isinstance(value, tuple):
            head = f'Content-Disposition: form-data; name="{name}"; filename="{value[0]}"\r\n' \
                   "Content-Type: application/octet-stream\r\n\r\n"
            parts.append(f"--{boundary}\r\n{head}".encode() + value[1] + b"\r\n")
        else:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(client, instance_id: int, name: str, content: bytes):
    body, content_type = multipart({"file": (name, content)})
    return client.post(f"/instances/{instance_id}/attachments", data=body, content_type=content_type)


def state(db, files) -> tuple:
    """What a refused upload must leave as it was: rows, audit events, stored files."""
    rows = db.scalar(select(func.count()).select_from(Attachment))
    events = db.scalar(select(func.count()).select_from(Event))
    db.rollback()
    return rows, events, sorted(p.name for p in files.rglob("*")) if files.exists() else []


def test_upload_then_download_with_the_chinese_name(client, auth, db, case, files):
    auth.as_("office1")
    response = upload(client, case, "关于老旧小区改造的调研报告.pdf", PDF)
    assert response.status_code == 302 and response.location.endswith(f"/instances/{case}#attachments")
    row = db.scalars(select(Attachment)).one()
    db.rollback()
    assert (files / row.sha256[:2] / row.sha256).read_bytes() == PDF
    page = text(client.get(f"/instances/{case}"))
    assert "关于老旧小区改造的调研报告.pdf" in page and "上传附件" in page and "王秀英（政协办公室）" in page
    with client.get(f"/attachments/{row.id}") as download:
        assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and quote("关于老旧小区改造的调研报告.pdf") in disposition
        assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_same_content_is_stored_once(client, auth, db, case, files):
    auth.as_("office1")
    assert upload(client, case, "一.docx", docx()).status_code == 302
    assert upload(client, case, "二.docx", docx()).status_code == 302
    rows, _events, stored = state(db, files)
    assert rows == 2 and len(stored) == 2  # one folder, one file


@pytest.mark.parametrize("name,content,status,message", [
    ("太大.pdf", b"%PDF-" + b"0" * (1024 * 1024), 413, "超过 1 MB"),
    ("程序.exe", b"MZ\x90\x00" + b"\x00" * 64, 415, "只接受"),
    ("改名的程序.pdf", b"MZ\x90\x00" + b"\x00" * 64, 415, "内容与扩展名 .pdf 不符"),
    ("网页.html", b"<html><script>alert(1)</script></html>", 415, "只接受"),
    ("空.pdf", b"", 400, "是空的"),
])
def test_refused_uploads_change_nothing(client, auth, db, case, files, name, content, status, message):
    auth.as_("office1")
    before = state(db, files)
    response = upload(client, case, name, content)
    assert response.status_code == status and message in text(response)
    assert state(db, files) == before


def test_a_request_far_over_the_limit_is_refused_before_reading(client, auth, db, case, files):
    auth.as_("office1")
    before = state(db, files)
    response = upload(client, case, "巨大.pdf", b"%PDF-" + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 413 and "超过 1 MB" in text(response)
    assert state(db, files) == before


def test_no_file_chosen(client, auth, db, case, files):
    auth.as_("office1")
    before = state(db, files)
    response = client.post(f"/instances/{case}/attachments", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择要上传的文件" in text(response)
    assert state(db, files) == before


def test_outsiders_may_neither_upload_nor_download(client, auth, db, case, files):
    auth.as_("office1")
    upload(client, case, "内部材料.pdf", PDF)
    attachment_id = db.scalar(select(Attachment.id))
    db.rollback()
    auth.as_("member2")
    before = state(db, files)
    response = upload(client, case, "别人的.pdf", PDF + b"x")
    assert response.status_code == 403
    assert state(db, files) == before
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 403 and PDF not in response.data and "内部材料" not in text(response)
    assert client.get(f"/attachments/{attachment_id + 50}").status_code == 404
    assert upload(client, 9999, "a.pdf", PDF).status_code == 404


def test_anonymous_download_goes_to_login(client, auth, db, case):
    auth.as_("office1")
    upload(client, case, "a.pdf", PDF)
    attachment_id = db.scalar(select(Attachment.id))
    db.rollback()
    auth.logout()
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 302 and "/login" in response.location


def test_lost_file_is_reported_not_crashed(client, auth, db, case, files):
    auth.as_("office1")
    upload(client, case, "a.pdf", PDF)
    row = db.scalars(select(Attachment)).one()
    db.rollback()
    (files / row.sha256[:2] / row.sha256).unlink()
    response = client.get(f"/attachments/{row.id}")
    assert response.status_code == 404 and "附件文件已丢失" in text(response)
