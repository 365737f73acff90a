"""What a request costs in SQL: statements counted with SQLAlchemy's `before_cursor_execute` (BEGIN counted), so a
saving that regresses fails here. Counts are deterministic; nothing here measures time."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import delete, event, insert, select

from engine.models import OpenTask, user_roles
from web.db import EXTENSION

from .helpers import REVIEW, scalar, submit, task_id


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


# The logged-in person ------------------------------------------------------------------------------------------
def test_the_logged_in_person_is_read_with_unit_and_roles_in_one_statement(app, client, auth):
    auth.as_("office1")
    with counting(app) as statements:
        response = client.get("/notifications")
    assert response.status_code == 200
    loads = [s for s in statements if " FROM users" in s and "users.password_hash" in s]
    assert len(loads) == 1, loads
    assert "units" in loads[0] and "roles" in loads[0]
    assert not [s for s in statements if s.startswith("SELECT") and "user_roles" in s and s not in loads]


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
