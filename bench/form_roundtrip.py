"""Time the regisseur's form round trip through the whole app: GET the task page, POST the form.

Runs the real WSGI app (Flask test client: routing, login, CSRF, templates, engine, SQL) on a fresh
SQLite file (or PORTAL_DATABASE_URL), with the real intake process. Prints medians in ms.

    python bench/form_roundtrip.py --cases 30 [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade

from portal import create_app
from portal.demo import form_fields, sample_submission
from portal.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        from portal.auth.models import Municipality, User
        from portal.casefile.services import open_case
        from portal.cases.services import KoppelingData
        from portal.processes.services import deploy
        from portal.security import hash_password
        from portal.tasks.models import HumanTask
        from portal.tasks.workflow import form_spec_for

        deploy()
        municipality = Municipality(code="0344", name="Utrecht")
        user = User(username="ria", display_name="Ria", role="regisseur", municipality=municipality,
                    password_hash=hash_password("bench-wachtwoord"))
        db.session.add_all([municipality, user])
        db.session.flush()
        for n in range(args.cases):
            open_case(KoppelingData(v_nummer=f"{3000000000 + n}", voornaam="Test", achternaam=f"Persoon {n}",
                                    geboortedatum=date(1990, 1, 1), land_van_herkomst="Syrië", taal="arabisch",
                                    huishoudgrootte=1, koppelingsdatum=date(2026, 1, 5)),
                      municipality, user.id, None, "bench")
        db.session.commit()
        tasks = [(t.id, form_fields(sample_submission(form_spec_for(t), date(2026, 1, 8))))
                 for t in db.session.query(HumanTask).filter_by(status="open", role="regisseur").all()]

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "ria", "password": "bench-wachtwoord", "csrf_token": token})
    gets, posts = [], []
    for task_id, data in tasks:
        started = time.perf_counter()
        html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
        gets.append((time.perf_counter() - started) * 1000)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        started = time.perf_counter()
        response = client.post(f"/tasks/{task_id}", data={**data, "csrf_token": token})
        posts.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    result = {"cases": len(tasks), "get_task_ms_median": round(statistics.median(gets), 1),
              "post_complete_ms_median": round(statistics.median(posts), 1),
              "round_trip_ms_median": round(statistics.median(g + p for g, p in zip(gets, posts, strict=True)), 1),
              "round_trip_ms_max": round(max(g + p for g, p in zip(gets, posts, strict=True)), 1)}
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
