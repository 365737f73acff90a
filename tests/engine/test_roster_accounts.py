"""The roster import never touches an account it could not change through 账号管理, and every change it makes to an
account is in that account's history (the hash-chained account log), on both databases."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from engine.errors import FormInvalid
from engine.models import Role, User
from engine.people import accounts, rosters
from engine.runtime import audit
from engine.people.records import Member


def workbook(*members) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "委员"
    sheet.append(rosters.SHEETS["委员"])
    for row in members:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(username, name, active="是"):
    return [username, name, "", "", "", "", "", "", active]


def _state(session, username):
    user = session.scalars(select(User).where(User.username == username)).one()
    session.refresh(user)
    return user.name, sorted(user.role_keys), user.active


def _events(session) -> int:
    return len(audit.log_events(session, accounts.KINDS))


@pytest.mark.parametrize("username", ["office1", "OFFICE1", "czj_clerk", "admin"])
def test_a_member_row_naming_a_staff_account_is_refused_and_changes_nothing(deployed, users, both_backends, username):
    staff = username.lower()
    before, events = _state(deployed, staff), _events(deployed)
    with pytest.raises(FormInvalid) as caught:
        rosters.import_workbook(deployed, workbook(_row(username, "冒名委员")), users.office1)
    assert "名册不能修改它" in caught.value.errors["委员 第2行"]
    deployed.rollback()
    assert _state(deployed, staff) == before and _events(deployed) == events
    assert deployed.scalar(select(Member.id).join(User).where(User.username == staff)) is None


def test_the_member_form_is_held_to_the_same_rule(deployed, users, both_backends):
    before = _state(deployed, "office1")
    with pytest.raises(FormInvalid) as caught:
        rosters.save_member(deployed, {"username": "office1", "name": "冒名委员"}, users.office1)
    assert "名册不能修改它" in caught.value.errors["username"]
    deployed.rollback()
    assert _state(deployed, "office1") == before


def test_a_member_holding_an_administrators_role_is_changed_by_an_administrator_only(deployed, users, both_backends):
    member2 = users.member2
    member2.roles = [*member2.roles, deployed.get(Role, "process_owner")]
    deployed.commit()
    before = _state(deployed, "member2")
    with pytest.raises(FormInvalid) as caught:
        rosters.import_workbook(deployed, workbook(_row("member2", "改名")), users.office1)
    assert "只有系统管理员可以修改" in caught.value.errors["委员 第2行"]
    deployed.rollback()
    assert _state(deployed, "member2") == before
    rosters.import_workbook(deployed, workbook(_row("member2", "改名")), users.admin)
    deployed.commit()
    assert _state(deployed, "member2")[0] == "改名"


def test_every_change_the_import_makes_is_in_the_accounts_history(deployed, users, both_backends):
    member1 = users.member1
    old_name = member1.name
    rosters.import_workbook(deployed, workbook(_row("new_member", "新委员"), _row("member1", "改了名", "否")),
                            users.office1)
    deployed.commit()
    new = deployed.scalars(select(User).where(User.username == "new_member")).one()
    [created] = accounts.history(deployed, new)
    assert created.kind == "account_create" and created.actor_id == users.office1.id
    assert created.data["changes"]["name"] == [None, "新委员"] and created.data["changes"]["roles"] == [[], ["member"]]
    assert created.data["source"] == "roster"
    kinds = {event.kind: event for event in accounts.history(deployed, member1)}
    assert kinds["account_update"].data["changes"] == {"name": [old_name, "改了名"]}
    assert kinds["account_disable"].data["changes"] == {"active": [True, False]}
    assert all(event.actor_id == users.office1.id for event in kinds.values())
    assert accounts.verify_log(deployed)
    # the same row again changes nothing, so records nothing
    count = len(accounts.history(deployed, member1))
    rosters.import_workbook(deployed, workbook(_row("member1", "改了名", "否")), users.office1)
    deployed.commit()
    assert len(accounts.history(deployed, member1)) == count


def test_an_import_that_changes_what_a_person_may_do_ends_their_sessions(deployed, users, both_backends):
    """Deactivated by the roster, or given the 委员 role: their open sessions end, as after 账号管理's changes; a
    rename alone leaves them logged in."""
    member1, member2 = users.member1, users.member2
    stamps = {u.username: u.session_stamp for u in (member1, member2)}
    rosters.import_workbook(deployed, workbook(_row("member1", "改了名"), _row("member2", member2.name, "否")),
                            users.office1)
    deployed.commit()
    deployed.refresh(member1)
    deployed.refresh(member2)
    assert member1.session_stamp == stamps["member1"]  # renamed only
    assert member2.session_stamp != stamps["member2"] and not member2.active
