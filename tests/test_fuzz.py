"""Fuzzing everything a user can send: every task form of the shipped processes, the hand-written forms,
the query parameters of the lists and the COA import. Hostile strings (NUL, control characters, RTL
overrides, huge texts), huge arrays, dates and numbers at their extremes, missing, extra and mistyped
fields. Never a 5xx, and a refused request leaves nothing behind (every table's row count, the case's
tasks and drafts and its workflow state are as before).

``PORTAL_FUZZ_EXAMPLES`` is the number of submissions over the module (a small default keeps the suite
fast; ``make fuzz`` runs 10,000); ``PORTAL_FUZZ_SEED`` picks another seeded run. A failure names the
seed, the URL and the data, so it can be replayed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import string
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from portal.audit.models import AuditEvent
from portal.db import local_today
from portal.engine import FormSpec
from portal.extensions import db
from portal.forms import build_task_form, form_to_data, raw_form_input
from portal.forms.bounds import control_characters, draft_problems
from portal.tasks.models import HumanTask, WorkflowInstance
from portal.tasks.workflow import form_spec_for
from tests.conftest import csrf_token
from tests.factories import PLAN, complete, fire_next_timer, open_tasks, sign_plan, walk_intake
from tests.forms.formdata import workflow_forms

BUDGET = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "200"))
SEED = int(os.environ.get("PORTAL_FUZZ_SEED", "9"))
#: How the budget is shared out.
SHARE = {"task_forms": 0.35, "form_classes": 0.25, "hand_forms": 0.2, "queries": 0.15, "coa": 0.05}
COUNTS: dict[str, int] = {}

CONTROL = [chr(c) for c in range(0x20) if c not in (9, 10, 13)] + ["\x7f", "\x85", "\x9b", "\t", "\n", "\r"]
ODD = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200f", "\ufeff", "\ufffd", "\U0001f4a5", "ا", "ኣ", "ї",
       "ğ", "\u0301", "'", '"', "<", ">", "&", "%", "\\", "_", "-", ";", "\u00a0", "\u2028"]
SPECIAL = ["", " ", "False", "false", "FALSE", "0", "off", "on", "y", "true", "1", "no", "maybe", "-1", "1e309", "nan",
           "inf", "-inf", "1.5", "99999999999999999999", "-99999999999999999999", "9" * 5000, "0001-01-01",
           "9999-12-31", "1899-12-31", "1900-01-01", "2026-02-30", "31-12-2026", "2026-13-01", "%00", "null", "[]",
           "{}", "<script>alert(1)</script>", "'; DROP TABLE human_task; --", "../../etc/passwd", "\x00", "a\x00b",
           "\u202egnp.exe", "\x1b[31mrood", "\r\n", "\t", "${7*7}", "{{ config }}", "%(name)s"]
ALPHABET = string.ascii_letters + string.digits + " " * 8 + "".join(ODD) + "".join(CONTROL)


class Fuzz(random.Random):
    """A seeded generator of what a browser, a script or an attacker might send."""

    def text(self) -> str:
        if self.random() < 0.35:
            return self.choice(SPECIAL)
        length = self.choice([1, 3, 10, 40, 81, 201, 501, 2001, 5001, 20_001])
        if self.random() < 0.01:
            length = 300_000
        chunk = "".join(self.choice(ALPHABET) for _ in range(min(length, 97)))
        return (chunk * (length // len(chunk) + 1))[:length]

    def short(self) -> str:
        return self.text()[:300] if self.random() < 0.9 else self.text()

    def day(self, today: date) -> str:
        return self.choice([today.isoformat(), (today - timedelta(days=self.randint(0, 4000))).isoformat(),
                            (today + timedelta(days=self.randint(0, 4000))).isoformat(), self.text()[:40]])

    def field_value(self, spec, today: date) -> str:
        """A value for one schema field: plausible (so some submissions pass) or hostile."""
        if self.random() < 0.55:
            return self.short()
        kind = spec.kind
        if kind in ("text", "textarea"):
            return str(spec.example or "Besproken in het gesprek.")
        if kind == "date":
            return self.day(today)
        if kind in ("integer", "number"):
            return str(self.choice([0, 1, 6, 12, 36, 800, -1, 10**6, 10**7, spec.minimum or 0, spec.maximum or 1]))
        if kind == "boolean":
            return self.choice(["y", "on", "true", "1", "False", "0", "off", "", "maybe"])
        if kind in ("choice", "multichoice"):
            return self.choice([c.value for c in spec.choices])
        return self.short()

    def task_formdata(self, spec: FormSpec, today: date) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for field in spec.fields:
            self._emit(field, field.name, pairs, today, rows_ok=True)
        for _ in range(self.choice([0, 0, 0, 1, 3])):  # fields no form has
            pairs.append((self.choice(["x", "doelen-9999999-doel", "gesprek-", "-", "csrf_token", self.short()[:50]]),
                          self.short()))
        return pairs

    def _emit(self, spec, name: str, pairs: list, today: date, rows_ok: bool) -> None:
        if self.random() < 0.12:
            return  # left out
        if spec.kind == "section":
            for child in spec.children:
                self._emit(child, f"{name}-{child.name}", pairs, today, rows_ok)
        elif spec.kind == "rows":
            most = spec.max_items or 50
            count = self.choice([0, 1, 2, 3, most, most + 1, 60] + ([3000] if self.random() < 0.05 else []))
            for number in range(count):
                for child in spec.children:
                    value = self.field_value(child, today)
                    pairs.append((f"{name}-{number}-{child.name}", value if count <= most else value[:20]))
        elif spec.kind == "multichoice":
            count = self.choice([0, 1, 2, len(spec.choices), len(spec.choices) + 1, 500])
            pairs.extend((name, self.field_value(spec, today)[:100]) for _ in range(count))
        else:
            pairs.append((name, self.field_value(spec, today)))


def _budget(part: str) -> int:
    return max(12, int(BUDGET * SHARE[part]))


def _count(part: str, n: int = 1) -> None:
    COUNTS[part] = COUNTS.get(part, 0) + n


# -- what a refused request must leave as it was ------------------------------------------------------

def snapshot(case_id: int | None = None) -> dict:
    """Every table's row count (of the audit log: the writes; reads and refusals are kept by design); for a
    case also its tasks (status, draft) and its workflow state."""
    counts = {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
              for table in db.metadata.sorted_tables if table.name != AuditEvent.__tablename__}
    counts["audit writes"] = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "write"))
    state = {}
    if case_id is not None:
        state["tasks"] = [(t.id, t.status, json.dumps(t.draft, sort_keys=True)) for t in db.session.scalars(
            sa.select(HumanTask).where(HumanTask.case_id == case_id).order_by(HumanTask.id))]
        instance = db.session.scalar(sa.select(WorkflowInstance).where(WorkflowInstance.case_id == case_id))
        state["workflow"] = hashlib.sha256(json.dumps(instance.state, sort_keys=True, default=str).encode()).hexdigest()
    return {"counts": counts, **state}


def _no_control(value, multiline_ok: bool = True) -> bool:
    if isinstance(value, str):
        return not control_characters(value, multiline=multiline_ok)
    if isinstance(value, dict):
        return all(_no_control(v) and _no_control(k) for k, v in value.items())
    if isinstance(value, list):
        return all(_no_control(v) for v in value)
    return True


def send(client, method: str, url: str, data=None, case_id: int | None = None, **kwargs):
    """One request: never a 5xx; a refused one (4xx) changes nothing."""
    db.session.expire_all()
    before = snapshot(case_id)
    response = client.open(url, method=method, data=data, **kwargs)
    where = f"seed {SEED}: {method} {url} {str(data)[:600]!r}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        db.session.expire_all()
        after = snapshot(case_id)
        changed = {k: (before["counts"][k], v) for k, v in after["counts"].items() if before["counts"][k] != v}
        assert after == before, f"a refused request wrote something {changed}: {where}"
    return response


# -- the task forms of the shipped processes, walked through on a real case --------------------------

@pytest.fixture
def staff(create_user, people):
    ria, tom, amina = people
    return ria, tom, amina


def test_task_forms_refuse_hostile_submissions(app, clock, login, create_case, staff):
    ria, tom, amina = staff
    fuzz = Fuzz(SEED)
    case = create_case(ria)
    db.session.commit()
    staff_of = {"regisseur": ria, "teamleider": tom}
    budget, seen = _budget("task_forms"), set()
    started = time.monotonic()
    # The walk goes through the intake and the plan; a large budget also signs, lets the timers fire and
    # goes on into the progress loop (rendering the plan's PDFs on the way takes seconds).
    steps = 14 if BUDGET >= 2000 else 9
    for _ in range(40):
        if len(seen) >= steps:
            break
        tasks = [t for t in open_tasks(case) if t.role in staff_of and t.bpmn_id not in seen]
        if not tasks:
            if not _advance(case, ria, amina, clock):
                break
            continue
        task = tasks[0]
        seen.add(task.bpmn_id)
        client = login(staff_of[task.role], new_client=True)  # (the clock moves: sessions and tokens expire)
        url = f"/tasks/{task.id}"
        token = csrf_token(client, url)
        spec = form_spec_for(task)
        for _ in range(max(4, budget // steps)):
            pairs = fuzz.task_formdata(spec, local_today())
            pairs.append(("csrf_token", token))
            if fuzz.random() < 0.3:
                pairs.append(("save_draft", "1"))
            response = send(client, "POST", url, MultiDict(pairs), case_id=case.id)
            _count("task_forms")
            db.session.expire_all()
            stored = db.session.get(HumanTask, task.id)
            assert _no_control(stored.draft) and _no_control(stored.submitted_data), f"seed {SEED}: {url}"
            if response.status_code == 302 and not stored.is_open:
                break  # a valid submission completed the step: on to the next
        db.session.expire_all()
        if db.session.get(HumanTask, task.id).is_open:
            complete(case, task.bpmn_id, tom if task.role == "teamleider" else ria, day=local_today())
            db.session.commit()
    assert {"kennismakingsgesprek", "pip_opstellen", "pip_vaststellen"} <= seen
    print(f"task forms: {COUNTS.get('task_forms')} submissions over {len(seen)} steps in "
          f"{time.monotonic() - started:.1f}s")


def _advance(case, ria, amina, clock) -> bool:
    """Past the newcomer's steps and the timers, to the next staff step; False when there is none."""
    steps = {t.bpmn_id for t in open_tasks(case)}
    if "pip_ondertekenen" in steps:
        sign_plan(case, amina)
    elif "zelfbeoordeling" in steps:
        complete(case, "zelfbeoordeling", amina, day=local_today())
    else:
        try:
            fire_next_timer(case, clock)
        except AssertionError:
            return False
    db.session.commit()
    return True


