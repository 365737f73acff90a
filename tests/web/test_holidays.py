"""节假日安排 pages: who may open them, the October warning (page and inbox), saving a year (deadlines recomputed, the
待核定 mark gone), refusals that change nothing, Excel import and export, the case history's lines."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from engine import clock
from engine.models import Event, OpenTask
from engine.calendar.records import HolidayYear

from .helpers import scalar, submit, task_id, text

OCT_1 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=clock.TZ)
FEB_1_2027 = dt.datetime(2027, 2, 1, 12, 0, tzinfo=clock.TZ)
SPRING = {"source": "国办发明电〔2026〕12号", "kind": ["holiday", "workday", "holiday"],
          "name": ["春节", "春节", ""], "start": ["2027-02-06", "2027-02-20", ""], "end": ["2027-02-14", "", ""]}


def _years(db) -> int:
    return scalar(db, select(func.count()).select_from(HolidayYear))


@pytest.mark.parametrize("username, status", [("office1", 200), ("admin", 200), ("member1", 403), ("czj_clerk", 403)])
def test_only_the_office_and_administrators_open_the_calendar(client, auth, username, status):
    auth.as_(username)
    assert client.get("/holidays").status_code == status
    assert client.get("/holidays/2027").status_code == status
    menu = client.get("/inbox").get_data(as_text=True)
    assert ('href="/holidays"' in menu) == (status == 200)


def test_the_warning_shows_from_the_first_of_october(client, auth):
    auth.as_("office1")
    clock.set_now(dt.datetime(2026, 9, 30, 9, 0, tzinfo=clock.TZ))
    assert "的节假日安排尚未录入" not in text(client.get("/holidays"))
    assert "的节假日安排尚未录入" not in text(client.get("/inbox"))
    clock.set_now(OCT_1)
    assert "2027 年的节假日安排尚未录入" in text(client.get("/holidays"))
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "2027 年的节假日安排尚未录入" in inbox and 'href="/holidays/2027"' in inbox
    auth.as_("member1")  # members are not asked to keep the calendar
    assert "节假日安排尚未录入" not in text(client.get("/inbox"))


def test_saving_a_year_recomputes_deadlines_and_clears_the_pending_mark(client, auth, db):
    clock.set_now(FEB_1_2027)
    instance_id = submit(auth, client)
    auth.as_("tiwei")
    inbox = text(client.get("/inbox"))
    assert "2027-02-15" in inbox and "待核定" in inbox
    review = task_id(db, "tiwei", instance_id, "review")
    assert "待核定" in text(client.get(f"/tasks/{review}"))

    auth.as_("office1")
    response = client.post("/holidays/2027", data=SPRING)
    assert response.status_code == 302, text(response)
    assert "1 个在办事项的期限已按新安排重新计算" in text(client.get("/holidays"))
    entered = db.get(HolidayYear, 2027)
    assert entered.source == SPRING["source"] and len(entered.ranges) == 2
    db.rollback()

    auth.as_("tiwei")
    inbox = text(client.get("/inbox"))
    assert "2027-02-20" in inbox and "待核定" not in inbox
    case = text(client.get(f"/instances/{instance_id}"))
    assert "期限重算" in case and "办理期限由 2027-02-15 改为 2027-02-20" in case
    assert "期限依据：2027年节假日安排（国办发明电〔2026〕12号）" in case
    assert "2027年节假日安排未录入，暂按周一至周五计算（待核定）" in case  # the start was counted without it


def test_a_new_year_of_the_library_starts_from_what_the_library_knows(client, auth):
    auth.as_("office1")
    page = client.get("/holidays/2026").get_data(as_text=True)
    assert 'value="春节"' in page and 'value="2026-02-15"' in page
    assert 'value=""' in client.get("/holidays/2027").get_data(as_text=True)


@pytest.mark.parametrize("change, words", [
    ({"end": ["2027-02-01", "", ""]}, "结束日期早于开始日期"),
    ({"start": ["二月六日", "2027-02-20", ""]}, "格式"),
    ({"start": ["2027-02-06", "2027-02-17", ""], "end": ["2027-02-14", "2027-02-17", ""]}, "周六或周日"),
])
def test_a_wrong_year_is_refused_with_the_row_named_and_nothing_saved(client, auth, db, change, words):
    auth.as_("office1")
    response = client.post("/holidays/2027", data={**SPRING, **change})
    assert response.status_code == 422
    assert words in text(response) and 'value="国办发明电〔2026〕12号"' in response.get_data(as_text=True)
    assert _years(db) == 0


def test_opening_a_year_by_number(client, auth):
    auth.as_("office1")
    assert client.get("/holidays/open?year=2027").location.endswith("/holidays/2027")
    refused = client.get("/holidays/open?year=明年", follow_redirects=True)
    assert "年份应为" in text(refused)
    assert client.get("/holidays/3000").status_code == 404


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "节假日安排"
    sheet.append(["年份", "类型", "名称", "开始日期", "结束日期", "发文字号"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_and_export_as_excel(client, auth, db):
    auth.as_("admin")
    data = _sheet([[2027, "放假", "春节", "2027-02-06", "2027-02-14", "国办发明电〔2026〕12号"],
                   [2027, "调休上班", "春节", "2027-02-20", "2027-02-20", ""]])
    response = client.post("/holidays/import", data={"file": (io.BytesIO(data), "2027.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    assert len(db.get(HolidayYear, 2027).ranges) == 2
    db.rollback()
    exported = client.get("/holidays/export.xlsx?year=2027")
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert rows[1] == (2027, "放假", "春节", "2027-02-06", "2027-02-14", "国办发明电〔2026〕12号")


@pytest.mark.parametrize("data, words", [
    (b"PK\x03\x04 broken", "不是有效的 Excel"),
    (_sheet([[2027, "放假", "春节", "2027-02-14", "2027-02-06", ""]]), "第 2 行：结束日期早于开始日期"),
    (_sheet([["明年", "放假", "春节", "2027-02-06", "2027-02-14", ""]]), "年份应为四位数字"),
])
def test_a_malformed_sheet_is_a_clear_422_and_changes_nothing(client, auth, db, data, words):
    auth.as_("office1")
    response = client.post("/holidays/import", data={"file": (io.BytesIO(data), "bad.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert words in text(response) and "导入未执行" in text(response)
    assert _years(db) == 0


def test_an_import_without_a_file_is_refused(client, auth):
    auth.as_("office1")
    response = client.post("/holidays/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要导入的 Excel 文件" in text(response)


def test_the_change_log_lists_who_entered_what(client, auth, db):
    auth.as_("office1")
    client.post("/holidays/2027", data=SPRING)
    page = text(client.get("/holidays"))
    assert "修改记录" in page and "2027 年：2 条" in page
    assert scalar(db, select(func.count()).select_from(Event).where(Event.kind == "holidays_save")) == 1


def test_pending_deadlines_are_marked_in_english_too(client, auth):
    clock.set_now(FEB_1_2027)
    submit(auth, client)
    auth.as_("tiwei")
    assert "Pending" in text(client.get("/inbox?lang=en"))


def test_the_inbox_row_reads_the_mark_from_the_row(client, auth, db):
    """The mark follows the stored flag (not a guess from the date): clear it and it goes."""
    clock.set_now(FEB_1_2027)
    instance_id = submit(auth, client)
    db.execute(OpenTask.__table__.update().where(OpenTask.instance_id == instance_id).values(due_pending=False))
    db.commit()
    auth.as_("tiwei")
    assert "待核定" not in text(client.get("/inbox"))


def test_pasting_the_notice_fills_the_rows_without_saving(client, auth, db):
    from tests.engine.test_holidays import NOTICE_2026

    auth.as_("office1")
    response = client.post("/holidays/2026/notice", data={"notice": NOTICE_2026.replace("2026", "2027")
                                                           .replace("春节：2月15日", "春节：2月6日")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已从通知识别出 13 段日期" in text(response)
    assert 'value="2026-02-06"' in page and 'value="2026-10-10"' in page  # the year of the page, not of the text
    assert _years(db) == 0
    refused = client.post("/holidays/2027/notice", data={"notice": "明年春节另行通知"})
    assert refused.status_code == 422 and "没有识别出放假或上班的日期" in text(refused)
