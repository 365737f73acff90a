"""委员名册 → 从 Excel 导入: a 委员 row naming a staff account is refused on the page; the account is untouched."""
from __future__ import annotations

import io

from sqlalchemy import select

from engine.models import User

from .helpers import text
from .test_roster import workbook


def test_importing_a_staff_username_as_a_member_is_a_422_and_leaves_the_account(client, auth, db):
    auth.as_("office1")
    data = workbook(委员=[["czj_clerk", "冒名委员", "", "", "", "", "", "", "是"]])
    response = client.post("/roster/import", data={"file": (io.BytesIO(data), "roster.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "名册不能修改它" in text(response)
    clerk = db.scalars(select(User).where(User.username == "czj_clerk")).one()
    assert clerk.name != "冒名委员" and "member" not in clerk.role_keys
