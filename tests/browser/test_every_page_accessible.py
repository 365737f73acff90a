"""Every page passes axe-core's WCAG 2.1 AA rules: each GET route of the app that answers with HTML, with real ids, as
the first of several kinds of user who may open it — so a page added tomorrow is checked without a test of its own."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from engine.models import OpenTask, User
from engine.people.records import Member
from engine.runtime import verbs as runtime
from sqlalchemy import select
from tests.web.conftest import build_demo_db
from web import create_app
from web.db import EXTENSION, dispose

from .axe import violations
from .person import Person

pytestmark = pytest.mark.browser

USERS = ("admin", "office1", "member1", "czj_clerk", "tiwei")
SKIP = {"static", "auth.logout"}  # files, and the page that ends the session


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "walk.db"
    build_demo_db(path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "walk",
                      "XIESHANG_FILES_DIR": str(tmp_path / "files")})
    with app.extensions[EXTENSION]["sessionmaker"]() as session:
        member = session.scalar(select(User).where(User.username == "member1"))
        instance = runtime.start_instance(session, member, "proposal", {
            "title": "关于完善农村饮水工程的建议", "category": "社会", "content": "部分村屯水压不足。",
            "suggestion": "分期改造管网。"})
        session.commit()
        values = {"instance_id": instance.id, "key": "proposal", "number": 1, "kind": "sector", "year": 2027,
                  "task_id": session.scalar(select(OpenTask.id).where(OpenTask.instance_id == instance.id)),
                  "user_id": member.id, "member_id": session.scalar(select(Member.id).limit(1)) or 1}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="walk-server", daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}", values
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        dispose(app)


def test_every_html_page_passes_axe(new_context, served, artifacts):
    app, base, values = served
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint not in SKIP and set(rule.arguments) <= set(values)]
    checked, problems = set(), []
    for username in USERS:
        page = Person(new_context, base, artifacts, username).page
        for rule in rules:
            if rule.endpoint in checked:
                continue
            url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
            response = page.request.get(base + url)
            if response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
                continue
            page.goto(url)
            checked.add(rule.endpoint)
            problems += [f"{username} {url}: {line}" for line in violations(page)]
    assert {"inbox.index", "instances.detail", "inbox.task", "board.index", "proposals.register",
            "accounts.index", "holidays.index", "public.index", "modeler.index"} <= checked
    assert problems == [], "\n".join(problems)
