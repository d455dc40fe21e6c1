"""The beheerder's accounts: own municipality only, a new staff member with a one-time link, blocking (no sign-in,
every session ends), reset of two-factor, and handing every case of a leaving regisseur to a colleague."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import User, UserSession
from portal.extensions import db
from portal.security import Role
from tests.conftest import csrf_token, visible_text
from tests.factories import open_tasks


def _events(purpose: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == purpose)))


def test_list_is_own_municipality_paginated_and_searchable(create_user, login, app, monkeypatch):
    for n in range(30):
        create_user(f"regisseur{n:02d}")
    create_user("sanne", code="0355")
    client = login(create_user("bea", role="beheerder"))
    html = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert "31 gebruikers" in html and "Pagina 1 van 7" in html and "Sanne" not in visible_text(html)
    assert "Regisseur29" in client.get("/beheer/gebruikers?page=7").get_data(as_text=True)
    found = client.get("/beheer/gebruikers?q=regisseur07").get_data(as_text=True)
    assert "1 gebruiker" in found and "Regisseur07" in found and "Regisseur08" not in found
    assert client.get("/beheer/gebruikers?q=%00").status_code == 400


def test_beheerder_creates_a_staff_user_of_their_own_municipality(create_user, login, client):
    bea = create_user("bea", role="beheerder")
    create_user("sanne", code="0355")
    login(bea)
    token = csrf_token(client, "/beheer/gebruikers/nieuw")
    page = client.get("/beheer/gebruikers/nieuw").get_data(as_text=True)
    assert 'value="ontwerper"' not in page and 'value="teamleider"' in page
    refused = client.post("/beheer/gebruikers/nieuw", data={"username": "sanne", "display_name": "Sanne B",
                                                           "role": "regisseur", "csrf_token": token})
    assert refused.status_code == 422 and "bestaat al" in refused.get_data(as_text=True)
    assert 'value="Sanne B"' in refused.get_data(as_text=True)  # nothing typed is lost
    bad_role = client.post("/beheer/gebruikers/nieuw", data={"username": "piet", "display_name": "Piet",
                                                            "role": "ontwerper", "csrf_token": token})
    assert bad_role.status_code == 422
    made = client.post("/beheer/gebruikers/nieuw", data={"username": "Piet.Jansen", "display_name": "Piet Jansen",
                                                        "role": "teamleider", "csrf_token": token})
    assert made.status_code == 200
    piet = db.session.scalar(select(User).where(User.username == "piet.jansen"))
    assert piet.role == "teamleider" and piet.municipality_id == bea.municipality_id and piet.password_hash is None
    link = re.search(r'value="(http://[^"]+/account/activeren/[^"]+)"', made.get_data(as_text=True)).group(1)
    assert link and _events("admin.new_account")[0].detail["created"] == piet.id


def test_another_municipalitys_account_is_404(create_user, login, client):
    sanne = create_user("sanne", code="0355")
    login(create_user("bea", role="beheerder"))
    assert client.get(f"/beheer/gebruikers/{sanne.id}").status_code == 404
    token = csrf_token(client, "/beheer/gebruikers")
    assert client.post(f"/beheer/gebruikers/{sanne.id}/blokkeren",
                       data={"reden": "weg", "csrf_token": token}).status_code == 404
    assert sanne.deactivated_at is None


def test_blocking_ends_every_session_and_refuses_sign_in(app, create_user, login, client):
    ria = create_user("ria")
    ria_client = login(ria, new_client=True)
    assert ria_client.get("/tasks/").status_code == 200
    bea = create_user("bea", role="beheerder")
    login(bea)
    url = f"/beheer/gebruikers/{ria.id}"
    token = csrf_token(client, url)
    missing = client.post(f"{url}/blokkeren", data={"csrf_token": token})
    assert missing.status_code == 422 and "Geef de reden." in missing.get_data(as_text=True)
    assert client.post(f"{url}/blokkeren", data={"reden": "Uit dienst", "csrf_token": token}).status_code == 302
    assert ria.deactivated_at is not None and not ria.active
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == ria.id, UserSession.revoked_at.is_(None))) == 0
    assert ria_client.get("/tasks/").status_code == 302  # the open session has ended
    again = app.test_client()
    refused = again.post("/login", data={"username": "ria", "password": "geheim-123",
                                         "csrf_token": csrf_token(again, "/login")})
    assert refused.status_code == 422
    event = _events("admin.deactivate")[0]
    assert event.user_id == bea.id and event.detail == {"user": ria.id, "reason": "Uit dienst"}
    assert "Geblokkeerd" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/deblokkeren", data={"csrf_token": token}).status_code == 302
    assert ria.is_active and _events("admin.reactivate")
    assert login(ria, new_client=True).get("/tasks/").status_code == 200


def test_beheerder_cannot_block_themselves(create_user, login, client):
    bea = create_user("bea", role="beheerder")
    login(bea)
    url = f"/beheer/gebruikers/{bea.id}"
    answer = client.post(f"{url}/blokkeren", data={"reden": "test", "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 422 and bea.deactivated_at is None


def test_reset_two_factor(create_user, login, client):
    from portal.auth.models import TwoFactor
    from portal.auth.two_factor import encrypt, new_secret
    from portal.db import utcnow

    tom = create_user("tom", role="teamleider")
    db.session.add(TwoFactor(user_id=tom.id, secret_encrypted=encrypt(new_secret()), confirmed_at=utcnow()))
    db.session.flush()
    bea = create_user("bea", role="beheerder")
    login(bea)
    url = f"/beheer/gebruikers/{tom.id}"
    assert "Inloggen in twee stappen wissen" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/tweestaps-herstellen", data={"csrf_token": csrf_token(client, url)}).status_code == 302
    assert db.session.get(TwoFactor, tom.id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "auth.reset_two_factor"))
    assert (event.user_id, event.detail, event.municipality_id) == (
        bea.id, {"result": "reset", "user": tom.id}, tom.municipality_id)  # who reset whose, in tom's trail


def test_last_sign_in_is_shown(create_user, login, client):
    ria = create_user("ria")
    login(ria, new_client=True)
    login(create_user("bea", role="beheerder"))
    html = client.get(f"/beheer/gebruikers/{ria.id}").get_data(as_text=True)
    assert ria.last_login_at is not None and "Nog nooit" not in html.split("Laatst ingelogd")[1][:80]


def test_hand_over_all_cases_with_preview(create_user, create_case, login, client):
    ria, kees = create_user("ria"), create_user("kees")
    create_user("sanne", code="0355")
    cases = [create_case(ria, first=name) for name in ("Amina", "Omar")]
    other = create_case(kees, first="Yusuf")
    bea = create_user("bea", role="beheerder")
    login(bea)
    url = f"/beheer/gebruikers/{ria.id}/dossiers-overdragen"
    preview = client.get(url).get_data(as_text=True)
    assert all(case.reference in preview for case in cases) and other.reference not in preview
    assert "Kennismakingsgesprek" in preview  # the open task that moves
    assert "Amina" not in preview  # references only: the beheerder reads no case data
    assert "Sanne" not in preview and ">Ria<" not in preview  # only colleagues of Utrecht to choose
    token = csrf_token(client, url)
    missing = client.post(url, data={"reden": "vertrek", "csrf_token": token})
    assert missing.status_code == 422
    done = client.post(url, data={"regisseur": kees.id, "reden": "Ria vertrekt", "csrf_token": token})
    assert done.status_code == 302
    for case in cases:
        assert case.regisseur_id == kees.id
        assert all(task.assignee_id == kees.id for task in open_tasks(case) if task.role == Role.REGISSEUR)
    per_case = _events("admin.hand_over_all")
    assert {e.case_id for e in per_case if e.case_id} == {case.id for case in cases}
    summary = next(e for e in per_case if e.case_id is None)
    assert summary.detail["cases"] == sorted(c.id for c in cases) and summary.detail["tasks"] >= 2
    assert "geen dossiers" in client.get(url).get_data(as_text=True)


def test_hand_over_refuses_another_municipalitys_regisseur(create_user, create_case, login, client):
    ria, sanne = create_user("ria"), create_user("sanne", code="0355")
    case = create_case(ria)
    login(create_user("bea", role="beheerder"))
    url = f"/beheer/gebruikers/{ria.id}/dossiers-overdragen"
    answer = client.post(url, data={"regisseur": sanne.id, "reden": "x", "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 422 and case.regisseur_id == ria.id


def test_newcomer_accounts_can_be_blocked(app, create_user, login, client):
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1")
    create_user("yusuf", role="inburgeraar", code="0355", password="amina-geheim-1")
    amina_client = login(amina, password="amina-geheim-1", new_client=True)
    login(create_user("bea", role="beheerder"))
    listing = client.get("/beheer/nieuwkomers").get_data(as_text=True)
    assert "amina" in listing and "yusuf" not in listing
    url = f"/beheer/nieuwkomers/{amina.id}/blokkeren"
    answer = client.post(url, data={"reden": "Misbruik gemeld", "csrf_token": csrf_token(client, url)})
    assert answer.status_code == 302 and amina.deactivated_at is not None
    assert amina_client.get("/account").status_code == 302  # her open session has ended
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == amina.id, UserSession.revoked_at.is_(None))) == 0
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "amina", "password": "amina-geheim-1",
                                      "csrf_token": csrf_token(fresh, "/login")}).status_code == 422
    token = csrf_token(client, "/beheer/nieuwkomers")
    assert client.post(f"/beheer/nieuwkomers/{amina.id}/deblokkeren", data={"csrf_token": token}).status_code == 302
    assert amina.deactivated_at is None
    staff = create_user("ria")
    assert client.get(f"/beheer/nieuwkomers/{staff.id}/blokkeren").status_code == 404  # not a newcomer



def test_a_lost_activation_link_is_made_again_only_while_there_is_no_password(create_user, login, client):
    from portal.auth.accounts import new_staff_user

    bea = create_user("bea", role="beheerder")
    piet = new_staff_user("piet", "Piet", "regisseur", bea.municipality)
    login(bea)
    url = f"/beheer/gebruikers/{piet.id}"
    token = csrf_token(client, url)
    made = client.post(f"{url}/activeringslink", data={"csrf_token": token})
    link = re.search(r'value="http://[^"]+(/account/activeren/[^"]+)"', made.get_data(as_text=True)).group(1)
    assert _events("admin.new_activation_link")
    fresh = client.application.test_client()
    assert fresh.get(link).status_code == 200
    ria = create_user("ria")
    refused = client.post(f"/beheer/gebruikers/{ria.id}/activeringslink", data={"csrf_token": token})
    assert refused.status_code == 302 and "activeren" not in refused.get_data(as_text=True)
