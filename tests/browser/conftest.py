"""Playwright against the system Chromium and a live server (the app in a background thread, SQLite demo DB)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.web.conftest import build_demo_db
from web import create_app
from web.db import dispose
from web.security import CSP_REPORTS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true: browser tests must run")
        pytest.skip(f"{CHROMIUM} is missing")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's fallback fixture, an instance method that pytest 9 warns about (an error
    under filterwarnings=error). Each context gets the live server's URL instead."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {**browser_type_launch_args, "executable_path": chromium_path,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync"]}


@pytest.fixture
def live_server(tmp_path):
    path = tmp_path / "live.db"
    build_demo_db(path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-test"})  # CSRF on, as in production
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        dispose(app)
    # Every page, bpmn-js and ECharts included, works under the Content-Security-Policy: nothing was refused.
    assert not app.extensions[CSP_REPORTS], "\n".join(app.extensions[CSP_REPORTS])


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
