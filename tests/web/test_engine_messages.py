"""Engine messages (marked N_ in engine/, engine/i18n.py) are in the English catalogue and shown translated."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

from engine.i18n import N_, joined
from tests.web.helpers import REVIEW, submit, task_id, text

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _catalogue():
    with open(ROOT / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        return read_mo(handle)


def test_every_marked_engine_message_has_an_english_entry():
    marked = {message for _file, _line, message, *_rest in extract_from_dir(
        ROOT / "engine", [("migrations/**", "ignore"), ("**.py", "python")], keywords={"N_": None})}
    compiled = _catalogue()
    assert len(marked) > 100
    missing = sorted(m for m in marked if not (compiled.get(m) and compiled.get(m).string))
    assert missing == []


def test_a_message_is_its_chinese_text_and_translates_with_its_values():
    message = N_("没有名为 %(key)s 的流程。", key="visit")
    assert message == "没有名为 visit 的流程。" and isinstance(message, str)
    english = {"没有名为 %(key)s 的流程。": "There is no process named %(key)s.", "；": "; ", "此项必填": "Required"}
    assert message.translate(lambda s: english.get(s, s)) == "There is no process named visit."
    both = joined([message, N_("此项必填")])
    assert both == "没有名为 visit 的流程。；此项必填"
    assert both.translate(lambda s: english.get(s, s)) == "There is no process named visit.; Required"


def test_english_form_errors_from_the_engine(client, auth):
    auth.as_("member1")
    client.get("/inbox?lang=en")
    response = client.post("/password", data={"current": "wrong-one", "new": "another-pass", "again": "another-pass"})
    page = text(response)
    assert response.status_code == 422 and "The current password is wrong." in page and "当前密码不正确" not in page
    response = client.post("/notifications/settings", data={"email": "not-an-address", "email_enabled": "1"})
    page = text(response)
    assert response.status_code == 422 and "Enter a valid email address" in page and "请填写正确的电子邮箱地址" not in page


def test_english_task_form_validation(client, auth, db):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    client.get("/inbox?lang=en")
    response = client.post(f"/tasks/{tid}", data={**REVIEW, "decision": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and ">Required<" in page and "此项必填" not in page


def test_english_refusals_from_the_engine(client, auth):
    auth.as_("admin")
    client.get("/inbox?lang=en")
    response = client.get("/tasks/no-such-task")
    assert response.status_code == 404
    assert "Task not found: it may have been handled, or it is not yours to handle." in text(response)
    response = client.get("/tasks/no-such-task", headers={"Accept": "application/json"})
    assert not CHINESE.search(response.get_json()["error"])
    response = client.get("/modeler/nothing_here")
    assert response.status_code == 404 and "There is no process named nothing_here." in text(response)
    response = client.post("/modeler/proposal/deploy", json={"xml": client.get("/modeler/proposal/diagram.bpmn")
                                                             .get_data(as_text=True)})
    assert response.status_code == 409
    assert response.get_json()["error"] == "Nothing changed since the deployed version; nothing to deploy."
