"""What the benchmarks share: a fresh app on its own database, and a logged-in test client."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from portal import create_app

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "bench-wachtwoord"


def bench_app() -> Flask:
    """The portal on a fresh SQLite file (or PORTAL_DATABASE_URL, a scratch database), migrated."""
    workdir = Path(tempfile.mkdtemp())
    url = os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
                      "TWO_FACTOR_ROLES": (), "SECRET_KEY": "bench", "SEAL_KEY": str(workdir / "dev-key.pem"),
                      "SEAL_CERT": str(workdir / "dev-cert.pem")})
    with app.app_context():
        upgrade()
    return app


def logged_in(app: Flask, username: str = "ria") -> FlaskClient:
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def token_on(client: FlaskClient, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)
