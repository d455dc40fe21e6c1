"""Time the plan PDFs through the real path: render (WeasyPrint) + seal (pyHanko) + store.

Builds a case on a fresh SQLite file, walks it through the real intake and PIP process with the
demo's plan (three goals), then renders each document kind N times per language.

    python bench/pdf_render.py --runs 5 [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

from common import PASSWORD, bench_app

from portal.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path, help="write the last PDF of each kind and language here")
    args = parser.parse_args()
    app = bench_app()
    with app.app_context(), app.test_request_context():
        from portal.demo import OVERRIDES, sample_submission, staff_with_cases
        from portal.plans.documents import queue_document, render_document
        from portal.plans.models import PlanDocument
        from portal.plans.services import current_version
        from portal.tasks.models import HumanTask
        from portal.tasks.workflow import complete_task, form_spec_for

        _municipality, ria, (case,) = staff_with_cases(1, PASSWORD)
        steps = ["kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk",
                 "intake_persoonlijke_omstandigheden", "intake_leefgebieden", "participatieladder_intake",
                 "intake_samenvatting", "pip_opstellen", "pip_vaststellen"]
        for step in steps:
            task = db.session.query(HumanTask).filter_by(case_id=case.id, bpmn_id=step, status="open").one()
            complete_task(task.id, sample_submission(form_spec_for(task), date(2026, 1, 12), OVERRIDES.get(step)), ria)
        version = current_version(case)
        results = {}
        for kind, locale in [(PlanDocument.DECISION, "nl"), (PlanDocument.PLAN, "nl"), (PlanDocument.PLAN, "ar"),
                             (PlanDocument.PLAN, "ti")]:
            times = []
            for _ in range(args.runs):
                document = queue_document(version, kind, locale=locale)
                started = time.perf_counter()
                pdf = render_document(document.id)  # what the worker does: render and seal
                times.append((time.perf_counter() - started) * 1000)
            results[f"{kind}_{locale}_ms_median"] = round(statistics.median(times), 1)
            results[f"{kind}_{locale}_kb"] = round(len(pdf) / 1024, 1)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{kind}-{locale}.pdf").write_bytes(pdf)
        db.session.rollback()
    print(json.dumps(results) if args.json else "\n".join(f"{k}: {v}" for k, v in results.items()))


if __name__ == "__main__":
    main()
