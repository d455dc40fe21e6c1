"""The names policy of "Wie heeft mijn dossier bekeken" is the newcomer's municipality's: roles only by default,
the name of the regisseur or teamleider where the beheerder chose it (audited)."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.accounts import grant_municipality
from portal.extensions import db
from tests.conftest import csrf_token

PASSWORD = "amina-geheim-1"


def _newcomer_with_a_read_file(create_user, create_case, login, username, regisseur, code, first):
    newcomer = create_user(username, role="inburgeraar", password=PASSWORD, code=code)
    case = create_case(regisseur, code=code, first=first)
    case.newcomer_user_id = newcomer.id
    db.session.commit()
    assert login(regisseur, new_client=True).get(f"/cases/{case.id}").status_code == 200
    return newcomer


def test_each_newcomer_sees_their_own_municipalitys_policy(app, create_user, create_case, login, municipality):
    utrecht, zeist = municipality("0344", "Utrecht"), municipality("0355", "Zeist")
    ria, sanne = create_user("ria"), create_user("sanne", code="0355")
    amina = _newcomer_with_a_read_file(create_user, create_case, login, "amina", ria, "0344", "Amina")
    samir = _newcomer_with_a_read_file(create_user, create_case, login, "samir", sanne, "0355", "Samir")
    assert utrecht.newcomer_audit_names is False  # the default: roles only

    reg = create_user("reg", role="beheerder")  # Utrecht's beheerder who administers Zeist too
    grant_municipality(reg, zeist)
    db.session.commit()
    admin = login(reg, new_client=True)
    url = "/beheer/instellingen?gemeente=0355"
    page = admin.get(url).get_data(as_text=True)
    assert "Wie heeft mijn dossier bekeken" in page and 'value="roles" checked>' in page
    data = {"csrf_token": csrf_token(admin, url), "pip_deadline_start": "", "term_intake_start": "4",
            "term_ondertekening": "28", "term_gesprek_te_laat": "14", "term_pip_wijziging": "8",
            "term_zelfbeoordeling_dagen": "7", "languages": ["nl", "en", "ar", "fa", "ti", "uk", "tr"],
            "newcomer_audit_names": "names"}
    bad = admin.post(url, data={**data, "newcomer_audit_names": "everything"})
    assert bad.status_code == 422 and zeist.newcomer_audit_names is False
    assert admin.post(url, data=data).status_code == 302
    assert zeist.newcomer_audit_names is True and utrecht.newcomer_audit_names is False
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "admin.settings")).one()
    assert event.municipality_id == zeist.id and event.detail["changes"] == {
        "newcomer_audit_names": {"old": False, "new": True}}

    zeist_page = login(samir, PASSWORD, new_client=True).get("/mijn/inzage").get_data(as_text=True)
    assert "Je regisseur (Sanne) heeft je dossier bekeken." in zeist_page
    utrecht_page = login(amina, PASSWORD, new_client=True).get("/mijn/inzage").get_data(as_text=True)
    assert "Je regisseur heeft je dossier bekeken." in utrecht_page and "Ria" not in utrecht_page
