"""Instance detail: history with labels and choice titles, open steps, access."""
from __future__ import annotations

import pytest

from .helpers import REVIEW, SUBMIT, do, submit, text, to_accept


def test_detail_shows_history_with_readable_data_and_open_steps(client, auth, db):
    instance_id = to_accept(auth, client, db)
    auth.as_("member1")
    response = client.get(f"/instances/{instance_id}")
    assert response.status_code == 200
    page = text(response)
    assert "关于加快城区老旧小区改造的建议" in page and "办理中" in page and "发起人 张明（委员）" in page
    assert "提交提案" in page and "张明（委员）" in page and "类别 社会" in page
    assert "审查立案" in page and "李建国（提案委员会）" in page and "审查结论 立案" in page and "重点提案 是" in page
    assert "交办" in page and "主办单位 县财政局" in page and "交办意见 请财政局主办" in page
    assert "当前步骤" in page and "签收" in page


def test_completed_instance(client, auth, db):
    instance_id = submit(auth, client)
    do(auth, client, db, "tiwei", instance_id, "review", {"decision": "不立案", "reason": "不符合立案标准"})
    auth.as_("member1")
    page = text(client.get(f"/instances/{instance_id}"))
    assert "已办结" in page and "没有待办理的步骤" in page and "理由 不符合立案标准" in page


@pytest.mark.parametrize("username", ["member1", "tiwei", "office1", "duban", "czj_clerk"])
def test_people_involved_may_view(client, auth, db, username):
    instance_id = to_accept(auth, client, db)
    auth.as_(username)
    response = client.get(f"/instances/{instance_id}")
    page = text(response)
    assert response.status_code == 200
    assert SUBMIT["title"] in page and "城区老旧小区管网老化" in page  # the case itself, not an empty frame
    assert "签收" in page  # where it stands: the lead unit's step to accept it


@pytest.mark.parametrize("username", ["member2", "fgw_clerk"])
def test_unrelated_users_get_403(client, auth, db, username):
    instance_id = to_accept(auth, client, db)
    auth.as_(username)
    response = client.get(f"/instances/{instance_id}")
    assert response.status_code == 403 and "无权访问" in text(response)


def test_unknown_instance_is_404(client, auth):
    auth.as_("office1")
    assert client.get("/instances/9999").status_code == 404


def test_cosigner_can_view_after_confirming(client, auth, db):
    instance_id = submit(auth, client, cosigners=["member2"])
    do(auth, client, db, "member2", instance_id, "cosign", {"cosign_agree": "true", "cosign_comment": "同意"})
    auth.as_("member2")
    page = text(client.get(f"/instances/{instance_id}"))
    assert "联名确认" in page and "同意联名 是" in page
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    auth.as_("tiwei")
    assert "刘芳（委员）" in text(client.get(f"/instances/{instance_id}"))


def test_an_id_larger_than_any_row_is_not_found(client, auth):
    auth.as_("office1")
    for path in ("/instances/99999999999999999999", "/instances/2147483648", "/holidays/99999999999999999999",
                 "/roster/members/99999999999999999999"):
        response = client.get(path)
        assert response.status_code == 404, path
