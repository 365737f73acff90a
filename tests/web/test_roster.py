"""委员名册 pages: who may open them, editing, Excel import with row errors (nothing changed), export."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from engine.people import rosters
from engine.people.records import Member, Sector

from .helpers import scalar, text


def workbook(**sheets) -> bytes:
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


@pytest.mark.parametrize("username, status", [("admin", 200), ("office1", 200), ("member1", 403), ("czj_clerk", 403)])
def test_only_admin_and_office_open_the_roster(client, auth, username, status):
    auth.as_(username)
    assert client.get("/roster").status_code == status


def test_roster_lists_the_demo_members(client, auth):
    auth.as_("office1")
    page = text(client.get("/roster"))
    assert "张明（委员）" in page and "经济界" in page and "县财政局" in page and "第十一届" in page


def test_edit_a_member_and_refuse_a_bad_sector(client, auth, db):
    auth.as_("office1")
    member_id = scalar(db, select(Member.id).join(Member.user).where(Member.name == "张明（委员）"))
    url = f"/roster/members/{member_id}"
    assert "张明（委员）" in text(client.get(url))
    form = {"name": "张明（委员）", "sector": "不存在的界别", "unit": "czj", "active": "1"}
    response = client.post(url, data=form)
    assert response.status_code == 422 and "界别“不存在的界别”不存在" in text(response)
    response = client.post(url, data={**form, "sector": "教育界", "contact": "13900000000"})
    assert response.status_code == 302
    assert scalar(db, select(Member.contact).where(Member.id == member_id)) == "13900000000"


def test_add_a_sector_and_refuse_deleting_one_in_use(client, auth, db):
    auth.as_("office1")
    assert client.post("/roster/lists/sector", data={"name": "文化艺术界"}).status_code == 302
    assert "文化艺术界" in client.get("/roster/lists/sector").get_data(as_text=True)
    used = scalar(db, select(Sector.id).where(Sector.name == "经济界"))
    response = client.post("/roster/lists/sector", data={"delete": str(used)})
    assert response.status_code == 409 and "不能删除" in text(response)


def test_import_with_a_bad_row_changes_nothing_and_names_the_row(client, auth, db):
    auth.as_("admin")
    before = scalar(db, select(func.count()).select_from(Member))
    data = workbook(界别=[["科技界"]], 委员=[["new_one", "新委员", "科技界", "", "", "czj", "第十一届", "", "是"],
                                        ["new_two", "另一位", "没有这个界别", "", "", "", "", "", ""]])
    response = client.post("/roster/import", data={"file": (io.BytesIO(data), "roster.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = text(response)
    assert "委员 第3行" in page and "界别“没有这个界别”不存在" in page and "所有数据均未改动" in page
    assert scalar(db, select(func.count()).select_from(Member)) == before
    assert scalar(db, select(Sector.id).where(Sector.name == "科技界")) is None

    good = workbook(界别=[["科技界"]], 委员=[["new_one", "新委员", "科技界", "", "", "czj", "第十一届", "", "是"]])
    response = client.post("/roster/import", data={"file": (io.BytesIO(good), "roster.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert scalar(db, select(func.count()).select_from(Member)) == before + 1


def test_import_without_a_file_says_so(client, auth):
    auth.as_("office1")
    response = client.post("/roster/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要导入的 Excel 文件" in text(response)


def test_export_is_a_workbook_of_every_roster(client, auth):
    auth.as_("office1")
    response = client.get("/roster/export")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == list(rosters.SHEETS)
    assert any(row[0] == "member1" for row in book["委员"].iter_rows(values_only=True))


def test_a_value_that_looks_like_a_formula_is_exported_as_text(client, auth, db):
    member = db.scalars(select(Member).join(Member.user)).first()
    member.contact = '=HYPERLINK("http://evil.example","点我")'
    db.commit()
    auth.as_("office1")
    raw = client.get("/roster/export").data
    book = load_workbook(io.BytesIO(raw))
    cells = [c for row in book["委员"].iter_rows() for c in row if c.value == member.contact]
    assert cells and all(c.data_type == "s" for c in cells)  # words, not a formula
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet6.xml")


def test_units_and_terms_pages(client, auth):
    auth.as_("admin")
    assert client.post("/roster/units", data={"code": "gsl", "name": "县工商联", "kind": "org"}).status_code == 302
    assert "县工商联" in text(client.get("/roster/units"))
    response = client.post("/roster/units", data={"code": "bad code", "name": "", "kind": "dept"})
    assert response.status_code == 422 and "单位编码“bad code”无效" in text(response)
    assert client.post("/roster/terms", data={"name": "第十二届", "start_year": "2027", "end_year": "2031"}).status_code == 302
    assert "第十二届" in text(client.get("/roster/terms"))
    refused = client.post("/roster/terms", data={"name": "第十三届", "start_year": "2031", "end_year": "abc"})
    assert refused.status_code == 422 and "第十三届" not in text(client.get("/roster/terms"))
