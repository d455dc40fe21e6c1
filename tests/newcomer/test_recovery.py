"""Account recovery that no single staff member can abuse (issue 9, finding 1).

Before: any regisseur of the municipality made a new code for Amina's account in use, activated it
anonymously, and signed her plan; she was not told.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.newcomer.models import AccountReset, ActivationCode
from portal.notifications.models import Notification
from portal.plans.models import PlanSignature
from portal.plans.services import current_version
from tests.conftest import csrf_token
from tests.factories import produce_documents, walk_to_signing

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture
def amina_in_use(create_case, people):
    """Amina's plan waits for her signature; her account is in use (it has a password)."""
    ria, tom, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    produce_documents()
    db.session.commit()
    return case


def post(client, url, page, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def codes():
    return db.session.scalars(select(ActivationCode)).all()


def test_a_colleague_regisseur_cannot_make_a_code_or_ask_for_one(amina_in_use, create_user, login):
    case = amina_in_use
    colleague = login(create_user("regisseur3"))
    account = f"/cases/{case.id}/account"
    page = colleague.get(account).get_data(as_text=True)
    assert "Alleen de eigen regisseur van deze inburgeraar of een teamleider" in page
    letter = post(colleague, f"/cases/{case.id}/plan/activation", account)
    assert letter.status_code == 422 and not CODE.search(letter.get_data(as_text=True))
    asked = post(colleague, f"/cases/{case.id}/account/herstel", account, reason="Wachtwoord kwijt")
    assert asked.status_code == 422
    assert codes() == [] and db.session.scalars(select(AccountReset)).all() == []


def test_the_own_regisseur_needs_a_teamleiders_approval_before_a_code_exists(amina_in_use, people, login):
    case = amina_in_use
    ria, tom, amina = people
    regisseur = login(ria)
    account = f"/cases/{case.id}/account"
    refused = post(regisseur, f"/cases/{case.id}/plan/activation", account)
    assert refused.status_code == 422 and "teamleider je aanvraag heeft goedgekeurd" in refused.get_data(as_text=True)
    assert codes() == []

    asked = post(regisseur, f"/cases/{case.id}/account/herstel", account, reason="Wachtwoord kwijt, balie 2 dec")
    assert asked.status_code == 302
    reset = db.session.scalar(select(AccountReset))
    assert reset.status == AccountReset.REQUESTED and codes() == []
    # the requester cannot approve (the route is the teamleider's) and still cannot make a code
    assert post(regisseur, f"/cases/{case.id}/account/herstel/{reset.id}", account,
                decision="approve").status_code == 403
    assert post(regisseur, f"/cases/{case.id}/plan/activation", account).status_code == 422

    teamleider = login(tom, new_client=True)
    worklist = teamleider.get("/tasks/").get_data(as_text=True)
    assert "Nieuwe activeringscode goedkeuren" in worklist and case.reference in worklist
    assert post(teamleider, f"/cases/{case.id}/account/herstel/{reset.id}", account,
                decision="approve").status_code == 302
    assert reset.status == AccountReset.APPROVED and reset.decided_by_id == tom.id
    assert "Nieuwe activeringscode goedkeuren" not in teamleider.get("/tasks/").get_data(as_text=True)
    # only the requester gets the code, once
    assert post(teamleider, f"/cases/{case.id}/plan/activation", account).status_code == 422
    letter = post(regisseur, f"/cases/{case.id}/plan/activation", account)
    assert letter.status_code == 200 and CODE.search(letter.get_data(as_text=True))
    assert reset.status == AccountReset.ISSUED and codes()[0].reset_id == reset.id
    assert post(regisseur, f"/cases/{case.id}/plan/activation", account).status_code == 422
    # Amina is told by e-mail, naming both staff members
    mail = db.session.scalar(select(Notification).where(Notification.kind == "newcomer_account_reset"))
    assert mail.email == "amina@example.org" and "Ria" in mail.body and "Tom" in mail.body


def test_a_teamleider_cannot_approve_their_own_request(amina_in_use, people, create_user, login):
    case = amina_in_use
    _ria, tom, _amina = people
    teamleider = login(tom)
    account = f"/cases/{case.id}/account"
    assert post(teamleider, f"/cases/{case.id}/account/herstel", account, reason="Balie").status_code == 302
    reset = db.session.scalar(select(AccountReset))
    own = post(teamleider, f"/cases/{case.id}/account/herstel/{reset.id}", account, decision="approve")
    assert own.status_code == 422 and "eigen aanvraag" in own.get_data(as_text=True)
    assert "Nieuwe activeringscode goedkeuren" not in teamleider.get("/tasks/").get_data(as_text=True)
    other = login(create_user("tina", role="teamleider"), new_client=True)
    assert "Nieuwe activeringscode goedkeuren" in other.get("/tasks/").get_data(as_text=True)
    assert post(other, f"/cases/{case.id}/account/herstel/{reset.id}", account,
                decision="reject", note="Eerst bellen").status_code == 302
    assert reset.status == AccountReset.REJECTED
    assert post(teamleider, f"/cases/{case.id}/plan/activation", account).status_code == 422
    assert codes() == []


def test_the_newcomer_sees_the_reset_and_a_signature_soon_after_is_marked(amina_in_use, people, login, client,
                                                                          clock):
    from portal.newcomer.recovery import decide_reset, issue_code, request_reset

    case = amina_in_use
    ria, tom, amina = people
    request_reset(case, ria, "Wachtwoord kwijt")
    decide_reset(case, db.session.scalar(select(AccountReset.id)), tom, True, None)
    code, _ = issue_code(case, ria)
    db.session.commit()
    new = "nieuw-wachtwoord-1"
    activated = client.post("/activeren", data={"csrf_token": csrf_token(client, "/activeren"), "code": code,
                                                "language": "nl", "password": new, "password_again": new})
    assert activated.status_code == 302
    page = client.get("/mijn/").get_data(as_text=True)
    assert "heeft Ria (gemeente) een nieuwe activeringscode voor je account gemaakt" in page
    assert "Tom (teamleider) heeft dit goedgekeurd" in page
    signing = client.post("/mijn/plan/ondertekenen", data={
        "csrf_token": csrf_token(client, "/mijn/plan/ondertekenen"), "version_id": current_version(case).id,
        "typed_name": case.full_name, "password": "nieuw-wachtwoord-1", "consent": "y"})
    assert signing.status_code == 302, signing.get_data(as_text=True)
    signature = db.session.scalar(select(PlanSignature))
    assert signature.after_account_reset_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "write",
                                                       AuditEvent.purpose == "newcomer.sign"))
    assert event.detail["after_account_reset"]
    staff = login(ria, new_client=True)
    assert "ondertekend binnen 14 dagen na een nieuwe activeringscode" in staff.get(
        f"/cases/{case.id}/plan/").get_data(as_text=True)
    clock.shift(timedelta(days=31))
    assert "nieuwe activeringscode voor je account" not in client.get("/mijn/").get_data(as_text=True)


