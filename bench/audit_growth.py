"""How fast the audit trail grows: audit rows per case per year, from one case walked through the real
process (intake, PIP drafted/decided/signed, progress meetings every three months) on a moving clock.

Every staff step is done the way a regisseur does it in the browser: the case page is opened, then the
task page, then the step is completed (the service call the task page's POST makes). The newcomer opens
her plan page before signing and her self-assessment before each meeting. On top of that a regisseur
opens the case page ``--extra-views-per-month`` times a month between steps (phone calls, mail, checks):
that number is an assumption, stated in the output. Sign-ins are not counted per case (they belong to
no case).

    PYTHONPATH=. python bench/audit_growth.py [--meetings 12] [--extra-views-per-month 4] [--json]

PORTAL_DATABASE_URL=postgresql+psycopg://… runs it on a scratch PostgreSQL database (also gives the
bytes per row there, indexes included).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, timedelta

import time_machine
from common import PASSWORD, bench_app, logged_in
from sqlalchemy import func, select, text

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.casefile.services import open_case
from portal.db import local_today
from portal.demo import sample_koppeling, sample_submission, staff_with_cases
from portal.extensions import db
from portal.security import Role, hash_password
from portal.tasks.models import HumanTask, WorkflowInstance
from portal.tasks.workflow import advance_case, complete_task, form_spec_for
from portal.worker import produce_due_documents

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
#: What the newcomer opens for her steps (her home page, then the step's own page).
NEWCOMER_PAGES = {"pip_ondertekenen": ("/mijn/", "/mijn/plan/nl", "/mijn/plan/ondertekenen"),
                  "zelfbeoordeling": ("/mijn/", "/mijn/voortgang/hoe-gaat-het")}
INTAKE = ["kennismakingsgesprek", "intake_leerbaarheid", "intake_opleiding_werk", "intake_persoonlijke_omstandigheden",
          "intake_leefgebieden", "participatieladder_intake", "intake_samenvatting"]
MOTIVATION = "De leerbaarheidstoets wijst B1 als haalbaar aan en de onderwijsroute is besproken."
PLAN = {"leerroute": {"route": "b1_route", "looptijd_maanden": 36, "motivering": MOTIVATION},
        "doelen": [{"leefgebied": "taal_en_leerbaarheid", "doel": "B1 halen", "actie": "Taalles", "wie": "taalschool"}],
        "voortgang": {"interval": "P3M"}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=12)
    parser.add_argument("--extra-views-per-month", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    app = bench_app()
    clock = time_machine.travel(START, tick=False)
    traveller = clock.start()
    with app.app_context():
        municipality, ria, _cases = staff_with_cases(0, PASSWORD)
        amina = User(username="amina", display_name="Amina", role=Role.INBURGERAAR.value, municipality=municipality,
                     password_hash=hash_password(PASSWORD), locale="nl")
        tom = User(username="tom", display_name="Tom", role=Role.TEAMLEIDER.value, municipality=municipality,
                   password_hash=hash_password(PASSWORD), locale="nl")
        db.session.add_all([amina, tom])
        db.session.flush()
        case = open_case(sample_koppeling(1, START.date()), municipality, ria.id, None, "bench")
        case.newcomer_user_id = amina.id
        case_id = case.id
        db.session.commit()
    # Days pass between steps: every step starts with a sign-in (the session would have timed out).
    extra_views = 0
    last_extra = START

    def views_until_now() -> None:
        nonlocal extra_views, last_extra
        now = datetime.now(UTC)
        due = int((now - last_extra).days / 30 * args.extra_views_per_month)
        for _ in range(due):
            assert logged_in(app, "ria").get(f"/cases/{case_id}").status_code == 200
        extra_views += due
        if due:
            last_extra = now

    def step(bpmn_id: str, user_name: str, day: date | None = None, **overrides) -> None:
        user_client = logged_in(app, user_name)
        with app.app_context():
            task = db.session.scalar(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.bpmn_id == bpmn_id,
                                                             HumanTask.status == HumanTask.OPEN))
            task_id = task.id
        if user_name != "amina":  # staff open the case page first
            views_until_now()
            assert user_client.get(f"/cases/{case_id}").status_code == 200
        pages = NEWCOMER_PAGES[bpmn_id] if user_name == "amina" else (f"/tasks/{task_id}",)
        for page in pages:
            answer = user_client.get(page)
            assert answer.status_code == 200, (bpmn_id, page, answer.status_code)
        with app.app_context():
            task = db.session.get(HumanTask, task_id)
            user = db.session.scalar(select(User).where(User.username == user_name))
            complete_task(task.id, sample_submission(form_spec_for(task), day or local_today(), overrides), user)
            db.session.commit()
            produce_due_documents()
            db.session.commit()

    def fire_next_timer() -> bool:
        with app.app_context():
            due = db.session.scalar(select(WorkflowInstance.next_timer_due).where(WorkflowInstance.case_id == case_id))
            if due is None:
                return False
            traveller.move_to(due + timedelta(seconds=1))
            from portal.cases.models import Case

            advance_case(db.session.get(Case, case_id), datetime.now(UTC))
            db.session.commit()
            return True

    done_other: list[str] = []

    def sign_changed_plan() -> None:
        """The newcomer reads and signs the plan in force (her signing page, then the signature)."""
        with app.app_context():
            from portal.cases.models import Case
            from portal.plans.services import SignRequest, current_version, sign

            produce_due_documents()
            case = db.session.get(Case, case_id)
            user = db.session.scalar(select(User).where(User.username == "amina"))
            sign(case, user, SignRequest(version_id=current_version(case).id, typed_name=case.full_name,
                                         password=PASSWORD, consent=True, locale="nl"))
            db.session.commit()
        step("pip_ondertekenen", "amina", besluit="akkoord")

    def open_steps() -> set[str]:
        with app.app_context():
            return set(db.session.scalars(select(HumanTask.bpmn_id).where(HumanTask.case_id == case_id,
                                                                           HumanTask.status == HumanTask.OPEN)))

    def other_steps() -> None:
        """Whatever else a meeting opened (a case conference after stagnation, a plan change, an escalation):
        done by its role, the same way (case page, task page, complete)."""
        for _round in range(10):
            with app.app_context():
                others = list(db.session.execute(select(HumanTask.bpmn_id, HumanTask.role).where(
                    HumanTask.case_id == case_id, HumanTask.status == HumanTask.OPEN,
                    HumanTask.bpmn_id.not_in(("zelfbeoordeling", "voortgangsgesprek")))).all())
            if not others:
                return
            for bpmn_id, role in others:
                if bpmn_id == "pip_ondertekenen":
                    sign_changed_plan()
                elif role == "inburgeraar":
                    continue
                else:
                    plan = PLAN if bpmn_id == "pip_opstellen" else {}
                    step(bpmn_id, "tom" if role == "teamleider" else "ria", **plan)
                done_other.append(bpmn_id)

    for bpmn_id in INTAKE:
        traveller.shift(timedelta(days=2))
        step(bpmn_id, "ria")
    traveller.shift(timedelta(days=7))
    step("pip_opstellen", "ria", **PLAN)
    traveller.shift(timedelta(days=7))
    step("pip_vaststellen", "ria", besluitdatum=local_today().isoformat())
    traveller.shift(timedelta(days=3))
    sign_changed_plan()
    held, stopped = 0, ""
    for _meeting in range(args.meetings):
        for _timer in range(10):  # other timers (reminders) may come first
            other_steps()
            if not fire_next_timer() or "zelfbeoordeling" in open_steps():
                break
        if "zelfbeoordeling" not in open_steps():
            stopped = f"no self-assessment opened; open steps: {sorted(open_steps())}"
            break
        held += 1
        step("zelfbeoordeling", "amina")
        # the ladder rises every other meeting (two meetings in a row without a rise call a case conference)
        # and she attends 95 % of her lessons: no stagnation, no case conference
        attendance = {"peildatum": local_today().isoformat(), "uren_aangeboden": 100, "uren_gevolgd": 95,
                      "verzuim_geoorloofd": 5, "verzuim_ongeoorloofd": 0}
        step("voortgangsgesprek", "ria", participatie={"trede": str(min(6, 2 + (held + 1) // 2))},
             aanwezigheid=attendance)
        other_steps()
    views_until_now()

    with app.app_context():
        end = datetime.now(UTC)
        rows = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id))
        by_action = dict(db.session.execute(select(AuditEvent.action, func.count()).where(
            AuditEvent.case_id == case_id).group_by(AuditEvent.action)).all())
        no_case = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id.is_(None)))
        total = rows + no_case
        dialect = db.session.connection().dialect.name
        if dialect == "postgresql":
            size = db.session.scalar(text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relname LIKE 'audit_event%' "
                "AND c.relkind = 'r'"))
            bytes_note = "PostgreSQL table + indexes of the partitions (small tables round up to pages)"
        else:
            size = db.session.scalar(text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%audit_event%'"))
            bytes_note = "SQLite pages of the table and its indexes (dbstat)"
    clock.stop()
    size = int(size or 0)
    years = (end - START).days / 365.25
    result = {
        "database": dialect,
        "meetings": held,
        "other_steps_done": done_other,
        "stopped": stopped or None,
        "span_years": round(years, 2),
        "extra_case_page_views_per_month (assumption)": args.extra_views_per_month,
        "extra_case_page_views": extra_views,
        "rows_of_the_case": rows,
        "rows_by_action": by_action,
        "rows_of_no_case (sign-ins)": no_case,
        "rows_per_case_per_year": round(rows / years, 1),
        "bytes_per_row": round(size / total) if size and total else None,
        "bytes_note": bytes_note,
        "region_100k_cases_rows_per_year": round(rows / years * 100_000),
        "region_100k_cases_gb_per_year": round(rows / years * 100_000 * (size / total) / 1e9, 1) if size else None,
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
