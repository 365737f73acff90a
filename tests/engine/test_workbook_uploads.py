"""A malformed workbook (broken zip, an XML entity inside, XML cut short, a zip bomb) is refused by every Excel import
with the reason, on both databases, and nothing changes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.calendar import sheets as holiday_sheets
from engine.calendar.records import HolidayYear
from engine.errors import FormInvalid
from engine.models import Unit
from engine.people import rosters

from ..workbooks import malformed, sound

ROSTER = sound("单位", [rosters.SHEETS["单位"], ("t1", "测试单位", "承办单位")])
HOLIDAYS = sound("节假日安排", [holiday_sheets.COLUMNS, (2027, "放假", "春节", "2027-02-06", "2027-02-14", "")])


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_every_import_refuses_a_malformed_workbook_with_the_reason(deployed, users, both_backends):
    units, years = _count(deployed, Unit), _count(deployed, HolidayYear)
    imports = {"roster": (ROSTER, "", lambda data: rosters.import_workbook(deployed, data)),
               "holidays": (HOLIDAYS, "file", lambda data: holiday_sheets.import_workbook(deployed, users.admin, data))}
    for name, (good, field, run) in imports.items():
        for case, (data, words) in malformed(good).items():
            with pytest.raises(FormInvalid) as caught:
                run(data)
            assert words in caught.value.errors[field], (name, case, caught.value.errors)
            assert "导入未执行" in caught.value.message and words in caught.value.message, (name, case)
            deployed.rollback()
    assert (_count(deployed, Unit), _count(deployed, HolidayYear)) == (units, years)
