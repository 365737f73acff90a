"""节假日安排 kept by the office: 2027 across 春节 with and without the year entered, open deadlines recomputed when the
calendar changes (finished ones left alone), the 待核定 mark, the October warning, validation, import and the log."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from engine import clock
from engine.calendar import holidays, sheets as holiday_sheets, workdays
from engine.runtime import verbs as runtime, schedule
from engine.errors import Forbidden, FormInvalid
from engine.models import Event, Instance, OpenTask
from engine.calendar.records import HolidayYear

from .flow import ACCEPT, Flow

FEB_1_2027 = dt.datetime(2027, 2, 1, 12, 0, tzinfo=clock.TZ)  # a Monday, the week before 春节 2027
SOURCE = "国办发明电〔2026〕12号"
# 春节 2027 as the test enters it: 6–14 February off, Saturday 20 February worked.
SPRING_2027 = [{"kind": "holiday", "name": "春节", "start": "2027-02-06", "end": "2027-02-14"},
               {"kind": "workday", "name": "春节", "start": "2027-02-20", "end": "2027-02-20"}]


@pytest.fixture
def flow(deployed, users):
    return Flow(deployed, users)


def _enter_2027(session, actor=None, rows=SPRING_2027):
    saved = holidays.save_year(session, actor, 2027, SOURCE, rows)
    session.commit()
    return saved


def _date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.TZ).date()


def _weekdays_only(start: dt.date, days: int) -> dt.date:
    day = start
    while days:
        day += dt.timedelta(days=1)
        days -= day.weekday() < 5
    return day


# ------------------------------------------------------------------ counting

def test_2027_is_unknown_to_the_library_and_counted_as_weekdays_until_entered(session):
    assert not workdays.known(2027)
    assert workdays.is_workday(dt.date(2027, 2, 10))  # a Wednesday of 春节: guessed as a working day
    assert not workdays.is_workday(dt.date(2027, 2, 20))  # a Saturday
    before = workdays.add_working_days(FEB_1_2027, 10)
    assert _date(before) == _weekdays_only(dt.date(2027, 2, 1), 10) == dt.date(2027, 2, 15)

    _enter_2027(session)

    assert workdays.known(2027)
    assert not workdays.is_workday(dt.date(2027, 2, 10))
    assert workdays.is_workday(dt.date(2027, 2, 20))  # the adjusted Saturday
    after = workdays.add_working_days(FEB_1_2027, 10)
    # 2–5 February (4), then 15–19 (5), then the worked Saturday the 20th: the holidays' five weekdays are skipped
    # and the adjusted Saturday counts.
    assert _date(after) == dt.date(2027, 2, 20)


def test_an_entered_year_wins_over_the_library(session):
    assert workdays.is_workday(dt.date(2026, 12, 31))  # the library: an ordinary Thursday
    holidays.save_year(session, None, 2026, "县政府通知", [
        {"kind": "holiday", "name": "元旦", "start": "2026-12-31", "end": "2026-12-31"}])
    session.commit()
    assert not workdays.is_workday(dt.date(2026, 12, 31))
    # Entered years are the whole truth: 国庆节 2026 was not entered again, so 5 October is an ordinary Monday now.
    assert workdays.is_workday(dt.date(2026, 10, 5))


def test_seeding_copies_the_library_years_once_and_counts_the_same(session):
    before = [workdays.is_workday(dt.date(2026, 1, 1) + dt.timedelta(days=n)) for n in range(365)]
    added = holidays.seed_from_library(session)
    session.commit()
    assert 2026 in added and 2004 in added and 2027 not in added
    assert holidays.seed_from_library(session) == []
    assert [workdays.is_workday(dt.date(2026, 1, 1) + dt.timedelta(days=n)) for n in range(365)] == before
    spring = [r for r in holidays.year(session, 2026).ranges if r.name == "春节" and r.kind == "holiday"]
    assert [(r.start_date, r.end_date) for r in spring] == [(dt.date(2026, 2, 15), dt.date(2026, 2, 23))]


def test_another_process_sees_a_change_within_max_age(session, engine_):
    from engine import db

    with db.make_sessionmaker(engine_)() as other:  # another worker changes the calendar
        holidays.save_year(other, None, 2027, SOURCE, SPRING_2027)
        other.commit()
    holidays.forget()  # this process still counts with what it had, and has just checked
    holidays.refresh(session)
    assert workdays.is_workday(dt.date(2027, 2, 10))
    holidays.refresh(session, force=True)  # as after MAX_AGE seconds
    assert not workdays.is_workday(dt.date(2027, 2, 10))


# ------------------------------------------------------------------ deadlines of running work

def test_a_deadline_across_spring_festival_2027_with_and_without_the_year(flow, deployed):
    clock.set_now(FEB_1_2027)
    unknown = flow.submit()
    review = flow.open(unknown, "review")[0]
    assert _date(review.due_at) == dt.date(2027, 2, 15) and review.due_pending
    assert review.due_working_days == 10

    _enter_2027(deployed)
    clock.set_now(FEB_1_2027)
    entered = flow.submit()
    review = flow.open(entered, "review")[0]
    assert _date(review.due_at) == dt.date(2027, 2, 20) and not review.due_pending
    started = deployed.scalars(select(Event).where(Event.instance_id == entered.id, Event.kind == "start")).one()
    assert started.data["_calendar"] == [f"2027年节假日安排（{SOURCE}）"]


def test_entering_the_year_recomputes_open_deadlines_and_leaves_finished_ones(flow, deployed):
    clock.set_now(FEB_1_2027)
    waiting = flow.submit()  # 审查立案 open, 10 working days
    reviewed = flow.submit()
    flow.do("tiwei", reviewed, "review", {"decision": "立案"})  # finished; 交办 open, 5 working days
    assigned = flow.submit()
    flow.do("tiwei", assigned, "review", {"decision": "立案"})
    flow.do("office1", assigned, "assign", {"lead_unit": "czj", "co_units": []})  # 签收: 7 working days, a timer
    accept = flow.open(assigned, "accept")[0]
    assert _date(accept.due_at) == dt.date(2027, 2, 10) and accept.due_pending
    assert _date(deployed.get(Instance, assigned.id).next_timer_at) == dt.date(2027, 2, 10)
    review_done = deployed.scalars(select(Event).where(Event.instance_id == reviewed.id,
                                                      Event.bpmn_id == "review")).one()
    finished = (review_done.hash, dict(review_done.data))

    saved = _enter_2027(deployed)

    assert saved.recomputed == 3
    deployed.expire_all()
    assert _date(flow.open(waiting, "review")[0].due_at) == dt.date(2027, 2, 20)
    assert _date(flow.open(reviewed, "assign")[0].due_at) == dt.date(2027, 2, 15)  # 2–5, then the 15th
    accept = flow.open(assigned, "accept")[0]
    assert _date(accept.due_at) == dt.date(2027, 2, 17) and not accept.due_pending
    assert _date(deployed.get(Instance, assigned.id).next_timer_at) == dt.date(2027, 2, 17)
    assert not any(r.due_pending for r in deployed.scalars(select(OpenTask)))
    lines = deployed.scalars(select(Event).where(Event.kind == "deadline")).all()
    assert sorted(e.instance_id for e in lines) == sorted([waiting.id, reviewed.id, assigned.id])
    assert all(e.data["calendar"] == f"2027年节假日安排（{SOURCE}）" for e in lines)
    again = deployed.scalars(select(Event).where(Event.instance_id == reviewed.id, Event.bpmn_id == "review")).one()
    assert (again.hash, again.data) == finished  # the finished step is history as it was
    from engine.runtime import audit

    assert all(audit.verify(deployed, i.id) for i in (waiting, reviewed, assigned))

    # The timer now waits for the new deadline: not fired on the 11th, fired after the 17th.
    assert flow.tick(days=10) == 0 and flow.open_ids(assigned) == ["accept"]
    clock.set_now(dt.datetime(2027, 2, 18, 9, 0, tzinfo=clock.TZ))
    assert runtime.fire_due_timers(deployed) == 1
    deployed.commit()
    assert "accept" not in flow.open_ids(assigned)


def test_the_same_calendar_again_moves_nothing(flow, deployed):
    clock.set_now(FEB_1_2027)
    flow.submit()
    assert _enter_2027(deployed).recomputed == 1
    assert _enter_2027(deployed).recomputed == 0


def test_a_later_correction_moves_deadlines_back(flow, deployed):
    clock.set_now(FEB_1_2027)
    instance = flow.submit()
    _enter_2027(deployed)
    _enter_2027(deployed, rows=[])  # entered by mistake: the year has no holidays at all
    review = flow.open(instance, "review")[0]
    assert _date(review.due_at) == dt.date(2027, 2, 15) and not review.due_pending


def test_a_deadline_counted_in_months_is_not_recounted(flow, deployed):
    """Only deadlines counted in working days move; 3-month reply windows (add_months) are not counted so."""
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.TZ))
    instance = flow.to_handling()
    handle = flow.open(instance, "handle")[0]
    due = handle.due_at
    assert not handle.due_pending
    _enter_2027(deployed)
    deployed.expire_all()
    assert flow.open(instance, "handle")[0].due_at == due


def test_tick_recounts_what_a_process_counted_with_the_old_calendar(flow, deployed):
    clock.set_now(FEB_1_2027)
    _enter_2027(deployed)
    holidays.forget()  # a worker that has not yet seen the change
    instance = flow.submit()
    assert _date(flow.open(instance, "review")[0].due_at) == dt.date(2027, 2, 15)
    counts = schedule.tick(deployed)
    deployed.commit()
    assert counts["deadlines"] == 1
    assert _date(flow.open(instance, "review")[0].due_at) == dt.date(2027, 2, 20)


# ------------------------------------------------------------------ the office's warning

def test_next_year_missing_is_said_from_the_first_of_october(session):
    assert holidays.missing_next_year(dt.date(2026, 9, 30)) is None
    assert holidays.missing_next_year(dt.date(2026, 10, 1)) == 2027
    assert holidays.missing_next_year(dt.date(2025, 10, 1)) is None  # the library knows 2026
    _enter_2027(session)
    assert holidays.missing_next_year(dt.date(2026, 12, 7)) is None


# ------------------------------------------------------------------ refused, with nothing changed

@pytest.mark.parametrize("rows, key, words", [
    ([{"kind": "holiday", "name": "春节", "start": "2027-02-14", "end": "2027-02-06"}], "row-0", "早于"),
    ([{"kind": "holiday", "name": "春节", "start": "2027/13/01", "end": ""}], "row-0", "格式"),
    ([{"kind": "workday", "name": "春节", "start": "2027-02-17", "end": "2027-02-17"}], "row-0", "周六或周日"),
    ([{"kind": "holiday", "name": "x", "start": "2028-05-01", "end": "2028-05-01"}], "row-0", "2027 年内"),
    ([{"kind": "party", "name": "x", "start": "2027-05-01", "end": "2027-05-01"}], "row-0", "类型"),
    (SPRING_2027 + [{"kind": "holiday", "name": "元宵", "start": "2027-02-14", "end": "2027-02-15"}], "ranges",
     "2027-02-14"),
])
def test_a_wrong_arrangement_is_refused_and_changes_nothing(session, rows, key, words):
    with pytest.raises(FormInvalid) as refused:
        holidays.save_year(session, None, 2027, SOURCE, rows)
    assert words in refused.value.errors[key]
    session.rollback()
    assert session.get(HolidayYear, 2027) is None and not workdays.known(2027)


def test_only_the_office_and_administrators_keep_the_calendar(deployed, users):
    with pytest.raises(Forbidden):
        holidays.save_year(deployed, users.member1, 2027, SOURCE, SPRING_2027)
    holidays.save_year(deployed, users.office1, 2027, SOURCE, SPRING_2027)


def test_every_change_is_in_the_calendar_log_and_the_chain_holds(deployed, users):
    holidays.save_year(deployed, users.office1, 2027, SOURCE, SPRING_2027)
    holidays.save_year(deployed, users.admin, 2027, SOURCE, SPRING_2027[:1])
    deployed.commit()
    log = holidays.history(deployed)
    assert [e.kind for e in log] == ["holidays_save", "holidays_save"]
    assert log[0].actor_id == users.admin.id and len(log[0].data["before"]) == 2
    assert holidays.verify_log(deployed)
    log[1].data = {**log[1].data, "source": "改过的"}
    deployed.commit()
    assert not holidays.verify_log(deployed)


# ------------------------------------------------------------------ Excel and files

def test_export_then_import_gives_the_same_calendar(session):
    _enter_2027(session)
    data = holiday_sheets.export_workbook(session, [2027])
    holidays.save_year(session, None, 2027, "", [])
    session.commit()
    result = holiday_sheets.import_workbook(session, None, data)
    session.commit()
    assert result.years == [2027]
    entered = holidays.year(session, 2027)
    assert entered.source == SOURCE
    assert [(r.kind, r.name, r.start_date.isoformat(), r.end_date.isoformat()) for r in entered.ranges] == [
        (r["kind"], r["name"], r["start"], r["end"]) for r in SPRING_2027]


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(holiday_sheets.COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data, words", [
    (b"not a workbook", "Excel"),
    (_sheet([]), "没有"),
    (_sheet([[2027, "放假", "春节", "2027-02-14", "2027-02-06", SOURCE]]), "早于"),
    (_sheet([["明年", "放假", "春节", "2027-02-06", "2027-02-14", SOURCE]]), "年份"),
    (_sheet([[2027, "休息", "春节", "2027-02-06", "2027-02-14", SOURCE]]), "类型"),
])
def test_a_malformed_sheet_is_refused_whole(session, data, words):
    with pytest.raises(FormInvalid) as refused:
        holiday_sheets.import_workbook(session, None, data)
    assert words in refused.value.message + "".join(refused.value.errors.values())
    session.rollback()
    assert session.scalar(select(func.count()).select_from(HolidayYear)) == 0


def test_a_year_loads_from_a_small_json_file(session, tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"year": 2027, "source": SOURCE, "holidays": [
        {"name": "春节", "start": "2027-02-06", "end": "2027-02-14"}], "workdays": [
        {"name": "春节", "start": "2027-02-20", "end": "2027-02-20"}]}, ensure_ascii=False), encoding="utf-8")
    years = holiday_sheets.load_file(session, path)
    session.commit()
    assert years == [2027] and not workdays.is_workday(dt.date(2027, 2, 8))


def test_accepting_does_not_need_the_year(flow, deployed):
    """Work goes on while a deadline is pending: the clerk acts as usual."""
    clock.set_now(FEB_1_2027)
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.do("office1", instance, "assign", {"lead_unit": "czj", "co_units": []})
    flow.do("czj_clerk", instance, "accept", ACCEPT)
    assert "accept" not in flow.open_ids(instance)


# ------------------------------------------------------------------ the State Council notice, pasted

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。"""


