"""Fifty people at once, over real HTTP, on SQLite and on PostgreSQL (CI runs both).

Exactly one wins, the others get a clear answer (409/422 with what they typed, or the one open
task), nobody gets a 500, and nothing is made twice.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from tests.concurrency.conftest import Answer, Browser, at_once

pytestmark = [pytest.mark.own_database]

PEOPLE = 50
PASSWORD = "geheim-123"


def _staff_and_case(app):
    """Utrecht with regisseur ria and one newly opened case (its first intake task open); ids only."""
    from portal.demo import staff_with_cases
    from portal.extensions import db

    with app.app_context():
        _municipality, ria, (case,) = staff_with_cases(1, PASSWORD)
        db.session.commit()
        return ria.id, case.id


def _browsers(base: str, username: str) -> list[Browser]:
    browsers = [Browser(base) for _ in range(PEOPLE)]
    for browser in browsers:
        browser.log_in(username, PASSWORD)
    return browsers


def _codes(answers: list) -> Counter:
    return Counter(a.status if isinstance(a, Answer) else type(a).__name__ for a in answers)


def test_fifty_completions_of_one_task(served):
    from portal.demo import form_fields, sample_submission
    from portal.extensions import db
    from portal.tasks.models import HumanTask
    from portal.tasks.workflow import form_spec_for

    app, base = served
    _ria, case_id = _staff_and_case(app)
    with app.app_context():
        task = db.session.scalar(sa.select(HumanTask).where(HumanTask.case_id == case_id))
        task_id, fields = task.id, form_fields(sample_submission(form_spec_for(task), date(2026, 1, 8)))
    typed = "Iets belangrijks dat ik typte"
    fields = {**fields, "afspraken": typed}  # a free-text field of kennismakingsgesprek.json
    browsers = _browsers(base, "ria")
    tokens = [b.token(f"/tasks/{task_id}") for b in browsers]

    answers = at_once(PEOPLE, lambda i: browsers[i].request(f"/tasks/{task_id}", {**fields, "csrf_token": tokens[i]}))

    assert _codes(answers) == Counter({302: 1, 409: PEOPLE - 1}), _codes(answers)
    for answer in answers:
        if answer.status == 409:  # the others are told, and see what they typed
            assert "Deze taak is al afgerond" in answer.body and typed in answer.body
    with app.app_context():
        done = db.session.scalars(sa.select(HumanTask).where(HumanTask.case_id == case_id)).all()
        assert [t.status for t in done if t.id == task_id] == [HumanTask.COMPLETED]
        assert len([t for t in done if t.bpmn_id == done[0].bpmn_id]) == 1  # no step completed or opened twice


def test_fifty_no_show_reports_open_one_task(served):
    from portal.extensions import db
    from portal.tasks.models import HumanTask

    app, base = served
    _ria, case_id = _staff_and_case(app)
    browsers = _browsers(base, "ria")
    tokens = [b.token(f"/cases/{case_id}") for b in browsers]

    answers = at_once(PEOPLE, lambda i: browsers[i].request(f"/cases/{case_id}/niet-verschenen",
                                                            {"csrf_token": tokens[i]}))

    assert _codes(answers) == Counter({302: PEOPLE}), _codes(answers)
    with app.app_context():
        opened = db.session.scalars(sa.select(HumanTask).where(
            HumanTask.case_id == case_id, HumanTask.bpmn_id == "niet_verschenen_vastleggen")).all()
    assert len(opened) == 1  # one report, however many clicks
    assert {a.location.rsplit("/", 1)[-1] for a in answers} == {str(opened[0].id)}  # everyone lands on it


def test_fifty_signings_make_one_signature(served):
    from portal.auth.models import User
    from portal.cases.models import Case
    from portal.extensions import db
    from portal.plans.models import PlanSignature
    from portal.security import hash_password
    from tests.factories import walk_to_signing

    app, base = served
    ria_id, case_id = _staff_and_case(app)
    with app.app_context():
        case, ria = db.session.get(Case, case_id), db.session.get(User, ria_id)
        amina = User(username="amina", display_name="Amina Haddad", role="inburgeraar", locale="nl",
                     municipality_id=case.municipality_id, password_hash=hash_password(PASSWORD))
        db.session.add(amina)
        db.session.flush()
        walk_to_signing(case, ria, amina)  # decided; the worker made the plan's PDF
        name = case.full_name  # the signature must be the name on file
        db.session.commit()
    browsers = _browsers(base, "amina")
    pages = [b.request("/mijn/plan/ondertekenen").body for b in browsers]
    forms = [{"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', p).group(1),
              "version_id": re.search(r'name="version_id"[^>]*value="(\d+)"', p).group(1),
              "typed_name": name, "password": PASSWORD, "consent": "y"} for p in pages]

    answers = at_once(PEOPLE, lambda i: browsers[i].request("/mijn/plan/ondertekenen", forms[i]))

    codes = _codes(answers)
    assert codes[302] == 1 and codes[409] + codes[422] == PEOPLE - 1 and 500 not in codes, codes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanSignature)) == 1


def test_fifty_people_with_one_activation_letter_set_one_password(served):
    """One code, fifty browsers at once (a letter photographed and shared): exactly one sets the password."""
    from portal.auth.models import User
    from portal.cases.models import Case
    from portal.extensions import db
    from portal.newcomer.recovery import issue_code

    app, base = served
    ria_id, case_id = _staff_and_case(app)
    with app.app_context():
        code, _activation = issue_code(db.session.get(Case, case_id), db.session.get(User, ria_id))
        db.session.commit()
    browsers = [Browser(base) for _ in range(PEOPLE)]
    forms = [{"csrf_token": b.token("/activeren"), "code": code, "language": "nl",
              "password": f"wachtwoord-{i:04d}", "password_again": f"wachtwoord-{i:04d}"}
             for i, b in enumerate(browsers)]

    answers = at_once(PEOPLE, lambda i: browsers[i].request("/activeren", forms[i]))

    codes = _codes(answers)
    assert codes[302] == 1 and codes[422] == PEOPLE - 1 and 500 not in codes, codes
    with app.app_context():
        from portal.newcomer.models import ActivationCode

        assert db.session.scalar(sa.select(sa.func.count()).select_from(ActivationCode)
                                 .where(ActivationCode.used_at.is_not(None))) == 1


def test_fifty_data_copy_requests_queue_one_copy(served):
    """A newcomer who taps "request a copy" in several tabs at once gets one copy made, not fifty."""
    from portal.auth.models import User
    from portal.cases.models import Case
    from portal.extensions import db
    from portal.newcomer.copy_models import DataCopy
    from portal.security import hash_password

    app, base = served
    _ria_id, case_id = _staff_and_case(app)
    with app.app_context():
        case = db.session.get(Case, case_id)
        amina = User(username="amina", display_name="Amina Haddad", role="inburgeraar", locale="nl",
                     municipality_id=case.municipality_id, password_hash=hash_password(PASSWORD))
        db.session.add(amina)
        db.session.flush()
        case.newcomer_user_id = amina.id
        db.session.commit()
    browsers = _browsers(base, "amina")
    tokens = [b.token("/mijn/gegevens") for b in browsers]

    answers = at_once(PEOPLE, lambda i: browsers[i].request("/mijn/gegevens/aanvragen", {"csrf_token": tokens[i]}))

    assert _codes(answers) == Counter({302: PEOPLE}), _codes(answers)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DataCopy)) == 1
