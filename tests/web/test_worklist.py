"""The worklist pages: views, filters, saved views, and every work action with its refusals (nothing changed)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.models import Event, OpenTask, User
from engine.worklist.records import SavedView

from .helpers import REVIEW, do, open_steps, submit, task_id, text

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.TZ)


@pytest.fixture(autouse=True)
def _monday():
    clock.set_now(MONDAY)


def to_assign(auth, client, db, username="member1", **extra) -> int:
    instance_id = submit(auth, client, username, **extra)
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    return instance_id


def snapshot(db) -> list:
    """The inbox rows with their claims, the audit log, saved views: what an action may change."""
    rows = db.execute(select(OpenTask.id, OpenTask.bpmn_id, OpenTask.claimed_by_id, OpenTask.delegated_by_id)
                      .order_by(OpenTask.id)).all()
    events = db.scalar(select(func.count()).select_from(Event))
    views = db.scalar(select(func.count()).select_from(SavedView))
    db.rollback()
    return [tuple(r) for r in rows] + [events, views]


def uid(db, username: str) -> int:
    value = db.scalar(select(User.id).where(User.username == username))
    db.rollback()
    return value


def holder(db, tid: str):
    value = db.execute(select(OpenTask.claimed_by_id, OpenTask.delegated_by_id).where(OpenTask.id == tid)).one()
    db.rollback()
    return tuple(value)


def refused(client, db, url: str, data: dict, status: int, words: str) -> None:
    before = snapshot(db)
    response = client.post(url, data=data)
    assert response.status_code == status, text(response)
    assert words in text(response)
    assert snapshot(db) == before


def test_views_tabs_and_the_three_colour_status(client, auth, db):
    instance_id = to_assign(auth, client, db, is_key="true")
    auth.as_("office1")
    page = text(client.get("/inbox"))
    for words in ("全部待办 1", "我的待办 0", "待认领 1", "我委托的 0", "已办", "全部在办 1", "交办", "重点",
                  "张明（委员）", "待认领", "正常", "已保存的视图"):
        assert words in page, words
    clock.set_now(MONDAY + dt.timedelta(days=3))  # Thursday: the 交办 is due Monday
    assert "即将到期 · 剩 2 个工作日" in text(client.get("/inbox"))
    clock.set_now(MONDAY + dt.timedelta(days=8))
    page = text(client.get("/inbox?due=overdue"))
    assert "已逾期 · 超 1 个工作日" in page and instance_id
    assert "没有符合条件的事项" in text(client.get("/inbox?due=ok"))
    auth.as_("tiwei")
    page = text(client.get("/inbox?view=done"))
    assert "审查立案" in page and "办理时间" in page
    assert client.get("/inbox?view=scope").status_code == 403


def test_filters_search_and_pages(client, auth, db):
    for n in (1, 2, 3):
        to_assign(auth, client, db, f"member{n}", title=f"第{n}件建议")
    auth.as_("office1")
    assert "第2件建议" in text(client.get("/inbox?q=刘芳")) and "第1件建议" not in text(client.get("/inbox?q=刘芳"))
    assert "第3件建议" in text(client.get("/inbox?q=2026-003"))
    page = text(client.get("/inbox?per_page=2&sort=number"))
    assert "第 1 / 2 页，共 3 项" in page and "第1件建议" in page and "第3件建议" not in page
    assert "第3件建议" in text(client.get("/inbox?per_page=2&sort=number&page=2"))
    assert client.get("/inbox?view=nonsense&sort=';drop&page=x").status_code == 200


def test_claim_then_only_the_claimer_completes(client, auth, db):
    instance_id = to_assign(auth, client, db)
    tid = task_id(db, "office1", instance_id, "assign")
    auth.as_("office1")
    response = client.post(f"/tasks/{tid}/claim", data={"next": "/inbox?view=mine"})
    assert response.status_code == 302 and response.location == "/inbox?view=mine"
    assert holder(db, tid) == (uid(db, "office1"), None)
    assert "我已认领" in text(client.get("/inbox?view=mine"))
    assert "您已认领此事项" in text(client.get(f"/tasks/{tid}"))

    auth.as_("office2")
    assert tid not in client.get("/inbox").get_data(as_text=True)
    response = client.get(f"/tasks/{tid}")
    assert response.status_code == 409 and "王秀英（政协办公室）认领" in text(response)
    refused(client, db, f"/tasks/{tid}", {"lead_unit": "czj"}, 409, "只有认领人可以办理")
    refused(client, db, f"/tasks/{tid}/claim", {}, 409, "已由王秀英（政协办公室）认领")
    refused(client, db, f"/tasks/{tid}/release", {}, 409, "只有认领人可以释放")
    auth.as_("office1")
    assert client.post(f"/tasks/{tid}", data={"lead_unit": "czj"}).status_code == 302


def test_completing_an_unclaimed_task_needs_no_claim(client, auth, db):
    instance_id = to_assign(auth, client, db)
    tid = task_id(db, "office2", instance_id, "assign")
    assert holder(db, tid) == (None, None)
    do(auth, client, db, "office2", instance_id, "assign", {"lead_unit": "czj"})
    assert open_steps(db, instance_id) == ["accept"]
    done = db.scalars(select(Event).where(Event.task_id == tid)).all()
    assert [(e.kind, e.actor.username, e.data.get("lead_unit")) for e in done] == [("complete", "office2", "czj")]
    db.rollback()


def test_release(client, auth, db):
    instance_id = to_assign(auth, client, db)
    tid = task_id(db, "office1", instance_id, "assign")
    auth.as_("office1")
    client.post(f"/tasks/{tid}/claim")
    response = client.post(f"/tasks/{tid}/release", data={"next": "https://evil.example/"})
    assert response.status_code == 302 and response.location == "/inbox"
    assert holder(db, tid) == (None, None)
    kinds = db.scalars(select(Event.kind).order_by(Event.id)).all()[-2:]
    db.rollback()
    assert kinds == ["claim", "release"]


def test_claiming_another_units_task_is_refused(client, auth, db):
    instance_id = to_assign(auth, client, db)
    do(auth, client, db, "office1", instance_id, "assign", {"lead_unit": "czj"})
    tid = task_id(db, "czj_clerk", instance_id, "accept")
    auth.as_("fgw_clerk")
    refused(client, db, f"/tasks/{tid}/claim", {}, 403, "不在您或您所在单位的办理范围内")
    refused(client, db, "/inbox/bulk", {"action": "claim", "task": [tid]}, 409, "不在您的办理范围内")
    assert client.get(f"/tasks/{tid}/handover").status_code == 403


def test_reassign_to_a_colleague_of_the_unit(client, auth, db):
    instance_id = to_assign(auth, client, db)
    tid = task_id(db, "office1", instance_id, "assign")
    auth.as_("office1")
    page = client.get(f"/tasks/{tid}/handover").get_data(as_text=True)
    assert 'value="office2"' in page and 'value="tiwei"' not in page and 'value="office1"' not in page
    refused(client, db, f"/tasks/{tid}/handover", {"how": "reassign", "to": "duban"}, 403, "只能转办给本单位的同事")
    refused(client, db, f"/tasks/{tid}/handover", {"how": "reassign", "to": "tiwei"}, 403, "没有“政协办公室”角色")
    refused(client, db, f"/tasks/{tid}/handover", {"how": "steal", "to": "office2"}, 422, "请选择同事和转交方式")
    response = client.post(f"/tasks/{tid}/handover", data={"how": "reassign", "to": "office2"})
    assert response.status_code == 302 and holder(db, tid) == (uid(db, "office2"), None)
    refused(client, db, f"/tasks/{tid}/handover", {"how": "reassign", "to": "office2"}, 409, "已由钱敏（政协办公室）认领")
    auth.as_("office2")
    assert "我已认领" in text(client.get("/inbox?view=mine"))
    assert "转办给您" in text(client.get("/notifications"))


def test_delegate_and_hand_back(client, auth, db):
    instance_id = to_assign(auth, client, db)
    tid = task_id(db, "office1", instance_id, "assign")
    auth.as_("office1")
    assert client.post(f"/tasks/{tid}/handover", data={"how": "delegate", "to": "office2"}).status_code == 302
    assert holder(db, tid) == (uid(db, "office2"), uid(db, "office1"))
    assert "已委托 钱敏（政协办公室）" in text(client.get("/inbox?view=delegated"))
    refused(client, db, f"/tasks/{tid}", {"lead_unit": "czj"}, 409, "只有认领人可以办理")
    auth.as_("office2")
    assert "王秀英（政协办公室） 委托给我" in text(client.get("/inbox?view=mine"))
    refused(client, db, f"/tasks/{tid}/release", {}, 409, "请用“交还”退回给委托人")
    refused(client, db, f"/tasks/{tid}/handover", {"how": "delegate", "to": "office1"}, 409, "不能再委托")
    assert client.post(f"/tasks/{tid}/return").status_code == 302
    assert holder(db, tid) == (uid(db, "office1"), None)
    auth.as_("office1")
    assert "委托事项已交还" in text(client.get("/notifications"))
    refused(client, db, f"/tasks/{tid}/return", {}, 409, "不是委托办理的事项")


def test_bulk_claim_and_bulk_assign(client, auth, db):
    ids = [to_assign(auth, client, db, f"member{n}", title=f"第{n}件") for n in (1, 2, 3)]
    tids = [task_id(db, "office1", i, "assign") for i in ids]
    auth.as_("office1")
    page = client.get("/inbox").get_data(as_text=True)
    assert 'form="bulk"' in page and "交办所选" in page
    response = client.post("/inbox/bulk", data={"action": "claim", "task": tids[:2]})
    assert response.status_code == 302 and [holder(db, t)[0] for t in tids] == [uid(db, "office1")] * 2 + [None]
    response = client.post("/inbox/bulk", data={"action": "assign", "task": tids, "unit": "czj", "note": "请主办"})
    assert response.status_code == 302
    assert "已交办 3 件提案" in text(client.get("/inbox"))
    assert db.scalar(select(func.count()).select_from(OpenTask).where(OpenTask.bpmn_id == "accept")) == 3
    db.rollback()


def test_bulk_assign_refuses_all_with_a_clear_message(client, auth, db):
    ids = [to_assign(auth, client, db, f"member{n}", title=f"第{n}件") for n in (1, 2)]
    tids = [task_id(db, "office1", i, "assign") for i in ids]
    other = submit(auth, client, "member3")
    review = task_id(db, "tiwei", other, "review")
    auth.as_("office2")
    client.post(f"/tasks/{tids[1]}/claim")
    auth.as_("office1")
    refused(client, db, "/inbox/bulk", {"action": "assign", "task": tids, "unit": "czj"}, 409, "已由钱敏（政协办公室）认领")
    auth.as_("office2")
    client.post(f"/tasks/{tids[1]}/release")
    auth.as_("office1")
    refused(client, db, "/inbox/bulk", {"action": "assign", "task": tids + [review], "unit": "czj"}, 409,
            "不是交办步骤")
    refused(client, db, "/inbox/bulk", {"action": "assign", "task": tids, "unit": "nowhere"}, 422, "找不到单位")
    refused(client, db, "/inbox/bulk", {"action": "assign", "task": [], "unit": "czj"}, 400, "请先勾选")
    auth.as_("czj_clerk")
    refused(client, db, "/inbox/bulk", {"action": "assign", "task": tids, "unit": "czj"}, 409, "不在您的办理范围内")


def test_saved_view_shared_with_the_unit(client, auth, db):
    to_assign(auth, client, db, is_key="true")
    auth.as_("office1")
    response = client.post("/inbox/views", data={"name": "重点交办", "key": "1", "sort": "created", "share_unit": "1"})
    assert response.status_code == 302
    view_id = int(response.location.rsplit("=", 1)[1])
    page = text(client.get(response.location))
    assert "正在使用视图：重点交办" in page and "已共享给本单位" in page
    auth.as_("office2")
    page = text(client.get("/inbox"))
    assert "重点交办" in page and "王秀英（政协办公室） 共享" in page
    assert "正在使用视图：重点交办" in text(client.get(f"/inbox?saved={view_id}"))
    refused(client, db, f"/inbox/views/{view_id}/delete", {}, 403, "只有创建者可以删除")
    auth.as_("czj_clerk")
    assert "重点交办" not in text(client.get("/inbox"))
    assert client.get(f"/inbox?saved={view_id}").status_code == 404
    refused(client, db, "/inbox/views", {"name": "x", "share_role": "office"}, 403, "只能共享给您本人具有的角色")
    refused(client, db, "/inbox/views", {"name": ""}, 422, "填写的内容有误")
    auth.as_("office1")
    assert client.post(f"/inbox/views/{view_id}/delete").status_code == 302
    assert db.scalar(select(func.count()).select_from(SavedView)) == 0
    db.rollback()


def test_saved_view_shared_with_a_role(client, auth, db):
    auth.as_("czj_clerk")
    assert client.post("/inbox/views", data={"name": "待签收", "view": "claimable",
                                              "share_role": "department"}).status_code == 302
    auth.as_("fgw_clerk")
    assert "待签收" in text(client.get("/inbox"))
    auth.as_("office1")
    assert "待签收" not in text(client.get("/inbox"))


def test_the_worklist_never_loads_a_workflow(client, auth, db, monkeypatch):
    instance_id = to_assign(auth, client, db, is_key="true")
    tid = task_id(db, "office1", instance_id, "assign")

    def refuse(*_args, **_kwargs):
        raise AssertionError("the worklist deserialized a workflow")

    monkeypatch.setattr("engine.runtime.state.load", refuse)
    auth.as_("office1")
    for query in ("", "?view=mine", "?view=claimable", "?view=delegated", "?view=done", "?view=scope",
                  "?q=张明&key=1&due=ok&sort=title&desc=1"):
        assert client.get(f"/inbox{query}").status_code == 200
    assert client.post(f"/tasks/{tid}/claim").status_code == 302
    assert client.post(f"/tasks/{tid}/handover", data={"how": "delegate", "to": "office2"}).status_code == 302
    assert client.get("/notifications").status_code == 200


def test_english_worklist(client, auth, db):
    to_assign(auth, client, db)
    auth.as_("office1")
    page = text(client.get("/inbox?lang=en"))
    assert "Claim" in page and "On track" in page and "待认领" not in page


def test_tabs_show_1000_plus_and_the_pager_counts_every_task(client, auth, db):
    instance_id = to_assign(auth, client, db)
    tid = task_id(db, "office1", instance_id, "assign")
    row = db.get(OpenTask, tid)
    columns = {c.name: getattr(row, c.name) for c in OpenTask.__table__.c if c.name != "id"}
    db.add_all(OpenTask(**{**columns, "id": f"copy-{n:04d}", "title": f"第{n}件"}) for n in range(1001))
    db.commit()
    auth.as_("office1")
    page = text(client.get("/inbox"))
    assert "我的待办 1000+" in page and "全部待办 1000+" in page and "待认领 1000+" in page
    assert "我的待办 0" in page and "我委托的 0" in page and "全部在办 1000+" in page
    assert "第 1 / 51 页，共 1002 项" in page
    last = client.get("/inbox?page=51").get_data(as_text=True)
    assert "第 51 / 51 页，共 1002 项" in last and len(set(re.findall(r'id="t-([^"]+)"', last))) == 2
    auth.as_("czj_clerk")
    assert "全部待办 0" in text(client.get("/inbox"))
