"""A portal served over real HTTP on its own database, and browser-like clients that use it at once.

These tests need committed data seen by several connections, so they use a scratch database of
their own (``own_database``): a SQLite file, or a scratch PostgreSQL database when
``PORTAL_TEST_DATABASE_URL`` points at PostgreSQL (as in CI's second pass).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Answer:
    status: int
    body: str
    location: str | None = None


class Browser:
    """One person's browser: its own cookies (session), CSRF tokens read from the page, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def request(self, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                return Answer(response.status, response.read().decode(), response.headers.get("Location"))
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            return Answer(error.code, error.read().decode(errors="replace"), error.headers.get("Location"))

    def token(self, path: str) -> str:
        page = self.request(path)
        match = CSRF.search(page.body)
        assert match, f"no CSRF token on {path} ({page.status})"
        return match.group(1)

    def log_in(self, username: str, password: str) -> None:
        token = self.token("/login")
        answer = self.request("/login", {"username": username, "password": password, "csrf_token": token})
        assert answer.status == 302, answer.body[:500]


@pytest.fixture
def scratch_url(tmp_path):
    """A database of this test's own: a SQLite file, or a scratch PostgreSQL database."""
    if not PG_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        return
    url = sa.engine.make_url(PG_URL)
    name = f"{url.database}_concurrency"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def served(scratch_url, seal_config):
    """(app, base URL): the portal on ``scratch_url``, migrated and deployed, served by a threaded server."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.processes.services import deploy

    app = create_app({**seal_config, "SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "concurrency",
                      "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False, "TWO_FACTOR_ROLES": (),
                      # 50 browsers at once: one connection each, as a real deployment would size its pool
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 60, "max_overflow": 10, "pool_timeout": 60}})
    with app.app_context():
        upgrade()
        deploy()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.socket.listen(128)  # 50 connections at once must not be refused by the listen backlog
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def at_once(count: int, action) -> list:
    """Run ``action(i)`` in ``count`` threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as exc:  # a client-side failure is a result too, not a hung test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results
