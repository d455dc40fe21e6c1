"""Time the regisseur's form round trip through the whole app: GET the task page, POST the form.

Runs the real WSGI app (Flask test client: routing, login, CSRF, templates, engine, SQL) on a fresh
SQLite file (or PORTAL_DATABASE_URL), with the real intake process. Prints medians in ms.

    python bench/form_roundtrip.py --cases 30 [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from common import PASSWORD, TOKEN, bench_app, logged_in

from portal.demo import form_fields, sample_submission, staff_with_cases
from portal.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    app = bench_app()
    with app.app_context():
        from portal.tasks.models import HumanTask
        from portal.tasks.workflow import form_spec_for

        staff_with_cases(args.cases, PASSWORD)
        db.session.commit()
        tasks = [(t.id, form_fields(sample_submission(form_spec_for(t), date(2026, 1, 8))))
                 for t in db.session.query(HumanTask).filter_by(status="open", role="regisseur").all()]

    client = logged_in(app)
    gets, posts = [], []
    for task_id, data in tasks:
        started = time.perf_counter()
        html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
        gets.append((time.perf_counter() - started) * 1000)
        token = TOKEN.search(html).group(1)
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
