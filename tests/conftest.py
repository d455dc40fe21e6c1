"""Shared fixtures: one app per session, one rolled-back transaction per test, callable factories.

The suite runs on SQLite by default and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set (CI
does both).
"""

from __future__ import annotations

import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade

from portal import create_app
from portal.db import local_today
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent

# Production-strength argon2 costs ~50 ms a hash; the suite hashes hundreds of passwords.
from portal.security import use_cheap_password_hashing  # noqa: E402

use_cheap_password_hashing()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("PORTAL_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def seal_config(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("seal")
    return {"SEAL_KEY": str(folder / "dev-key.pem"), "SEAL_CERT": str(folder / "dev-cert.pem")}


@pytest.fixture(scope="session")
def app(database_url, seal_config):
    app = create_app({
        **seal_config,
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "PAGE_SIZE": 5,
        # rolled-back tests reuse ids: no filter choices kept from one test to the next (tested on its own)
        "LIST_CHOICES_SECONDS": 0,
        # Two-factor sign-in is off for the suite; tests/auth/test_two_factor.py turns it on.
        "TWO_FACTOR_ROLES": (),
    })
    with app.app_context():
        if database_url.startswith("postgresql"):
            with db.engine.begin() as conn:  # a scratch database: start from nothing
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()  # the real migrations, not create_all: they are tested on every run
        from portal.processes.services import deploy

        deploy()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections (psycopg warns about connections left open)


class _ConnectionBoundSession(sa.orm.Session):
    """A plain SQLAlchemy session (Flask-SQLAlchemy's ignores ``bind``) on the test's connection."""

    def __init__(self, db=None, **kwargs):
        super().__init__(**kwargs)


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Run each test inside a transaction that is rolled back; services' commits become savepoints.

    Browser tests and tests marked ``own_database`` use a database of their own and are left alone.
    """
    if "e2e" in request.keywords or "own_database" in request.keywords:
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": _ConnectionBoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"})
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


class FreshGlobalsClient(FlaskClient):
    """Each test keeps one app context open (for its rolled-back transaction), so requests would
    share ``flask.g`` (cached CSRF token, logged-in user, locale). Real requests never do: clear it."""

    def open(self, *args, **kwargs):
        for key in list(vars(g)):
            delattr(g, key)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshGlobalsClient
    return app.test_client()


@pytest.fixture
def municipality():
    from portal.auth.models import Municipality

    created = {}

    def make(code: str = "0344", name: str = "Utrecht") -> Municipality:
        if code not in created:
            created[code] = Municipality(code=code, name=name)
            db.session.add(created[code])
            db.session.flush()
        return created[code]

    return make


@pytest.fixture
def create_user(municipality):
    from portal.auth.models import User
    from portal.security import hash_password

    def make(username: str, role: str = "regisseur", code: str | None = "0344", password: str = "geheim-123",
             locale: str | None = "nl") -> User:
        user = User(username=username, display_name=username.title(), role=role, locale=locale,
                    municipality=municipality(code) if code else None, password_hash=hash_password(password))
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def create_case(municipality):
    from portal.casefile.services import open_case
    from portal.cases.services import KoppelingData

    counter = iter(range(1, 10_000))

    def make(regisseur=None, code: str = "0344", first: str = "Amina", last: str = "Haddad",
             koppeling: date | None = None):
        """A case opened today (or on ``koppeling``: an old date fires the intake-not-started escalation)."""
        n = next(counter)
        koppeling = koppeling or local_today()
        data = KoppelingData(v_nummer=f"{2000000000 + n}", voornaam=first, achternaam=last,
                             geboortedatum=date(1994, 3, 12), land_van_herkomst="Syrië", taal="arabisch",
                             huishoudgrootte=3, koppelingsdatum=koppeling)
        return open_case(data, municipality(code), regisseur.id if regisseur else None, None, "test")

    return make


@pytest.fixture
def login(app, client):
    """Log ``user`` in on the test client (or on a fresh one with ``new_client=True``)."""

    def do(user, password: str = "geheim-123", new_client: bool = False):
        if new_client:
            client = app.test_client()
        else:
            client = default_client
        client.get("/login")
        response = client.post("/login", data={"username": user.username, "password": password,
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    default_client = client
    return do


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def page_language(html: str) -> tuple[str, str]:
    """The ``lang`` and ``dir`` of a page's ``<html>`` element.

    Look there, not for ``lang="xx"`` anywhere: the language switcher's options carry every offered
    language's ``lang`` on every page."""
    root = re.search(r"<html\b[^>]*>", html)
    assert root, "no <html> element"
    lang, direction = (re.search(rf'\b{name}="([^"]*)"', root.group(0)) for name in ("lang", "dir"))
    assert lang and direction, root.group(0)
    return lang.group(1), direction.group(1)


class _Text(HTMLParser):
    """Text nodes and the attributes a reader sees or hears; ``data=True`` adds what a user may have typed
    (textareas, the values of visible inputs), which the language checks leave out as user data."""

    def __init__(self, data: bool):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipped = ("script", "style", "template") + (() if data else ("textarea",))
        self._data = data
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._skipped:
            self._skip += 1
        shown = dict(attrs)
        for name, value in attrs:
            if value and (name in ("placeholder", "aria-label", "title", "alt") or (
                    self._data and tag == "input" and name == "value" and shown.get("type") != "hidden")):
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in self._skipped and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.append(text)


def visible_texts(html: str, data: bool = False) -> list[str]:
    parser = _Text(data)
    parser.feed(html)
    return parser.texts


def visible_text(html: str) -> str:
    """All a reader sees or hears of a page, typed data included, as one string. Assert that a name is
    absent on this, not on the raw HTML, where a random CSRF token or nonce may spell it ("…mYxhTomtF…")."""
    return "\n".join(visible_texts(html, data=True))


@pytest.fixture
def clock():
    """A frozen clock at ``tests.factories.START`` that a test moves on (timers fire as it passes)."""
    import time_machine

    from tests.factories import START

    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(create_user):
    """Regisseur ria, teamleider tom and newcomer amina (with an e-mail address)."""
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1")
    amina.email = "amina@example.org"
    return create_user("ria"), create_user("tom", role="teamleider"), amina
