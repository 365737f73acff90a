"""委员履职, 社情民意 and 任务分工督查 pages."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.models import User
from engine.procedures.supervision.records import DivisionTask, SheqingItem

from .helpers import do, instance_count, open_steps, scalar, submit, text

SHEQING = {"title": "农村道路破损影响春耕运输", "category": "社会", "content": "东风镇三条村道破损严重。", "source": "群众反映"}


def submit_sheqing(auth, client, username="member1") -> None:
    auth.as_(username)
    response = client.post("/sheqing/new", data=SHEQING)
    assert response.status_code == 302 and response.location == "/sheqing", text(response)


def sheqing_instance(db) -> int:
    return scalar(db, select(SheqingItem.instance_id).order_by(SheqingItem.id.desc()).limit(1))


def test_member_submits_a_sheqing_and_sees_it_with_its_status(client, auth, db):
    submit_sheqing(auth, client)
    page = text(client.get("/sheqing"))
    assert SHEQING["title"] in page and "待筛选" in page
    assert text(client.get("/sheqing/new")).count("报送社情民意") >= 1


def test_sheqing_form_errors_and_refusals_change_nothing(client, auth, db):
    before = instance_count(db)
    auth.as_("member1")
    response = client.post("/sheqing/new", data={**SHEQING, "content": ""})
    assert response.status_code == 422 and "此项必填" in text(response)
    auth.as_("office1")
    assert client.get("/sheqing/new").status_code == 403
    assert instance_count(db) == before
    assert client.get("/sheqing/all").status_code == 200
    auth.as_("member2")
    assert client.get("/sheqing/all").status_code == 403


def test_rejected_sheqing_shows_the_reason_to_the_member(client, auth, db):
    submit_sheqing(auth, client)
    instance_id = sheqing_instance(db)
    do(auth, client, db, "office1", instance_id, "screen", {"decision": "不采用", "reason": "已另案处理。"})
    auth.as_("member1")
    page = text(client.get("/sheqing"))
    assert "不予采用" in page and "已另案处理。" in page


def test_my_duty_page_shows_what_is_missing(client, auth, db):
    submit_sheqing(auth, client)
    page = text(client.get("/duty/me?year=2026"))
    assert "报送社情民意" in page and "尚欠缺：参加全体会议、提交提案、参加政协活动、大会发言或调研视察报告" in page
    auth.as_("office1")
    assert client.get("/duty/me").status_code == 403


@pytest.mark.parametrize("username, status", [("office1", 200), ("zhuxi", 200), ("member1", 403), ("zzb_ganbu", 403)])
def test_all_members_page_is_for_the_office_and_the_chair(client, auth, username, status):
    auth.as_(username)
    assert client.get("/duty/members").status_code == status


def test_all_members_page_lists_what_each_lacks_and_exports(client, auth, db):
    submit_sheqing(auth, client, "member2")
    auth.as_("office1")
    page = text(client.get("/duty/members?year=2026"))
    assert "共 5 位委员，其中 5 位尚有欠缺。" in page and "刘芳（委员）" in page
    member2 = scalar(db, select(User.id).where(User.username == "member2"))
    assert "尚欠缺" in text(client.get(f"/duty/members/{member2}?year=2026"))
    response = client.get("/duty/members/archive.xlsx?year=2026")
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book["五个一"].iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 6
    assert any(r[1] == "member2" and r[3] == "否" and r[9] == 1 for r in rows)  # not 常委; one 社情民意
    assert list(book["履职记录"].iter_rows(values_only=True))[1][2] == "报送社情民意"


def test_a_member_exports_only_their_own_archive(client, auth, db):
    member1 = scalar(db, select(User.id).where(User.username == "member1"))
    member2 = scalar(db, select(User.id).where(User.username == "member2"))
    submit(auth, client, "member1")  # a proposal of member1's, to be in their archive and nobody else's
    auth.as_("member1")
    response = client.get(f"/duty/members/{member1}/archive.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    summary = list(book["五个一"].iter_rows(values_only=True))
    assert [row[1] for row in summary[1:]] == ["member1"]
    assert {row[0] for row in list(book["履职记录"].iter_rows(values_only=True))[1:]} == {summary[1][0]}
    refused = client.get(f"/duty/members/{member2}/archive.xlsx")
    assert refused.status_code == 403 and not refused.data.startswith(b"PK")  # no workbook at all
    assert client.get(f"/duty/members/{member2}").status_code == 403
    assert client.get("/duty/members/archive.xlsx").status_code == 403


@pytest.mark.parametrize("username, status", [("zzb_ganbu", 200), ("tzb_ganbu", 200), ("office1", 200),
                                              ("czj_clerk", 200), ("member1", 403), ("xwb_clerk", 403)])
def test_attendance_report_is_open_to_the_departments_told_of_it(client, auth, username, status):
    auth.as_(username)
    assert client.get("/duty/attendance?year=2026").status_code == status


def test_attendance_export(client, auth):
    auth.as_("zzb_ganbu")
    response = client.get("/duty/attendance?year=2026&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert next(book["出席情况"].iter_rows(values_only=True))[:2] == ("日期", "委员")


def test_office_starts_the_years_assessments(client, auth, db):
    auth.as_("office1")
    response = client.post("/duty/assessments", data={"year": "2026"})
    assert response.status_code == 302
    auth.as_("member1")
    assert "提交年度履职报告" in text(client.get("/inbox"))
    auth.as_("member1")
    assert client.post("/duty/assessments", data={"year": "2026"}).status_code == 403


def test_division_board_and_starting_an_item(client, auth, db):
    auth.as_("duban")
    page = text(client.get("/duty/division"))
    assert "2(3)" in page and "县政协办公室" in page and "根据工作职责分工负责" in page
    response = client.post("/duty/division", data={"item_no": "16(3)"})
    assert response.status_code == 422 and "请指定具体单位" in text(response)
    response = client.post("/duty/division", data={"item_no": "6", "deadline": "2026-06-30"})
    assert response.status_code == 302
    instance_id = scalar(db, select(DivisionTask.instance_id).where(DivisionTask.item_no == "6"))
    assert open_steps(db, instance_id) == ["contribute", "contribute"]
    auth.as_("office1")
    assert "参加单位报送中" in text(client.get("/duty/division"))
    assert client.post("/duty/division", data={"item_no": "1"}).status_code == 403
    auth.as_("member1")
    assert client.get("/duty/division").status_code == 403
