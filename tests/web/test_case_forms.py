"""Task forms with every kind of field, through HTTP: drafts (save, restore, discard, gone on completion), uploads
into file fields, repeated groups (rows, 再加一行, cell errors), conditional fields — and the refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import Event, OpenTask
from engine.cases.records import Attachment, TaskDraft
from tests.case_material import FILLED, PDF, open_task_id, start_material
from tests.web.test_attachments import multipart

from .helpers import text


@pytest.fixture
def app_config(tmp_path):
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            "XIESHANG_FILES_DIR": str(tmp_path / "files"), "XIESHANG_UPLOAD_MAX_MB": 1}


@pytest.fixture
def task(db, auth):
    instance_id = start_material(db)
    auth.as_("office1")
    return open_task_id(db, instance_id)


def draft_of(db, task_id: str) -> dict | None:
    row = db.scalars(select(TaskDraft).where(TaskDraft.task_id == task_id)
                     .execution_options(populate_existing=True)).first()
    data = dict(row.data) if row is not None else None
    db.rollback()
    return data


def count(db, model) -> int:
    value = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return value


def upload_to_case(client, db, task_id: str, name: str = "会议材料.pdf") -> int:
    instance_id = db.scalar(select(OpenTask.instance_id).where(OpenTask.id == task_id))
    db.rollback()
    body, content_type = multipart({"file": (name, PDF)})
    assert client.post(f"/instances/{instance_id}/attachments", data=body, content_type=content_type).status_code == 302
    attachment_id = db.scalar(select(func.max(Attachment.id)))
    db.rollback()
    return attachment_id


def post_draft(client, task_id: str, fields: dict):
    body, content_type = multipart(fields)
    return client.post(f"/tasks/{task_id}/draft", data=body, content_type=content_type)


def test_draft_is_saved_and_restored_when_the_page_reopens(client, db, task):
    response = post_draft(client, task, {"subject": "未写完的标题", "kind": "other", "other_kind": "简报",
                                          "participants.0.name": "王五", "copies": "三", "_draft": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/tasks/{task}")
    assert draft_of(db, task)["subject"] == "未写完的标题"
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'value="未写完的标题"' in page and 'value="三"' in page and 'value="简报"' in page
    assert 'name="participants.0.name" value="王五"' in page and "草稿保存于" in page
    assert 'name="kind" value="other" checked' in page
    assert "草稿已保存" in page


def test_discarding_a_draft(client, db, task):
    post_draft(client, task, {"subject": "x"})
    response = client.post(f"/tasks/{task}/draft", data={"_discard": "1"})
    assert response.status_code == 302 and draft_of(db, task) is None
    assert 'value="x"' not in client.get(f"/tasks/{task}").get_data(as_text=True)


def test_drafts_are_personal(client, auth, db, task):
    post_draft(client, task, {"subject": "王秀英的草稿"})
    auth.as_("admin")
    response = client.get(f"/tasks/{task}")
    assert "王秀英的草稿" not in response.get_data(as_text=True)


def test_draft_on_a_task_one_may_not_do_changes_nothing(client, auth, db, task):
    auth.as_("member2")
    response = post_draft(client, task, {"subject": "闯入", "upload:attachment": ("a.pdf", PDF)})
    assert response.status_code == 404
    assert draft_of(db, task) is None and count(db, Attachment) == 0
    assert client.post("/tasks/no-such-task/draft", data={"subject": "x"}).status_code == 404


def test_discarding_someone_elses_draft_changes_nothing(client, auth, db, task):
    post_draft(client, task, {"subject": "王秀英的草稿"})
    auth.as_("member2")
    assert client.post(f"/tasks/{task}/draft", data={"_discard": "1"}).status_code == 404
    assert draft_of(db, task)["subject"] == "王秀英的草稿"


def test_upload_into_a_file_field_then_complete(client, db, task):
    response = post_draft(client, task, {**FILLED, "_upload": "attachment",
                                          "upload:attachment": ("会议材料.pdf", PDF)})
    assert response.status_code == 302 and response.location.endswith("#f-attachment")
    attachment_id, field, task_of = db.execute(select(Attachment.id, Attachment.field, Attachment.task_id)).one()
    db.rollback()  # (reads end at once: an open SQLite read would keep seeing this moment)
    assert field == "attachment" and task_of == task
    assert draft_of(db, task)["attachment"] == attachment_id
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert f'<input type="hidden" name="attachment" value="{attachment_id}">' in page
    assert f'href="/attachments/{attachment_id}">会议材料.pdf</a>' in page and "已上传“会议材料.pdf”" in page
    response = client.post(f"/tasks/{task}", data={**FILLED, "attachment": str(attachment_id)})
    assert response.status_code == 302, text(response)
    assert draft_of(db, task) is None  # discarded with the task
    data = db.scalars(select(Event).where(Event.kind == "complete")).one().data
    db.rollback()
    assert data["attachment"] == attachment_id
    assert data["participants"] == [{"name": "王五", "unit": "czj", "phone": "0871-1234567", "speaker": False}]


def test_refused_upload_in_a_form_keeps_the_rest_as_draft(client, db, task):
    response = post_draft(client, task, {"subject": "保留的标题", "_upload": "attachment",
                                          "upload:attachment": ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 40)})
    assert response.status_code == 302
    assert count(db, Attachment) == 0 and draft_of(db, task)["subject"] == "保留的标题"
    page = text(client.get(f"/tasks/{task}"))
    assert "不能上传“病毒.exe”" in page and "其他内容已保存为草稿" in page


def test_file_field_must_hold_an_attachment_of_this_case(client, db, task):
    other = start_material(db)
    body, content_type = multipart({"file": ("别的事项.pdf", PDF)})
    client.post(f"/instances/{other}/attachments", data=body, content_type=content_type)
    foreign = db.scalar(select(Attachment.id))
    db.rollback()
    for value in (str(foreign), "99999", "abc"):
        response = client.post(f"/tasks/{task}", data={**FILLED, "attachment": value})
        assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)
    assert db.scalar(select(OpenTask.bpmn_id).where(OpenTask.id == task)) == "submit_material"
    db.rollback()


def test_add_row_without_javascript(client, db, task):
    response = post_draft(client, task, {"participants.0.name": "王五", "participants.1.name": "",
                                          "_add_row": "participants"})
    assert response.status_code == 302 and response.location.endswith("#f-participants")
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'name="participants.0.name" value="王五"' in page
    assert 'name="participants.2.name"' in page and 'name="participants.3.name"' not in page
    post_draft(client, task, {"participants.0.name": "王五", "participants.1.name": "", "participants.2.name": "",
                              "_add_row": "participants"})
    assert 'name="participants.3.name"' in client.get(f"/tasks/{task}").get_data(as_text=True)


def test_blank_rows_are_dropped_and_cell_errors_point_at_the_cell(client, db, task):
    attachment_id = upload_to_case(client, db, task)
    data = {**FILLED, "attachment": str(attachment_id), "participants.0.phone": "不是电话",
            "participants.1.name": "", "participants.2.unit": "fgw"}
    response = client.post(f"/tasks/{task}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="err-participants.0.phone"' in page and 'id="err-participants.1.name"' in page
    assert 'name="participants.1.unit"' in page and "请按提示修改下面的行" in page
    assert db.scalar(select(OpenTask.bpmn_id).where(OpenTask.id == task)) == "submit_material"
    db.rollback()


def test_a_group_with_no_rows_is_required(client, db, task):
    response = client.post(f"/tasks/{task}", data={"subject": "x", "kind": "report", "participants.0.name": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="err-participants"' in page and 'id="err-attachment"' in page


def test_conditional_field_is_marked_and_required_only_when_its_condition_holds(client, db, task):
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert 'data-key="other_kind" data-show-if="{&#34;kind&#34;: [&#34;other&#34;]}"' in page
    response = client.post(f"/tasks/{task}", data={**FILLED, "kind": "other", "attachment": "1"})
    assert response.status_code == 422 and 'id="err-other_kind"' in response.get_data(as_text=True)


def test_draft_button_and_scripts_on_the_task_page(client, db, task):
    page = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert f'formaction="/tasks/{task}/draft"' in page and "存草稿" in page and "/static/js/forms.js" in page
    assert 'name="upload:attachment"' in page and "再加一行" in page


def test_readonly_shows_groups_and_files_of_earlier_steps(client, db, task):
    attachment_id = upload_to_case(client, db, task)
    assert client.post(f"/tasks/{task}", data={**FILLED, "attachment": str(attachment_id)}).status_code == 302
    check = db.scalar(select(OpenTask.id).where(OpenTask.bpmn_id == "check_material"))
    db.rollback()
    page = client.get(f"/tasks/{check}").get_data(as_text=True)
    readonly = page.split('class="readonly"', 1)[1].split("</section>", 1)[0]
    assert "<table" in readonly and "王五" in readonly and "县财政局" in readonly
    assert f'href="/attachments/{attachment_id}"' in readonly and "会议材料.pdf" in readonly
