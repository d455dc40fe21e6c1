"""Time deciding a plan over HTTP (the regisseur's POST of pip_vaststellen) and the worker's PDFs after it.

Deciding records the beschikking and queues its PDFs; the worker renders and seals them outside
the request (issue 8: "deciding a plan returns in under 200 ms, the PDFs follow from the worker").
Runs the real WSGI app (Flask test client: login, CSRF, templates, engine, SQL) on a fresh SQLite
file, or on PORTAL_DATABASE_URL (a scratch database: it is filled, not emptied). Plans have
``--goals`` goals each (a large plan by default). Prints medians in ms.

    python bench/decide_plan.py --plans 15 --goals 20 [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from common import PASSWORD, bench_app, logged_in, token_on

from portal.demo import OVERRIDES, form_fields, sample_submission, staff_with_cases
from portal.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=15)
    parser.add_argument("--goals", type=int, default=20)  # the most a PIP holds (maxItems)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    app = bench_app()
    with app.app_context():
        from portal.tasks.models import HumanTask
        from portal.tasks.workflow import complete_task, form_spec_for

        _municipality, ria, cases = staff_with_cases(args.plans, PASSWORD)
        goals = [{"leefgebied": "opleiding_en_werk", "doel": f"Doel {i}: een stap vooruit in werk en opleiding",
                  "actie": "Gesprekken met het Werkplein en een proefplaats", "wie": "regisseur"}
                 for i in range(args.goals)]
        steps = ["kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk",
                 "intake_persoonlijke_omstandigheden", "intake_leefgebieden", "participatieladder_intake",
                 "intake_samenvatting", "pip_opstellen"]
        decisions = []
        for case in cases:
            def open_task(step: str, case_id: int = case.id) -> HumanTask:
                return db.session.query(HumanTask).filter_by(case_id=case_id, bpmn_id=step, status="open").one()

            for step in steps:
                task = open_task(step)
                overrides = {**OVERRIDES.get(step, {}), **({"doelen": goals} if step == "pip_opstellen" else {})}
                complete_task(task.id, sample_submission(form_spec_for(task), date(2026, 1, 12), overrides), ria)
            task = open_task("pip_vaststellen")
            decisions.append((task.id, form_fields(sample_submission(form_spec_for(task), date(2026, 3, 2)))))
        db.session.commit()

    client = logged_in(app)
    posts = []
    for task_id, data in decisions:
        token = token_on(client, f"/tasks/{task_id}")
        started = time.perf_counter()
        response = client.post(f"/tasks/{task_id}", data={**data, "csrf_token": token})
        posts.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    from portal.worker import produce_due_documents

    with app.app_context():
        started = time.perf_counter()
        produced = produce_due_documents()
        worker_ms = (time.perf_counter() - started) * 1000
    result = {"database": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0], "plans": len(decisions),
              "goals_per_plan": args.goals,
              "decide_post_ms_median": round(statistics.median(posts), 1),
              "decide_post_ms_max": round(max(posts), 1),
              "worker_documents": produced, "worker_ms_per_document": round(worker_ms / max(produced, 1), 1)}
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
