"""What a request costs in SQL: statements counted with SQLAlchemy's `before_cursor_execute` (BEGIN counted), so a
saving that regresses fails here. Counts are deterministic; nothing here measures time."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import delete, event, insert, select

from engine.models import OpenTask, user_roles
from web.db import EXTENSION

from .helpers import REVIEW, SUBMIT, scalar, submit, task_id, text


@contextmanager
def counting(app):
    """The SQL statements the app's engine runs inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many):
        statements.append(" ".join(statement.split()))

    engine = app.extensions[EXTENSION]["engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _member_lists(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT users.") and "ORDER BY users.username" in s]


def _role_loads(statements: list[str]) -> list[str]:  # roles loaded apart from their people (selectin)
    return [s for s in statements if "FROM users AS users_1 JOIN user_roles" in s]


# The logged-in person ------------------------------------------------------------------------------------------
def test_the_logged_in_person_is_read_with_unit_and_roles_in_one_statement(app, client, auth):
    auth.as_("office1")
    with counting(app) as statements:
        response = client.get("/notifications")
    assert response.status_code == 200
    loads = [s for s in statements if " FROM users" in s and "users.password_hash" in s]
    assert len(loads) == 1, loads
    assert "units" in loads[0] and "roles" in loads[0]
    assert not _role_loads(statements)


def test_a_deactivated_person_is_refused_on_the_next_request(app, client, auth, db, user):
    auth.as_("tiwei")
    assert client.get("/inbox").status_code == 200
    user("tiwei").active = False
    db.commit()
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.location


def test_a_removed_role_is_refused_on_the_next_request(app, client, auth, db, user):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    assert client.get(f"/tasks/{tid}").status_code == 200
    tiwei = user("tiwei")
    db.execute(delete(user_roles).where(user_roles.c.user_id == tiwei.id, user_roles.c.role_key == "proposal_committee"))
    db.commit()
    assert client.post(f"/tasks/{tid}", data=REVIEW).status_code == 404
    assert scalar(db, select(OpenTask.id).where(OpenTask.id == tid)) == tid  # nothing was done
    db.execute(insert(user_roles).values(user_id=tiwei.id, role_key="proposal_committee"))  # given back: works again
    db.commit()
    assert client.post(f"/tasks/{tid}", data=REVIEW).status_code == 302


# Completing a task ---------------------------------------------------------------------------------------------
# BEGIN, the person, the open task with its instance, then (SQLite) COMMIT of that read and BEGIN IMMEDIATE, and
# the writes: the instance, its audit event, the inbox rows out and in, the notification, the proposal record.
COMPLETION_STATEMENTS = 11


def _reviews(auth, client, db, n: int) -> list[str]:
    ids = [task_id(db, "tiwei", submit(auth, client), "review") for _ in range(n)]
    auth.as_("tiwei")
    return ids


def test_a_task_post_reads_the_task_once_and_its_form_from_the_cached_version(app, client, auth, db):
    warm, measured = _reviews(auth, client, db, 2)
    assert client.post(f"/tasks/{warm}", data=REVIEW).status_code == 302  # versions and specs now cached
    with counting(app) as statements:
        response = client.post(f"/tasks/{measured}", data=REVIEW)
    assert response.status_code == 302
    # a key proposal names its 领办 and 督办 leaders: each is read, alone, to check the choice; nothing else is added
    leaders = [s for s in statements if s.startswith("SELECT users.id") and "users.username = " in s]
    assert len(leaders) == 2 and all("LIMIT" in s for s in leaders), leaders
    assert len(statements) - len(leaders) <= COMPLETION_STATEMENTS, "\n".join(statements)
    assert not [s for s in statements if s.startswith("SELECT process_versions")], "the version row is cached"
    reads = [s for s in statements if s.startswith("SELECT open_tasks.")]
    assert len(reads) == 1 and "instances.state" in reads[0] and "JOIN process_versions" in reads[0], reads
    if db.get_bind().dialect.name == "sqlite":  # the write lock is taken after the reads, for the writes only
        lock = statements.index("BEGIN IMMEDIATE")
        assert statements[0] == "BEGIN" and statements[lock - 1] == "COMMIT"
        assert not [s for s in statements[lock:] if s.startswith("SELECT")], statements[lock:]


