"""The case page: diagram progress, the diagram's XML, data entered so far, the opinion log, the reply letter."""
from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import func, select

from engine.models import Event, Role, User
from engine.cases.records import Attachment, Opinion
from tests.case_material import FILLED, PDF, open_task_id, start_material
from tests.web.test_attachments import upload

from .helpers import ACCEPT, REPLY_A, SIGN, do, submit, text, to_accept


@pytest.fixture
def app_config(tmp_path):
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            "XIESHANG_FILES_DIR": str(tmp_path / "files")}


def marks(response) -> tuple[list[str], list[str]]:
    page = response.get_data(as_text=True)
    done = re.search(r'data-done="([^"]*)"', page).group(1)
    active = re.search(r'data-active="([^"]*)"', page).group(1)
    return json.loads(html.unescape(done)), json.loads(html.unescape(active))


def counts(db) -> tuple[int, int]:
    result = (db.scalar(select(func.count()).select_from(Opinion)), db.scalar(select(func.count()).select_from(Event)))
    db.rollback()
    return result


def test_diagram_marks_done_and_waiting_steps(client, auth, db):
    instance_id = to_accept(auth, client, db)
    auth.as_("member1")
    response = client.get(f"/instances/{instance_id}")
    assert response.status_code == 200
    done, active = marks(response)
    assert active == ["accept"] and {"review", "assign"} <= set(done) and "accept" not in done
    page = response.get_data(as_text=True)
    assert "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page and "js/diagram.js" in page
    assert f'data-xml="/instances/{instance_id}/diagram.bpmn"' in page


