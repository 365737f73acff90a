"""Opinions, attachments and form drafts of a case, through the engine API (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.cases import attachments, form_drafts, opinions
from engine.runtime import audit, verbs as runtime
from engine.definitions import deploy as definitions
from engine.worklist import inbox
from engine.errors import FormInvalid, Forbidden, NotFound, XieshangError
from engine.models import Event, OpenTask
from engine.cases.records import Attachment, Opinion, TaskDraft
from tests.case_material import DIAGRAM as MATERIAL, PDF, docx


@pytest.fixture
def case(deployed, users):
    definitions.deploy_file(deployed, MATERIAL)
    instance = runtime.start_instance(deployed, users.office1, "material", {})
    deployed.commit()
    return instance


@pytest.fixture
def store(tmp_path):
    return attachments.Store(root=tmp_path / "files", max_bytes=1024)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_opinions_are_logged_and_audited(both_backends, deployed, users, case):
    row = opinions.add(deployed, users.office1, case, "opinion", "  请尽快报送。\r\n谢谢  ")
    assert row.text == "请尽快报送。\n谢谢" and row.author.username == "office1"
    events = deployed.scalars(select(Event).where(Event.instance_id == case.id, Event.kind == "opinion")).all()
    assert [e.data["text"] for e in events] == ["请尽快报送。\n谢谢"]
    assert audit.verify(deployed, case.id)
    assert [o.id for o in opinions.for_instance(deployed, case.id)] == [row.id]


def test_instruction_only_for_leaders(deployed, users, case):
    leader = users.lingdao
    assert opinions.kinds_for(leader) == ["opinion", "instruction"]
    assert opinions.kinds_for(users.office1) == ["opinion"]
    with pytest.raises(Forbidden):
        opinions.add(deployed, users.office1, case, "instruction", "同意")
    deployed.rollback()
    assert count(deployed, Opinion) == 0


@pytest.mark.parametrize("kind,text,field", [("opinion", "  ", "text"), ("praise", "好", "kind"),
                                             ("opinion", "字" * 2001, "text")])
def test_bad_opinions_change_nothing(deployed, users, case, kind, text, field):
    with pytest.raises(FormInvalid) as caught:
        opinions.add(deployed, users.office1, case, kind, text)
    assert field in caught.value.errors
    deployed.rollback()
    assert count(deployed, Opinion) == 0


def test_opinion_on_a_case_one_may_not_see(deployed, users, case):
    events = count(deployed, Event)
    with pytest.raises(Forbidden):
        opinions.add(deployed, users.member2, case, "opinion", "我来看看")
    deployed.rollback()
    assert count(deployed, Opinion) == 0 and count(deployed, Event) == events


def test_attachments_are_stored_once_per_content(both_backends, deployed, users, case, store):
    first = attachments.add(deployed, store, users.office1, case, "材料/调研报告.pdf", PDF)
    second = attachments.add(deployed, store, users.office1, case, "副本.pdf", PDF)
    deployed.commit()
    assert first.filename == "调研报告.pdf" and first.media_type == "application/pdf" and first.size == len(PDF)
    assert first.sha256 == second.sha256 and store.path(first.sha256).read_bytes() == PDF
    assert len(list((store.root).rglob("*"))) == 2  # one folder, one file
    kinds = [e.kind for e in deployed.scalars(select(Event).where(Event.instance_id == case.id).order_by(Event.id))]
    assert kinds == ["start", "attachment", "attachment"] and audit.verify(deployed, case.id)
    assert attachments.get_for(deployed, users.office1, first.id).id == first.id
    assert [a.id for a in attachments.for_instance(deployed, case.id)] == [first.id, second.id]


@pytest.mark.parametrize("name,content,error", [
    ("大文件.pdf", b"%PDF-" + b"x" * 2000, attachments.FileTooLarge),
    ("程序.exe", b"MZ\x90\x00" + b"\x00" * 100, attachments.FileTypeRefused),
    ("假的.pdf", b"MZ\x90\x00" + b"\x00" * 100, attachments.FileTypeRefused),
    ("图片.png", PDF, attachments.FileTypeRefused),
    ("说明.txt", b"\x00\x01binary", attachments.FileTypeRefused),
    ("没有扩展名", PDF, attachments.FileTypeRefused),
    ("空.pdf", b"", XieshangError),
])
def test_refused_uploads_change_nothing(deployed, users, case, store, name, content, error):
    events = count(deployed, Event)
    with pytest.raises(error):
        attachments.add(deployed, store, users.office1, case, name, content)
    deployed.rollback()
    assert count(deployed, Attachment) == 0 and count(deployed, Event) == events
    assert not store.root.exists()


@pytest.mark.parametrize("name,content", [("报告.docx", None), ("说明.txt", "中文说明\n第二行".encode("gb18030")),
                                          ("旧文档.doc", attachments.OLE_SIGNATURE + b"\x00" * 600),
                                          ("照片.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50)])
def test_accepted_kinds(deployed, users, case, tmp_path, name, content):
    big = attachments.Store(root=tmp_path / "files")
    row = attachments.add(deployed, big, users.office1, case, name, content if content is not None else docx())
    assert row.extension == name.rsplit(".", 1)[1].lower()


def test_upload_and_download_refused_to_outsiders(deployed, users, case, store):
    with pytest.raises(Forbidden):
        attachments.add(deployed, store, users.member2, case, "a.pdf", PDF)
    deployed.rollback()
    row = attachments.add(deployed, store, users.office1, case, "a.pdf", PDF)
    deployed.commit()
    with pytest.raises(Forbidden):
        attachments.get_for(deployed, users.member2, row.id)
    with pytest.raises(NotFound):
        attachments.get_for(deployed, users.office1, row.id + 100)


def test_filenames_lose_folders_and_unsafe_characters():
    assert attachments.clean_filename("C:\\Users\\张\\关于*提案?.pdf") == "关于_提案_.pdf"
    assert attachments.clean_filename("../../etc/passwd") == "passwd"
    assert len(attachments.clean_filename("长" * 300 + ".pdf")) <= 200


def _task(session, user, case):
    return next(t for t in inbox.tasks_for(session, user) if t.instance_id == case.id)


def test_drafts_are_per_person_and_go_with_the_task(both_backends, deployed, users, case, store):
    task = _task(deployed, users.office1, case)
    form_drafts.save(deployed, users.office1, task.id, {"subject": "草稿标题"})
    form_drafts.save(deployed, users.office1, task.id, {"subject": "改过的标题"})
    deployed.commit()
    assert form_drafts.load(deployed, users.office1, task.id).data == {"subject": "改过的标题"}
    assert form_drafts.load(deployed, users.admin, task.id) is None
    file = attachments.add(deployed, store, users.office1, case, "a.pdf", PDF)
    runtime.complete_task(deployed, users.office1, task.id, {
        "subject": "材料", "kind": "report", "attachment": file.id, "participants": [{"name": "王五"}]})
    deployed.commit()
    assert count(deployed, TaskDraft) == 0
    assert form_drafts.load(deployed, users.office1, task.id) is None


def test_drafts_only_for_those_who_may_act(deployed, users, case):
    task = _task(deployed, users.office1, case)
    with pytest.raises(NotFound):
        form_drafts.save(deployed, users.member1, task.id, {"subject": "x"})
    deployed.rollback()
    assert count(deployed, TaskDraft) == 0
    form_drafts.save(deployed, users.office1, task.id, {"subject": "x"})
    form_drafts.discard(deployed, users.office1, task.id)
    deployed.commit()
    assert count(deployed, TaskDraft) == 0


def test_file_fields_must_name_an_attachment_of_this_case(deployed, users, case, store):
    other = runtime.start_instance(deployed, users.office1, "material", {})
    foreign = attachments.add(deployed, store, users.office1, other, "b.pdf", PDF)
    deployed.commit()
    task = _task(deployed, users.office1, case)
    data = {"subject": "材料", "kind": "report", "participants": [{"name": "王五"}]}
    for value in (foreign.id, 99999):
        with pytest.raises(FormInvalid) as caught:
            runtime.complete_task(deployed, users.office1, task.id, {**data, "attachment": value})
        assert set(caught.value.errors) == {"attachment"}
        deployed.rollback()
    assert deployed.scalar(select(OpenTask.bpmn_id).where(OpenTask.id == task.id)) == "submit_material"


def test_pickers_inside_repeated_groups_must_name_what_exists(deployed, users, case, store):
    file = attachments.add(deployed, store, users.office1, case, "a.pdf", PDF)
    deployed.commit()
    task = _task(deployed, users.office1, case)
    rows = [{"name": "王五", "unit": "czj"}, {"name": "赵六", "unit": "nowhere"}]
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(deployed, users.office1, task.id, {
            "subject": "材料", "kind": "report", "attachment": file.id, "participants": rows})
    assert caught.value.errors == {"participants.1.unit": "找不到单位：nowhere"}
    deployed.rollback()
    assert deployed.scalar(select(OpenTask.bpmn_id).where(OpenTask.id == task.id)) == "submit_material"