def test_a_task_page_and_a_refused_post_still_work_from_the_cached_version(app, client, auth, db):
    warm, measured = _reviews(auth, client, db, 2)
    assert client.post(f"/tasks/{warm}", data=REVIEW).status_code == 302
    page = client.get(f"/tasks/{measured}")
    assert page.status_code == 200 and "立案" in text(page)
    response = client.post(f"/tasks/{measured}", data={"decision": "不知道"})
    assert response.status_code == 422  # the cached schema still validates
    auth.as_("member2")  # not on the committee: the task is not hers, however it is asked for
    assert client.post(f"/tasks/{measured}", data=REVIEW).status_code == 404


# Starting a proposal -------------------------------------------------------------------------------------------
START_STATEMENTS = 11  # BEGIN, the person, the latest version's id, the session it is numbered in, the writes


def test_a_start_post_reads_the_latest_version_once_and_no_member_list(app, client, auth):
    auth.as_("member1")
    assert client.post("/proposals/new", data=SUBMIT).status_code == 302  # versions and specs now cached
    with counting(app) as statements:
        response = client.post("/proposals/new", data=SUBMIT)
    assert response.status_code == 302
    assert len(statements) <= START_STATEMENTS, "\n".join(statements)
    versions = [s for s in statements if "process_versions" in s]
    assert len(versions) == 1 and "bpmn_xml" not in versions[0], versions  # start page, form and start share it
    assert not _member_lists(statements), "nobody picked: the member list is not read"
    assert len([s for s in statements if "FROM plenary_sessions" in s]) == 1, "numbering and record share the read"
    assert not [s for s in statements if "body_contacts" in s], "the bodies of a contact person: only to draw the form"
    assert not _role_loads(statements)


def test_picked_co_signers_are_checked_against_the_member_list_in_one_statement(app, client, auth, db):
    auth.as_("member1")
    assert client.post("/proposals/new", data=SUBMIT).status_code == 302
    with counting(app) as statements:
        response = client.post("/proposals/new", data={**SUBMIT, "cosigners": ["member2"]})
    assert response.status_code == 302
    assert len(_member_lists(statements)) == 1 and not _role_loads(statements), statements
    refused = client.post("/proposals/new", data={**SUBMIT, "cosigners": ["nobody"]})
    assert refused.status_code == 422 and "请选择列出的选项" in text(refused)


# Translations in templates -------------------------------------------------------------------------------------
def test_templates_look_the_catalog_up_once_per_render_not_once_per_string(app, client, auth, monkeypatch):
    import flask_babel

    auth.as_("office1")
    lookups = []
    original = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: lookups.append(1) or original(self))
    for lang in ("zh_CN", "en"):
        lookups.clear()
        page = client.get(f"/inbox?lang={lang}")
        assert page.status_code == 200
        assert len(lookups) <= 5, f"{len(lookups)} catalog lookups for one page ({lang})"
    assert "All my work" in text(page) and "My tasks" in text(page)


def test_bound_template_gettext_formats_and_escapes_as_jinja_newstyle_does(app):
    from flask import render_template_string

    source = ("{{ _('已提交') }}|{{ _('已交办 %(n)s 件提案。', n=3) }}|{{ _('<b>%(x)s</b>', x='<i>') }}|{{ _('100%%') }}|"
              "{{ ngettext('%(num)s 件', '%(num)s 件', 2) }}|{{ gettext('已提交') }}")
    with app.test_request_context("/?lang=en"):
        bound = render_template_string(source)
        unbound = app.jinja_env.from_string(source).render()  # Flask-Babel's own callables
    assert bound == unbound
    assert bound.startswith("Submitted|") and "&lt;b&gt;" not in bound and "<b>&lt;i&gt;</b>" in bound
    assert "|100%|2 件|Submitted" in bound