def test_every_form_of_the_process_keeps_its_bounds(app):
    """Form by form, without HTTP: what validates is valid task data, storable and within bounds; a draft
    that passes its bounds check is storable too."""
    fuzz = Fuzz(SEED + 1)
    forms = workflow_forms()
    for number in range(_budget("form_classes")):
        spec = forms[number % len(forms)]
        with app.test_request_context("/", method="POST"), force_locale(fuzz.choice(["nl", "en", "ar"])):
            form = build_task_form(spec)(formdata=MultiDict(fuzz.task_formdata(spec, date.today())),
                                         meta={"csrf": False})
            if form.validate():
                data = form_to_data(form, spec)
                json.dumps(data, allow_nan=False)
                assert _no_control(data), (SEED, spec.task_id)
                spec.violations(data)  # never raises
            if not draft_problems(form):
                raw = raw_form_input(form)
                json.dumps(raw, allow_nan=False)
                assert _no_control(raw), (SEED, spec.task_id)
                assert all(len(value) <= 5000 for values in raw.values() for value in values)
        _count("form_classes")


# -- the hand-written forms --------------------------------------------------------------------------

def _hand_form_data(fuzz: Fuzz, names: list[str]) -> MultiDict:
    pairs = [(name, fuzz.short()) for name in names if fuzz.random() > 0.1]
    if fuzz.random() < 0.1:
        pairs.append((fuzz.short()[:30], fuzz.short()))
    return MultiDict(pairs)


