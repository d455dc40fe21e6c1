"""/healthz answers without a sign-in, checks the database, and gives away nothing else."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import ROOT


def test_healthz_answers_ok_without_sign_in_and_records_nothing(client):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in answer.headers and answer.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["status"] == "error"


def test_the_app_starts_with_in_memory_rate_limit_storage_when_none_is_configured(tmp_path):
    """In a process of its own (the limiter is one object per process; the suite's app has it off)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env["PORTAL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    probe = ("from portal import create_app\nfrom portal.extensions import limiter\napp = create_app()\n"
             "with app.test_request_context('/login'):\n    print(type(limiter.storage).__name__)")
    result = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "MemoryStorage"


def test_the_rate_limit_storage_comes_from_the_environment(monkeypatch, tmp_path):
    from portal.config import load_config

    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/3")
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/3"
