"""Browser tests: the real app over HTTP in a thread, headless Debian Chromium, axe-core checks."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "portal" / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: The app behind each live server's address, for tests that set up data in its database or play the worker
#: (no worker thread runs here).
LIVE_APPS: dict = {}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browse as a Dutch user (the staff default); language tests set their own headers."""
    return {**browser_context_args, "locale": "nl-NL"}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, seal_config):
    """A separate app on its own SQLite file with the demo data, served on a free loopback port."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import load_demo

    db_file = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    app = create_app({**seal_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "e2e",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                      "TWO_FACTOR_ROLES": ()})
    with app.app_context():
        upgrade()
        load_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    url = f"http://127.0.0.1:{server.server_port}"
    LIVE_APPS[url] = app
    yield url
    server.shutdown()
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def live_app(live_server):
    """The app behind the live server (its own database), to set up data a page needs."""
    return LIVE_APPS[live_server]


@pytest.fixture
def axe_check_page():
    """Run axe-core (WCAG 2.2 AA rules) on a page as it is now; fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe.from_file(str(AXE_JS)) if AXE_JS.exists() else Axe()

    def check(page, context: str) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.response["passes"], f"{context}: axe ran no rules"
        violations = results.response["violations"]
        assert violations == [], f"{context}: " + "; ".join(
            f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations)

    return check


@pytest.fixture
def axe_check(page, axe_check_page):
    """axe on the test's default page."""
    return lambda context: axe_check_page(page, context)


@pytest.fixture
def log_in(page, live_server):
    def do(username: str) -> None:
        page.goto(f"{live_server}/login")
        page.get_by_label("Gebruikersnaam").fill(username)
        page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/tasks/")

    return do
