"""Rosters: Excel import and export, row-level errors, nothing half-imported."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from engine.people import rosters
from engine.errors import Conflict, FormInvalid
from engine.models import User
from engine.people.records import Member, Sector, Term

MEMBER_COLUMNS = rosters.SHEETS["委员"]


def workbook(**sheets: list[list]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(rosters.SHEETS[title])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = dict(
    界别=[["经济界"], ["教育界"]],
    专门委员会=[["经济委员会"]],
    委员联络活动组=[["开鲁镇联络组"]],
    届次=[["第十届", 2022, 2026]],
    委员=[["wang_li", "王莉", "经济界", "经济委员会", "开鲁镇联络组", "czj", "第十届", "13800000001", "是"],
          ["zhao_yi", "赵一", "教育界", "", "", "县教育局", "第十届", "", ""]],
)


def counts(session) -> tuple[int, int, int, int]:
    result = tuple(session.scalar(select(func.count()).select_from(model)) for model in (Member, User, Sector, Term))
    session.rollback()
    return result


def test_import_creates_members_linked_to_users_with_role_member(deployed, both_backends):
    result = rosters.import_workbook(deployed, workbook(**GOOD))
    deployed.commit()
    assert result.counts["委员"] == 2 and result.counts["界别"] == 2
    wang = deployed.scalars(select(Member).join(Member.user).where(User.username == "wang_li")).one()
    assert (wang.name, wang.sector.name, wang.committee.name, wang.liaison_group.name) == ("王莉", "经济界", "经济委员会", "开鲁镇联络组")
    assert (wang.unit.code, wang.term.name, wang.contact, wang.active) == ("czj", "第十届", "13800000001", True)
    assert wang.user.has_role("member")
    zhao = deployed.scalars(select(Member).join(Member.user).where(User.username == "zhao_yi")).one()
    assert zhao.unit.code == "jyj" and zhao.committee is None  # a unit may be named by its name


def test_bad_row_changes_nothing_and_names_the_row(deployed, both_backends):
    rosters.import_workbook(deployed, workbook(界别=[["经济界"]]))
    deployed.commit()
    before = counts(deployed)
    bad = dict(GOOD)
    bad["委员"] = GOOD["委员"] + [["li_si", "李四", "文艺界", "", "", "", "", "", ""],
                                 ["bad name!", "", "", "", "", "nowhere", "第九届", "", "也许"]]
    with pytest.raises(FormInvalid) as raised:
        rosters.import_workbook(deployed, workbook(**bad))
    deployed.rollback()
    errors = raised.value.errors
    assert set(errors) == {"委员 第4行", "委员 第5行"}
    assert errors["委员 第4行"] == "界别“文艺界”不存在"
    for text in ("用户名“bad name!”无效", "姓名不能为空", "工作单位“nowhere”不存在", "届次“第九届”不存在", "“在任”一栏请填“是”或“否”"):
        assert text in errors["委员 第5行"]
    assert "所有数据均未改动" in raised.value.message
    assert counts(deployed) == before  # not even the good sheets and rows went in


def test_duplicates_unknown_sheets_and_missing_columns_are_named(deployed):
    book = Workbook()
    book.active.title = "花名册"
    sheet = book.create_sheet("界别")
    sheet.append(["名字"])
    members = book.create_sheet("委员")
    members.append(MEMBER_COLUMNS)
    members.append(["dup", "甲"] + [""] * 7)
    members.append(["dup", "乙"] + [""] * 7)
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FormInvalid) as raised:
        rosters.import_workbook(deployed, buffer.getvalue())
    errors = raised.value.errors
    assert "不认识的工作表“花名册”" in errors["花名册"]
    assert errors["界别 第1行"] == "缺少列：名称"
    assert errors["委员 第3行"] == "“dup”与第2行重复"


def test_not_a_workbook(deployed):
    with pytest.raises(FormInvalid) as raised:
        rosters.import_workbook(deployed, b"name,sector\n")
    assert raised.value.errors[""].startswith("文件不是有效的 Excel 工作簿（.xlsx）：")


def test_export_then_import_round_trips(deployed):
    rosters.import_workbook(deployed, workbook(**GOOD))
    deployed.commit()
    data = rosters.export_workbook(deployed)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == list(rosters.SHEETS)
    rows = list(book["委员"].iter_rows(values_only=True))
    assert rows[0] == tuple(MEMBER_COLUMNS)
    assert ("wang_li", "王莉", "经济界", "经济委员会", "开鲁镇联络组", "czj", "第十届", "13800000001", "是", "否") in rows
    before = counts(deployed)
    result = rosters.import_workbook(deployed, data)
    deployed.commit()
    assert result.counts["委员"] == len(rows) - 1 and counts(deployed) == before


def test_a_member_can_be_deactivated_and_a_used_sector_not_deleted(deployed):
    rosters.import_workbook(deployed, workbook(**{**GOOD, "界别": [["科技界"], ["教育界"]], "委员": [
        ["wang_li", "王莉", "科技界", "", "", "", "", "", "是"]]}))
    deployed.commit()
    sector = deployed.scalars(select(Sector).where(Sector.name == "科技界")).one()
    with pytest.raises(Conflict):
        rosters.delete_lookup(deployed, "sector", sector.id)
    member = rosters.save_member(deployed, {"username": "wang_li", "name": "王莉", "sector": "教育界", "active": "否"})
    deployed.commit()
    assert member.sector.name == "教育界" and not member.active and not member.user.active
    rosters.delete_lookup(deployed, "sector", sector.id)
    with pytest.raises(FormInvalid) as raised:
        rosters.save_lookup(deployed, "sector", "教育界")
    assert raised.value.errors == {"name": "已有名为“教育界”的界别"}


def test_a_roster_save_does_not_switch_a_deactivated_login_back_on(deployed, users):
    """The account page deactivated the member's login; editing their roster record keeps it off."""
    from engine.people import accounts

    member1 = users.member1
    accounts.set_active(deployed, users.office1, member1.id, False)
    deployed.commit()
    rosters.save_member(deployed, {"username": "member1", "name": member1.name, "contact": "13900000000",
                                   "active": "是"})
    deployed.commit()
    deployed.refresh(member1)
    assert not member1.active


def test_the_roster_marks_standing_members(deployed):
    rows = [GOOD["委员"][0] + ["是"], GOOD["委员"][1] + ["否"]]
    rosters.import_workbook(deployed, workbook(**{**GOOD, "委员": rows}))
    deployed.commit()
    standing = dict(deployed.execute(select(User.username, Member.standing).join(Member.user)
                                     .where(User.username.in_(["wang_li", "zhao_yi"]))).all())
    assert standing == {"wang_li": True, "zhao_yi": False}
    rosters.import_workbook(deployed, workbook(**GOOD))  # a blank 常委 cell keeps who is 常委
    deployed.commit()
    assert deployed.scalar(select(Member.standing).join(Member.user).where(User.username == "wang_li")) is True
    with pytest.raises(FormInvalid) as raised:
        rosters.import_workbook(deployed, workbook(**{**GOOD, "委员": [GOOD["委员"][0] + ["也许"]]}))
    assert "常委" in str(raised.value.errors)