def test_diagram_xml_is_the_instance_version_and_permission_checked(client, auth, db):
    instance_id = submit(auth, client)
    response = client.get(f"/instances/{instance_id}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert b'<bpmn:process id="proposal"' in response.data and b"bpmndi:BPMNDiagram" in response.data
    auth.as_("member2")
    refused = client.get(f"/instances/{instance_id}/diagram.bpmn")
    assert refused.status_code == 403 and b"bpmn:process" not in refused.data
    assert client.get("/instances/9999/diagram.bpmn").status_code == 404


def test_entered_data_shows_groups_as_tables_and_files_as_links(client, auth, db, tmp_path):
    instance_id = start_material(db)
    task = open_task_id(db, instance_id)
    auth.as_("office1")
    upload(client, instance_id, "座谈会材料.pdf", PDF)
    attachment_id = db.scalar(select(Attachment.id))
    db.rollback()
    response = client.post(f"/tasks/{task}", data={**FILLED, "attachment": str(attachment_id),
                                                   "participants.1.name": "赵六", "participants.1.speaker": "true"})
    assert response.status_code == 302, text(response)
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    entered = text_of(page, "entered")
    assert "材料标题 2026年一季度协商座谈会材料" in entered and "材料类别 调研报告" in entered
    assert "姓名 单位 电话 发言" in entered and "王五 县财政局 0871-1234567 否" in entered and "赵六 — — 是" in entered
    assert f'href="/attachments/{attachment_id}"' in page and "座谈会材料.pdf" in entered
    done, active = marks(client.get(f"/instances/{instance_id}"))
    assert "submit_material" in done and active == ["check_material"]


def text_of(page: str, section_id: str) -> str:
    part = page.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


def test_anyone_who_may_view_adds_an_opinion(client, auth, db):
    instance_id = to_accept(auth, client, db)
    auth.as_("czj_clerk")
    response = client.post(f"/instances/{instance_id}/opinions", data={"kind": "opinion", "text": "建议会同住建局办理。"})
    assert response.status_code == 302 and response.location.endswith("#opinions")
    auth.as_("member1")
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "建议会同住建局办理。" in text_of(page, "opinions") and "县财政局经办人" in text_of(page, "opinions")
    assert "发表意见" in text_of(page, "history")
    event = db.scalars(select(Event).where(Event.kind == "opinion")).one()
    db.rollback()
    assert event.data["text"] == "建议会同住建局办理。" and event.instance_id == instance_id


def test_opinion_on_a_case_one_may_not_see_changes_nothing(client, auth, db):
    instance_id = to_accept(auth, client, db)
    before = counts(db)
    auth.as_("member2")
    response = client.post(f"/instances/{instance_id}/opinions", data={"kind": "opinion", "text": "我也说两句"})
    assert response.status_code == 403 and "无权" in text(response)
    assert counts(db) == before
    assert client.post("/instances/9999/opinions", data={"text": "x"}).status_code == 404


def test_empty_opinion_is_shown_again_with_the_error(client, auth, db):
    instance_id = submit(auth, client)
    before = counts(db)
    response = client.post(f"/instances/{instance_id}/opinions", data={"kind": "opinion", "text": "   "})
    assert response.status_code == 422 and "此项必填" in text(response)
    assert counts(db) == before


def test_instruction_only_for_leaders(client, auth, db):
    instance_id = submit(auth, client)
    before = counts(db)
    auth.as_("office1")
    response = client.post(f"/instances/{instance_id}/opinions", data={"kind": "instruction", "text": "同意"})
    assert response.status_code == 403 and "只有党政领导可以作出批示" in text(response)
    assert counts(db) == before
    assert 'value="instruction"' not in client.get(f"/instances/{instance_id}").get_data(as_text=True)

    leader = db.scalars(select(User).where(User.username == "lingdao")).one()
    leader.roles.append(db.get(Role, "supervisor"))  # a leader who follows the case
    db.commit()
    auth.as_("lingdao")
    assert 'value="instruction"' in client.get(f"/instances/{instance_id}").get_data(as_text=True)
    response = client.post(f"/instances/{instance_id}/opinions", data={"kind": "instruction", "text": "请财政局抓紧落实。"})
    assert response.status_code == 302
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "opinion-instruction" in page and "请财政局抓紧落实。" in text_of(page, "opinions")
    assert "作出批示" in text_of(page, "history")


def test_reply_letter_for_members_offline(client, auth, db):
    instance_id = to_accept(auth, client, db)
    auth.as_("member1")
    assert client.get(f"/instances/{instance_id}/reply-letter").status_code == 404
    assert "打印答复函" not in text(client.get(f"/instances/{instance_id}"))
    do(auth, client, db, "czj_clerk", instance_id, "accept", ACCEPT)
    do(auth, client, db, "czj_clerk", instance_id, "handle", {**REPLY_A, "reply_text": "已列入计划。\n首批12个小区已开工。"})
    do(auth, client, db, "czj_leader", instance_id, "sign_off", SIGN)
    auth.as_("member1")
    assert "打印答复函" in text(client.get(f"/instances/{instance_id}"))
    response = client.get(f"/instances/{instance_id}/reply-letter")
    assert response.status_code == 200
    page = text(response)
    for expected in ("县财政局", "关于政协第 2026-001 号提案的答复", "张明委员：", "关于加快城区老旧小区改造的建议",
                     "已列入计划。", "首批12个小区已开工。", "A 已解决或采纳", "抄送：县政协提案委员会", "附：提案原文",
                     "城区老旧小区管网老化", "签发人：县财政局负责人"):
        assert expected in page, expected
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", page)
    assert 'class="letter"' in response.get_data(as_text=True)
    auth.as_("member2")
    assert client.get(f"/instances/{instance_id}/reply-letter").status_code == 403


def test_no_letter_for_other_procedures(client, auth, db):
    instance_id = start_material(db)
    auth.as_("office1")
    assert client.get(f"/instances/{instance_id}/reply-letter").status_code == 404


def test_print_stylesheet_hides_the_chrome():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "web" / "static" / "app.css").read_text(encoding="utf-8")
    printing = css.split("@media print", 1)[1]
    assert ".topbar" in printing and "size: A4" in printing