NEW_CASE = ["v_nummer", "voornaam", "achternaam", "geboortedatum", "land_van_herkomst", "taal", "huishoudgrootte",
            "azc_locatie", "coa_contactpersoon", "koppelingsdatum", "vergunningsdatum", "regisseur"]


def test_hand_written_forms_refuse_hostile_submissions(app, clock, client, login, create_case, staff):
    ria, tom, amina = staff
    fuzz = Fuzz(SEED + 2)
    case = create_case(ria)
    case.newcomer_user_id = amina.id  # the signing step open (its PDFs are not rendered: that takes seconds)
    walk_intake(case, ria)
    complete(case, "pip_opstellen", ria, **PLAN)
    complete(case, "pip_vaststellen", ria, besluitdatum=local_today().isoformat())
    db.session.commit()
    regisseur, teamleider = login(ria, new_client=True), login(tom, new_client=True)
    newcomer = login(amina, "amina-geheim-1", new_client=True)
    anonymous = app.test_client()
    tokens = {"ria": csrf_token(regisseur, "/cases/new"), "tom": csrf_token(teamleider, f"/cases/{case.id}"),
              "amina": csrf_token(newcomer, "/mijn/zorgen"), "anon": csrf_token(anonymous, "/login")}
    targets = [
        (regisseur, "ria", "/cases/new", NEW_CASE),
        (teamleider, "tom", f"/cases/{case.id}/reassign", ["regisseur", "reden"]),
        (regisseur, "ria", f"/cases/{case.id}/niet-verschenen", []),
        (anonymous, "anon", "/login", ["username", "password"]),
        (anonymous, "anon", "/activeren", ["code", "language", "password", "password_again"]),
        (newcomer, "amina", "/mijn/zorgen", ["category", "text"]),
        (newcomer, "amina", "/mijn/plan/ondertekenen", ["version_id", "consent", "typed_name", "password"]),
        (newcomer, "amina", "/mijn/plan/vraag", ["version_id", "message"]),
        (newcomer, "amina", "/mijn/voortgang/hoe-gaat-het", ["algemeen", "doelen-doel_1", "hulp_nodig", "vraag"]),
        (newcomer, "amina", "/language", ["language", "next"]),
    ]
    for number in range(_budget("hand_forms")):
        client_, who, url, names = targets[number % len(targets)]
        data = _hand_form_data(fuzz, names)
        if fuzz.random() < 0.95:
            data["csrf_token"] = tokens[who]
        send(client_, "POST", url, data, case_id=case.id)
        _count("hand_forms")
        if url == "/login":
            anonymous = app.test_client()  # the login form is anonymous: a fresh visitor each time
            tokens["anon"] = csrf_token(anonymous, "/login")
            targets[3] = (anonymous, "anon", "/login", ["username", "password"])
            targets[4] = (anonymous, "anon", "/activeren", targets[4][3])