def test_the_2026_notice_reads_as_the_library_has_it():
    from engine.calendar import notice as holiday_notice

    reading = holiday_notice.read(NOTICE_2026, 2026)
    assert reading.unread == []
    got = {(r["kind"], r["name"], r["start"], r["end"]) for r in reading.rows}
    assert got == {(r.kind, r.name, r.start.isoformat(), r.end.isoformat()) for r in holidays.library_ranges(2026)}


def test_a_notice_across_months_and_years_and_a_line_it_cannot_read():
    from engine.calendar import notice as holiday_notice

    reading = holiday_notice.read("一、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（周六）、10月8日（周日）上班。\n"
                                  "二、元旦：2023年12月30日至2024年1月1日放假，共3天。\n"
                                  "三、春节：另行通知放假。", 2024)
    assert [(r["kind"], r["start"], r["end"]) for r in reading.rows] == [  # in date order
        ("holiday", "2023-12-30", "2024-01-01"), ("holiday", "2024-09-29", "2024-10-06"),
        ("workday", "2024-10-07", "2024-10-07"), ("workday", "2024-10-08", "2024-10-08")]
    assert reading.unread == ["三、春节：另行通知放假。"]


def test_dates_may_be_written_in_chinese(session):
    holidays.save_year(session, None, 2027, SOURCE, [
        {"kind": "holiday", "name": "春节", "start": "2月6日", "end": "2027年2月14日"}])
    assert not workdays.is_workday(dt.date(2027, 2, 8))
