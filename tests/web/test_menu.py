"""Permissions and the menu agree, for every demo role: every link a person's menu shows answers 200, and every page
they may open (each GET route without parameters that answers them 200) is linked from the menu or from a page the
menu links to. Permissions come from processes/roles.json alone (engine/people/permissions.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.people import permissions
from engine.people.demo import PEOPLE

from ..factories import person

ROOT = Path(__file__).resolve().parents[2]
HEADER = re.compile(r'<header class="topbar">(.*?)</header>', re.S)
LINK = re.compile(r'href="(/[^"#?]*)')
SKIP = {"/logout", "/login", "/"}  # not pages: leaving, arriving, the redirect to the inbox
PEOPLE_BY_ROLES = sorted({tuple(sorted(roles)): username for username, _n, _u, roles in PEOPLE}.items())
USERS = [username for _roles, username in PEOPLE_BY_ROLES] + ["czj_clerk"]


def _pages(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
                  and rule.rule not in SKIP)


@pytest.mark.parametrize("username", USERS)
def test_the_menu_shows_exactly_what_the_person_may_open(client, auth, app, username):
    auth.as_(username)
    _walk(client, app, username)


@pytest.mark.parametrize("role", [r["key"] for r in json.loads((ROOT / "processes" / "roles.json")
                                                               .read_text(encoding="utf-8"))])
def test_each_role_alone_sees_a_menu_that_works(client, auth, app, db, role):
    """Every role of roles.json held alone (a unit for the unit-bound ones), not only the demo people's mixes."""
    person(db, f"only_{role}", [role], unit_code="czj")
    db.commit()
    auth.as_(f"only_{role}")
    _walk(client, app, f"only_{role}")


def _walk(client, app, username: str) -> None:
    header = HEADER.search(client.get("/inbox").get_data(as_text=True)).group(1)
    menu = set(LINK.findall(header)) - SKIP
    reachable = set(menu)
    for href in sorted(menu):
        response = client.get(href)
        assert response.status_code == 200, f"{username}: menu link {href} answers {response.status_code}"
        reachable |= set(LINK.findall(response.get_data(as_text=True)))
    for path in _pages(app):
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            assert path in reachable, f"{username} may open {path}, but no menu (or menu page) links to it"


def test_every_action_is_given_to_some_role_and_roles_name_only_known_actions():
    roles = json.loads((ROOT / "processes" / "roles.json").read_text(encoding="utf-8"))
    given = {action for role in roles for action in role.get("may", [])}
    assert permissions.unknown(given) == []
    assert set(permissions.ACTIONS) == given


def test_an_unknown_action_is_an_error_not_a_refusal():
    with pytest.raises(KeyError):
        permissions.can(None, "roster.manag")


def test_a_roles_file_with_an_unknown_action_is_refused(tmp_path, db):
    from engine.people import directory as reference
    from engine.errors import DeployError

    (tmp_path / "roles.json").write_text(json.dumps([{"key": "office", "name": "政协办公室", "may": ["roster.edit"]}],
                                                    ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DeployError) as refused:
        reference.load_roles(db, tmp_path)
    assert "roster.edit" in refused.value.message
    db.rollback()


def test_taking_an_action_from_a_role_in_roles_json_closes_the_page(client, auth, db):
    """The page asks the permission, not a role name: drop the office's roster.manage and 委员名册 is refused."""
    from sqlalchemy import select

    from engine.models import Role

    auth.as_("office1")
    assert client.get("/roster").status_code == 200
    office = db.scalars(select(Role).where(Role.key == "office")).one()
    office.actions = [a for a in office.actions if a != "roster.manage"]
    db.commit()
    assert client.get("/roster").status_code == 403
    assert 'href="/roster"' not in client.get("/inbox").get_data(as_text=True)