def test_query_parameters_never_break_a_page(app, clock, login, create_case, create_user, staff):
    ria, tom, amina = staff
    fuzz = Fuzz(SEED + 3)
    case = create_case(ria)
    bea, otto = create_user("fuzzbea", role="beheerder"), create_user("fuzzotto", role="ontwerper", code=None)
    db.session.commit()
    regisseur = login(ria, new_client=True)
    teamleider, beheerder = login(tom, new_client=True), login(bea, new_client=True)
    ontwerper = login(otto, new_client=True)
    anonymous = app.test_client()
    pages = [
        (regisseur, "/cases/", ["q", "stage", "mine", "page"]),
        (regisseur, "/tasks/", ["q", "step", "stage", "overdue", "sort", "dir", "page"]),
        (teamleider, "/tasks/", ["scope", "regisseur", "sort", "dir", "step", "page"]),
        (teamleider, "/tasks/team", ["regisseur", "page"]),
        (beheerder, "/beheer/audit", ["gemeente", "user", "action", "case", "subject", "purpose", "from", "to",
                                      "special", "before", "after", "page"]),
        (beheerder, "/beheer/audit.csv", ["gemeente", "user", "from", "to", "case"]),
        (beheerder, "/beheer/audit/ongewoon", ["gemeente", "from", "to", "threshold"]),
        (beheerder, "/beheer/gebruikers", ["q", "page", "role", "gemeente"]),
        (beheerder, "/beheer/instellingen", ["gemeente"]),
        (ontwerper, "/ontwerp/", ["page"]),
        (ontwerper, "/ontwerp/verschil", ["van", "naar"]),
        (regisseur, f"/cases/{case.id}", ["page"]),
        (anonymous, "/verify", ["code"]),
        (anonymous, "/activeren", ["code"]),
        (anonymous, "/login", ["next"]),
    ]
    for number in range(_budget("queries")):
        client_, url, names = pages[number % len(pages)]
        args = [(name, fuzz.choice([fuzz.short(), str(fuzz.choice([-1, 0, 2, 10**20, 2**63]))])[:5000])
                for name in names if fuzz.random() > 0.2]
        send(client_, "GET", url, query_string=args, case_id=case.id)
        record_id = fuzz.choice([0, case.id, 2**31 - 1, 2**31, 2**63, 10**20])
        send(regisseur, "GET", fuzz.choice(["/cases/{}", "/tasks/{}", "/cases/{}/plan/"]).format(record_id))
        _count("queries", 2)