@pytest.mark.parametrize("typed, message", [
    ("Iemand Anders", "Typ je naam zoals die in je dossier staat"),
    ("<b>x</b>", "Typ je naam zoals die in je dossier staat"),
    ("\u202e{name}", "tekens die we niet kunnen gebruiken"),  # right-to-left override
    ("{name}\u200b", "tekens die we niet kunnen gebruiken"),  # zero-width space
])
def test_the_signature_must_be_the_registered_name_without_hidden_characters(amina_in_use, people, login,
                                                                             typed, message):
    case = amina_in_use
    client = login(people[2], password="amina-geheim-1")
    response = client.post("/mijn/plan/ondertekenen", data={
        "csrf_token": csrf_token(client, "/mijn/plan/ondertekenen"), "version_id": current_version(case).id,
        "typed_name": typed.format(name=case.full_name), "password": "amina-geheim-1", "consent": "y"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(PlanSignature)) is None


def test_a_loosely_typed_registered_name_signs(amina_in_use, people, login):
    case = amina_in_use
    client = login(people[2], password="amina-geheim-1")
    loose = "  " + case.full_name.upper().replace(" ", "   ") + " "
    response = client.post("/mijn/plan/ondertekenen", data={
        "csrf_token": csrf_token(client, "/mijn/plan/ondertekenen"), "version_id": current_version(case).id,
        "typed_name": loose, "password": "amina-geheim-1", "consent": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(PlanSignature)).typed_name == " ".join(loose.split())
