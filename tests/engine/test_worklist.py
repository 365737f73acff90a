"""Worklist views, filters, sort and pages over the projection; claim / release / reassign / delegate / hand back;
bulk claim and bulk 交办. Every refusal leaves everything as it was."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from engine.worklist import claims, inbox, saved_views as savedviews, pages as worklist
from engine import clock
from engine.runtime import verbs as runtime
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound
from engine.models import Event, OpenTask
from engine.worklist.pages import Filters

from .flow import ACCEPT, LEADERS, MONDAY, Flow


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


def to_assign(flow: Flow, username="member1", **review):
    instance = flow.submit(username, title=f"{username}关于{len(review)}的建议")
    flow.do("tiwei", instance, "review", {"decision": "立案", **review})
    return instance


def state(flow: Flow, instance) -> list[tuple]:
    """Everything an action may change: the inbox rows with their claims, and the audit log."""
    flow.session.expire_all()
    rows = flow.session.execute(select(OpenTask.id, OpenTask.bpmn_id, OpenTask.claimed_by_id, OpenTask.delegated_by_id)
                                .where(OpenTask.instance_id == instance.id).order_by(OpenTask.id)).all()
    events = flow.session.scalar(select(func.count()).select_from(Event))
    return [tuple(r) for r in rows] + [("events", events)]


def refused(flow: Flow, instance, error, action, *args):
    before = state(flow, instance)
    with pytest.raises(error) as caught:
        action(flow.session, *args)
    flow.session.rollback()
    assert state(flow, instance) == before
    return caught.value.message


def ids(page) -> list[str]:
    return [r.id for r in page.rows]


def test_views_mine_claimable_all_and_claim_release(flow):
    instance = to_assign(flow)
    office1, office2 = flow.user("office1"), flow.user("office2")
    task = flow.open(instance, "assign")[0]
    page = worklist.list_for(flow.session, office1, Filters(view="claimable"))
    assert ids(page) == [task.id] and page.counts == {"all": 1, "mine": 0, "claimable": 1, "delegated": 0, "scope": 1}
    assert ids(worklist.list_open(flow.session, office1, Filters(view="mine"))) == []

    claims.claim(flow.session, office1, task.id)
    flow.session.commit()
    assert ids(worklist.list_open(flow.session, office1, Filters(view="mine"))) == [task.id]
    assert ids(worklist.list_open(flow.session, office1, Filters(view="claimable"))) == []
    assert ids(worklist.list_open(flow.session, office2, Filters(view="all"))) == []  # claimed by a colleague
    scope = worklist.list_open(flow.session, office2, Filters(view="scope"))
    assert [(r.id, r.claimed_by) for r in scope.rows] == [(task.id, "王秀英（政协办公室）")]
    event = flow.session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert (event.kind, event.actor_id, event.task_id, event.task_name) == ("claim", office1.id, task.id, "交办")

    message = refused(flow, instance, Conflict, claims.claim, office2, task.id)
    assert "王秀英（政协办公室）认领" in message
    assert "只有认领人" in refused(flow, instance, Conflict, claims.release, office2, task.id)
    claims.release(flow.session, office1, task.id)
    flow.session.commit()
    assert ids(worklist.list_open(flow.session, office2, Filters(view="claimable"))) == [task.id]


def test_a_claimed_task_is_completed_only_by_its_claimer(flow):
    instance = to_assign(flow)
    task = flow.open(instance, "assign")[0]
    claims.claim(flow.session, flow.user("office1"), task.id)
    flow.session.commit()
    with pytest.raises(Conflict) as caught:
        inbox.get_task_for(flow.session, flow.user("office2"), task.id)
    assert "王秀英（政协办公室）认领" in caught.value.message
    refused(flow, instance, NotFound, runtime.complete_task, flow.user("office2"), task.id, {"lead_unit": "czj"})
    runtime.complete_task(flow.session, flow.user("office1"), task.id, {"lead_unit": "czj"})
    flow.session.commit()
    assert flow.open_ids(instance) == ["accept"]


def test_claiming_another_units_task_is_refused(flow):
    instance = to_assign(flow)
    flow.do("office1", instance, "assign", {"lead_unit": "czj"})
    task = flow.open(instance, "accept")[0]
    assert "不在您或您所在单位的办理范围内" in refused(flow, instance, Forbidden, claims.claim, flow.user("fgw_clerk"), task.id)
    refused(flow, instance, Forbidden, claims.claim, flow.user("member2"), task.id)
    refused(flow, instance, NotFound, claims.claim, flow.user("czj_clerk"), "no-such-task")
    claims.claim(flow.session, flow.user("czj_clerk2"), task.id)
    flow.session.commit()


def test_personal_tasks_are_not_claimed_or_handed_over(flow):
    instance = flow.submit("member1", cosigners=["member2"])
    task = flow.open(instance, "cosign")[0]
    assert "无需认领" in refused(flow, instance, Conflict, claims.claim, flow.user("member2"), task.id)
    assert ids(worklist.list_open(flow.session, flow.user("member2"), Filters(view="mine"))) == [task.id]
    assert ids(worklist.list_open(flow.session, flow.user("member2"), Filters(view="claimable"))) == []


def test_reassign_within_the_unit_to_a_holder_of_the_lane_role(flow):
    instance = to_assign(flow)
    task = flow.open(instance, "assign")[0]
    office1 = flow.user("office1")
    assert [u.username for u in claims.colleagues(flow.session, office1, task)] == ["office2"]
    assert "不是本单位人员" in refused(flow, instance, Forbidden, claims.reassign, office1, task.id, "duban")
    assert "没有“政协办公室”角色" in refused(flow, instance, Forbidden, claims.reassign, office1, task.id, "tiwei")
    assert "找不到" in refused(flow, instance, NotFound, claims.reassign, office1, task.id, "nobody")
    assert "自己" in refused(flow, instance, Conflict, claims.reassign, office1, task.id, "office1")
    claims.reassign(flow.session, office1, task.id, "office2")
    flow.session.commit()
    assert ids(worklist.list_open(flow.session, flow.user("office2"), Filters(view="mine"))) == [task.id]
    assert ids(worklist.list_open(flow.session, office1, Filters(view="all"))) == []
    # the former holder can no longer move it
    refused(flow, instance, Conflict, claims.reassign, office1, task.id, "office2")
    event = flow.session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert (event.kind, event.data) == ("reassign", {"to": "office2"})


def test_delegate_then_hand_back_or_complete(flow):
    instance = to_assign(flow)
    task = flow.open(instance, "assign")[0]
    office1, office2 = flow.user("office1"), flow.user("office2")
    claims.delegate(flow.session, office1, task.id, "office2")
    flow.session.commit()
    page = worklist.list_open(flow.session, office1, Filters(view="delegated"))
    assert [(r.id, r.claimed_by, r.delegated_by) for r in page.rows] == [(task.id, "钱敏（政协办公室）", "王秀英（政协办公室）")]
    assert "不能再委托" in refused(flow, instance, Conflict, claims.delegate, office2, task.id, "office1")
    assert "交还" in refused(flow, instance, Conflict, claims.release, office2, task.id)
    refused(flow, instance, NotFound, runtime.complete_task, office1, task.id, {"lead_unit": "czj"})

    claims.hand_back(flow.session, office2, task.id)
    flow.session.commit()
    row = flow.open(instance, "assign")[0]
    assert (row.claimed_by_id, row.delegated_by_id) == (office1.id, None)
    assert "不是委托办理" in refused(flow, instance, Conflict, claims.hand_back, office1, task.id)

    claims.delegate(flow.session, office1, task.id, "office2")
    flow.session.commit()
    runtime.complete_task(flow.session, office2, task.id, {"lead_unit": "czj"})
    flow.session.commit()
    kinds = flow.session.scalars(select(Event.kind).where(Event.instance_id == instance.id).order_by(Event.id)).all()
    assert kinds[-4:] == ["delegate", "return", "delegate", "complete"]


def test_bulk_claim_is_all_or_nothing(flow):
    first, second = to_assign(flow, "member1"), to_assign(flow, "member2")
    a, b = flow.open(first, "assign")[0], flow.open(second, "assign")[0]
    claims.claim(flow.session, flow.user("office2"), b.id)
    flow.session.commit()
    assert "已由钱敏（政协办公室）认领" in refused(flow, first, Conflict, claims.bulk_claim, flow.user("office1"), [a.id, b.id])
    claims.release(flow.session, flow.user("office2"), b.id)
    assert claims.bulk_claim(flow.session, flow.user("office1"), [a.id, b.id, a.id]) == 2
    flow.session.commit()
    assert len(worklist.list_open(flow.session, flow.user("office1"), Filters(view="mine")).rows) == 2


def test_bulk_assign_many_proposals_to_one_unit(flow):
    instances = [to_assign(flow, f"member{n}") for n in (1, 2, 3)]
    task_ids = [flow.open(i, "assign")[0].id for i in instances]
    office1 = flow.user("office1")
    assert claims.bulk_assign(flow.session, office1, task_ids, "czj", "请财政局主办") == 3
    flow.session.commit()
    assert [flow.open_ids(i) for i in instances] == [["accept"]] * 3
    assert {flow.proposal(i).lead_unit_code for i in instances} == {"czj"}


def test_bulk_assign_refuses_all_when_one_cannot_be_assigned(flow):
    instances = [to_assign(flow, f"member{n}") for n in (1, 2)]
    task_ids = [flow.open(i, "assign")[0].id for i in instances]
    office1 = flow.user("office1")
    other = flow.submit("member3")
    review = flow.open(other, "review")[0]
    for bad_ids, unit, error, words in [
        (task_ids + [review.id], "czj", Conflict, "不是交办步骤"),
        (task_ids, "nowhere", FormInvalid, "请选择"),
        (task_ids + ["gone"], "czj", Conflict, "已被办理或已关闭"),
        ([], "czj", Exception, "请先勾选"),
    ]:
        assert words in refused(flow, instances[0], error, claims.bulk_assign, office1, bad_ids, unit)
        assert [flow.open_ids(i) for i in instances] == [["assign"]] * 2
    claims.claim(flow.session, flow.user("office2"), task_ids[1])
    flow.session.commit()
    assert "已由钱敏" in refused(flow, instances[0], Conflict, claims.bulk_assign, office1, task_ids, "czj")
    assert "不在您的办理范围内" in refused(flow, instances[0], Conflict, claims.bulk_assign, flow.user("czj_clerk"),
                                          task_ids[:1], "czj")
    assert [flow.open_ids(i) for i in instances] == [["assign"]] * 2


def test_filters_sort_and_pages(flow):
    key = to_assign(flow, "member1", is_key=True, **LEADERS)
    plain = to_assign(flow, "member2")
    flow.do("office1", plain, "assign", {"lead_unit": "czj"})
    office = flow.user("office1")
    scope = Filters(view="scope")
    assert ids(worklist.list_open(flow.session, office, Filters(view="scope", key=True))) == [flow.open(key)[0].id]
    assert ids(worklist.list_open(flow.session, office, Filters(view="scope", q="2026-002"))) == [flow.open(plain)[0].id]
    assert ids(worklist.list_open(flow.session, office, Filters(view="scope", q="刘芳"))) == [flow.open(plain)[0].id]
    assert ids(worklist.list_open(flow.session, office, Filters(view="scope", q="100%_"))) == []
    assert ids(worklist.list_open(flow.session, office, Filters(view="scope", process="nope"))) == []
    # accept is due in 7 working days, assign in 5: both on track today, ordered by due date
    page = worklist.list_open(flow.session, office, scope)
    assert [r.step for r in page.rows] == ["交办", "签收"] and {r.due_state for r in page.rows} == {"ok"}
    assert [r.step for r in worklist.list_open(flow.session, office, Filters(view="scope", desc=True)).rows] == ["签收", "交办"]
    clock.advance(dt.timedelta(days=3))  # Thursday: assign is due Monday (2 working days left), accept Wednesday
    page = worklist.list_open(flow.session, office, scope)
    assert [(r.step, r.due_state) for r in page.rows] == [("交办", "soon"), ("签收", "ok")]
    assert ids(worklist.list_open(flow.session, office, Filters(view="scope", due="soon"))) == [page.rows[0].id]
    clock.advance(dt.timedelta(days=5))  # Tuesday: assign overdue
    page = worklist.list_open(flow.session, office, Filters(view="scope", per_page=1))
    assert (page.total, page.pages, page.rows[0].due_state) == (2, 2, "overdue")
    second = worklist.list_open(flow.session, office, Filters(view="scope", per_page=1, page=2))
    assert second.rows[0].step == "签收"
    refused(flow, key, Forbidden, worklist.list_open, flow.user("czj_clerk"), scope)


def test_done_lists_what_i_completed_from_the_audit_log(flow):
    first = to_assign(flow, "member1")
    to_assign(flow, "member2")
    flow.do("office1", first, "assign", {"lead_unit": "czj"})
    done = worklist.list_for(flow.session, flow.user("tiwei"), Filters(view="done"))
    assert [r.step for r in done.rows] == ["审查立案", "审查立案"] and done.total == 2
    assert [r.number for r in worklist.list_done(flow.session, flow.user("office1"), Filters(view="done"))
            .rows] == [first.business_key]
    assert worklist.list_done(flow.session, flow.user("tiwei"), Filters(view="done", q="member2")).total == 1


def test_filters_parse_defensively():
    f = Filters.parse({"view": "evil", "sort": "x; drop", "page": "-3", "per_page": "100000", "key": "1", "q": " 提案 "})
    assert (f.view, f.sort, f.page, f.per_page, f.key, f.q) == ("all", "due", 1, 100, True, "提案")
    assert f.args(page=2) == {"key": 1, "q": "提案", "page": 2, "per_page": 100}


def test_saved_views_shared_with_a_unit_or_a_role(flow):
    office1, office2, czj = flow.user("office1"), flow.user("office2"), flow.user("czj_clerk")
    mine = savedviews.save(flow.session, office1, "我的重点", Filters(key=True))
    unit = savedviews.save(flow.session, office1, "本单位逾期", Filters(due="overdue"), share_unit=True)
    role = savedviews.save(flow.session, czj, "承办中", Filters(view="mine"), share_role="department")
    flow.session.commit()
    names = lambda user: [v.name for v, _owner in savedviews.views_for(flow.session, user)]  # noqa: E731
    assert names(office1) == ["我的重点", "本单位逾期"]
    assert names(office2) == ["本单位逾期"] and names(flow.user("tiwei")) == ["本单位逾期"]  # tiwei: same unit
    assert names(flow.user("fgw_clerk")) == ["承办中"] and names(flow.user("duban")) == []
    assert savedviews.filters_of(unit).due == "overdue" and savedviews.filters_of(mine).key is True
    with pytest.raises(Forbidden):
        savedviews.delete(flow.session, office2, unit.id)
    with pytest.raises(NotFound):
        savedviews.get_for(flow.session, office2, mine.id)
    with pytest.raises(Forbidden):
        savedviews.save(flow.session, office1, "x", Filters(), share_role="department")
    with pytest.raises(FormInvalid):
        savedviews.save(flow.session, office1, " ", Filters())
    flow.session.rollback()
    savedviews.delete(flow.session, czj, role.id)
    flow.session.commit()
    assert names(flow.user("fgw_clerk")) == []


def test_listing_never_deserializes_a_workflow(flow, monkeypatch):
    instance = to_assign(flow, is_key=True, **LEADERS)
    claims.claim(flow.session, flow.user("office1"), flow.open(instance, "assign")[0].id)
    flow.session.commit()
    from engine.runtime import state

    def boom(_):
        raise AssertionError("the worklist loaded a workflow")

    monkeypatch.setattr(state, "load", boom)
    for view in ("all", "mine", "claimable", "delegated", "done", "scope"):
        worklist.list_for(flow.session, flow.user("office1"), Filters(view=view, q="建议", key=True, due="ok"))
    claims.release(flow.session, flow.user("office1"), flow.open(instance, "assign")[0].id)
    flow.session.rollback()
    assert flow.open_ids(instance) == ["assign"]