# -- the COA import ----------------------------------------------------------------------------------

COA_HEADER = "v_nummer;voornaam;achternaam;geboortedatum;land_van_herkomst;taal;huishoudgrootte;koppelingsdatum;" \
             "gemeentecode;azc_locatie;coa_contactpersoon;vergunningsdatum;regisseur"


def test_the_coa_import_takes_any_file(app, municipality):
    """Generated files (valid rows among broken ones, binary junk, NUL, wrong encodings): a report, never a
    crash, and what is imported is clean."""
    from portal.casefile.coa_import import import_coa_csv
    from portal.cases.models import Case

    municipality()
    fuzz = Fuzz(SEED + 4)
    for number in range(_budget("coa")):
        lines = [COA_HEADER if fuzz.random() < 0.9 else fuzz.short()]
        for row in range(fuzz.choice([0, 1, 3, 20])):
            cells = [f"{3000000000 + number * 100 + row}", "Amina", "Haddad", "1994-03-12", "Syrië", "arabisch", "3",
                     date.today().isoformat(), "0344", "", "", "", ""]
            for _ in range(fuzz.choice([0, 1, 3])):
                cells[fuzz.randrange(len(cells))] = fuzz.short().replace("\n", " ")[:300]
            lines.append(";".join(cells))
        raw = "\n".join(lines).encode("utf-8", "surrogatepass")
        if fuzz.random() < 0.1:
            raw = bytes(fuzz.randrange(256) for _ in range(fuzz.choice([1, 100, 5000])))
        report = import_coa_csv(raw)
        db.session.flush()
        imported = list(db.session.scalars(sa.select(Case).where(Case.reference.in_(report.imported))))
        assert all(_no_control([c.first_name, c.last_name]) for c in imported), SEED
        _count("coa")


def test_zz_report_the_counts():
    print(f"fuzz seed {SEED}, budget {BUDGET}: {COUNTS}")
