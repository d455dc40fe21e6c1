"""A regional beheerder (and fg): the municipalities granted besides their own are administered like their own,
every other one does not exist (404); regisseurs and teamleiders stay in their own municipality."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.admin.scope import managed_municipalities, narrowed
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.auth.accounts import AccountRefused, grant_municipality, revoke_municipality
from portal.auth.models import User
from portal.extensions import db
from tests.conftest import csrf_token, visible_text

UTRECHT, ZEIST, AMERSFOORT = "0344", "0355", "0307"


@pytest.fixture
def region(create_user, create_case, municipality):
    """Utrecht, Zeist and Amersfoort, each with a regisseur (and a case) and a beheerder; ``reg`` is Utrecht's
    beheerder who administers Zeist too."""
    utrecht, zeist = municipality(UTRECHT, "Utrecht"), municipality(ZEIST, "Zeist")
    amersfoort = municipality(AMERSFOORT, "Amersfoort")
    people = {
        "ria": create_user("ria"), "sanne": create_user("sanne", code=ZEIST),
        "abe": create_user("abe", code=AMERSFOORT),
        "bea": create_user("bea", role="beheerder"), "reg": create_user("reg", role="beheerder"),
        "bob": create_user("bob", role="beheerder", code=ZEIST),
    }
    grant_municipality(people["reg"], zeist)
    cases = {"utrecht": create_case(people["ria"]), "zeist": create_case(people["sanne"], code=ZEIST, first="Samir"),
             "amersfoort": create_case(people["abe"], code=AMERSFOORT, first="Lina")}
    db.session.flush()
    return {**people, **cases, "m_utrecht": utrecht, "m_zeist": zeist, "m_amersfoort": amersfoort}


def test_the_scope_is_own_municipality_first_plus_granted_ones(region):
    assert [m.code for m in managed_municipalities(region["bea"]).municipalities] == [UTRECHT]
    scope = managed_municipalities(region["reg"])
    assert [m.code for m in scope.municipalities] == [UTRECHT, ZEIST] and scope.regional
    assert narrowed(scope, ZEIST).ids == {region["m_zeist"].id}
    assert narrowed(scope, AMERSFOORT) is None and narrowed(scope, "9999") is None  # the same answer: no leak
    assert narrowed(scope, "") is scope


def test_grants_are_for_beheerder_and_fg_only_and_audited_in_the_granted_municipality(region, create_user):
    with pytest.raises(AccountRefused, match="Alleen een beheerder"):
        grant_municipality(region["ria"], region["m_zeist"])
    with pytest.raises(AccountRefused, match="Alleen een beheerder"):
        grant_municipality(create_user("tom", role="teamleider"), region["m_zeist"])
    with pytest.raises(AccountRefused, match="eigen gemeente"):
        grant_municipality(region["reg"], region["m_utrecht"])
    with pytest.raises(AccountRefused, match="beheert 0355 al"):
        grant_municipality(region["reg"], region["m_zeist"])
    fiona = create_user("fiona", role="fg")
    grant_municipality(fiona, region["m_amersfoort"], actor_id=None)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == f"user:{fiona.id}.municipalities")).one()
    assert event.municipality_id == region["m_amersfoort"].id and event.detail["granted"] == AMERSFOORT
    revoke_municipality(fiona, region["m_amersfoort"])
    assert not managed_municipalities(fiona).regional
    with pytest.raises(AccountRefused, match="niet als extra gemeente"):
        revoke_municipality(fiona, region["m_amersfoort"])
    with pytest.raises(AccountRefused, match="ziet alle gemeenten al"):
        grant_municipality(create_user("pfg", role="fg", code=None), region["m_zeist"])


def test_a_portal_wide_fg_sees_every_municipality(region, login, client, create_user):
    _read(region["sanne"], region["zeist"])
    _read(region["abe"], region["amersfoort"])
    pfg = create_user("pfg", role="fg", code=None)  # portal users create pfg --role fg (no --municipality)
    assert managed_municipalities(pfg).everywhere
    login(pfg)
    html = client.get("/beheer/audit").get_data(as_text=True)
    assert region["zeist"].reference in html and region["amersfoort"].reference in html
    only = client.get(f"/beheer/audit?gemeente={AMERSFOORT}").get_data(as_text=True)
    assert region["amersfoort"].reference in only and region["zeist"].reference not in only


def test_a_beheerder_of_one_municipality_gets_404_for_another(region, login, client):
    login(region["bea"])
    assert client.get(f"/beheer/gebruikers/{region['sanne'].id}").status_code == 404
    for url in ("/beheer/gebruikers", "/beheer/nieuwkomers", "/beheer/instellingen", "/beheer/audit",
                "/beheer/audit.csv", "/beheer/audit/ongewoon"):
        assert client.get(f"{url}?gemeente={ZEIST}").status_code == 404, url
        assert client.get(f"{url}?gemeente=9999").status_code == 404, url  # unknown: the same answer
        assert client.get(f"{url}?gemeente={UTRECHT}").status_code == 200, url
    html = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert "Sanne" not in visible_text(html) and 'name="gemeente"' not in html  # one municipality: no filter, no column


def test_a_regional_beheerder_lists_and_filters_accounts_of_both_but_not_a_third(region, login, client):
    login(region["reg"])
    html = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert "Ria" in html and "Sanne" in html and "Abe" not in visible_text(html)
    assert ">Zeist</td>" in html and 'name="gemeente"' in html and f'value="{AMERSFOORT}"' not in html
    zeist = client.get(f"/beheer/gebruikers?gemeente={ZEIST}").get_data(as_text=True)
    assert "Sanne" in zeist and "Ria" not in zeist
    assert client.get(f"/beheer/gebruikers?gemeente={AMERSFOORT}").status_code == 404
    assert client.get(f"/beheer/gebruikers/{region['sanne'].id}").status_code == 200
    assert client.get(f"/beheer/gebruikers/{region['abe'].id}").status_code == 404
    own = client.get(f"/beheer/gebruikers/{region['reg'].id}").get_data(as_text=True)
    assert "Beheert ook" in own and "Zeist (0355)" in own


def test_a_regional_beheerder_blocks_in_a_granted_municipality_into_its_trail(region, login, client):
    login(region["reg"])
    url = f"/beheer/gebruikers/{region['sanne'].id}"
    token = csrf_token(client, url)
    assert client.post(f"{url}/blokkeren", data={"reden": "Uit dienst", "csrf_token": token}).status_code == 302
    assert region["sanne"].deactivated_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "admin.deactivate")).one()
    assert event.municipality_id == region["m_zeist"].id  # Zeist's fg and beheerder see it
    abe = f"/beheer/gebruikers/{region['abe'].id}/blokkeren"
    assert client.post(abe, data={"reden": "x", "csrf_token": token}).status_code == 404
    assert region["abe"].deactivated_at is None


def test_new_staff_user_only_in_a_managed_municipality(region, login, client):
    login(region["reg"])
    url = "/beheer/gebruikers/nieuw"
    page = client.get(url).get_data(as_text=True)
    assert f'value="{ZEIST}"' in page and f'value="{UTRECHT}"' in page and f'value="{AMERSFOORT}"' not in page
    token = csrf_token(client, url)
    data = {"username": "piet", "display_name": "Piet", "role": "regisseur", "csrf_token": token}
    assert client.post(url, data={**data, "gemeente": AMERSFOORT}).status_code == 422
    assert client.post(url, data=data).status_code == 422  # a regional beheerder must choose
    assert db.session.scalar(select(User).where(User.username == "piet")) is None
    assert client.post(url, data={**data, "gemeente": ZEIST}).status_code == 200
    piet = db.session.scalar(select(User).where(User.username == "piet"))
    assert piet.municipality_id == region["m_zeist"].id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "admin.new_account")).one()
    assert event.municipality_id == region["m_zeist"].id


def test_hand_over_stays_within_the_leaving_regisseurs_municipality(region, login, client, create_user):
    rob = create_user("rob")  # Utrecht
    login(region["reg"])
    url = f"/beheer/gebruikers/{region['ria'].id}/dossiers-overdragen"
    page = client.get(url).get_data(as_text=True)
    assert f'value="{rob.id}"' in page and f'value="{region["sanne"].id}"' not in page
    token = csrf_token(client, url)
    refused = client.post(url, data={"regisseur": region["sanne"].id, "reden": "weg", "csrf_token": token})
    assert refused.status_code == 422 and region["utrecht"].regisseur_id == region["ria"].id
    assert client.post(url, data={"regisseur": rob.id, "reden": "weg", "csrf_token": token}).status_code == 302
    assert region["utrecht"].regisseur_id == rob.id


def test_settings_of_each_managed_municipality_and_404_for_a_third(region, login, client):
    login(region["reg"])
    own = client.get("/beheer/instellingen").get_data(as_text=True)
    assert "Instellingen van Utrecht" in own and 'name="gemeente"' in own and "Gemeente tonen" in own
    url = f"/beheer/instellingen?gemeente={ZEIST}"
    page = client.get(url).get_data(as_text=True)
    assert "Instellingen van Zeist" in page and f'action="/beheer/instellingen?gemeente={ZEIST}"' in page
    assert client.get(f"/beheer/instellingen?gemeente={AMERSFOORT}").status_code == 404
    data = {"csrf_token": csrf_token(client, url), "pip_deadline_start": "", "term_intake_start": "3",
            "term_ondertekening": "28", "term_gesprek_te_laat": "14", "term_pip_wijziging": "8",
            "term_zelfbeoordeling_dagen": "7", "languages": ["nl", "ar"], "newcomer_audit_names": "names"}
    done = client.post(url, data=data)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"?gemeente={ZEIST}")
    zeist, utrecht = region["m_zeist"], region["m_utrecht"]
    assert zeist.escalation_terms == {"intake_start": "P3W"} and zeist.newcomer_audit_names is True
    assert utrecht.escalation_terms is None and utrecht.newcomer_audit_names is False
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "admin.settings")).one()
    assert event.municipality_id == zeist.id and event.user_id == region["reg"].id
    assert event.detail["changes"]["newcomer_audit_names"] == {"old": False, "new": True}
    assert client.post(f"/beheer/instellingen?gemeente={AMERSFOORT}", data=data).status_code == 404
    assert region["m_amersfoort"].escalation_terms is None


def _read(user, case, at=None):
    event = record("read", "case", "casefile.show", case_id=case.id, user_id=user.id, keep=False)
    db.session.flush()
    if at is not None:
        event.at = at
        db.session.flush()
    return event


def test_the_audit_trail_covers_the_managed_municipalities_with_a_filter(region, login, client, create_user):
    _read(region["ria"], region["utrecht"])
    _read(region["sanne"], region["zeist"])
    _read(region["abe"], region["amersfoort"])
    refs = {name: region[name].reference for name in ("utrecht", "zeist", "amersfoort")}
    login(region["reg"])
    html = client.get("/beheer/audit").get_data(as_text=True)
    assert refs["utrecht"] in html and refs["zeist"] in html and refs["amersfoort"] not in html
    assert '<td class="utrecht-table__cell">Zeist</td>' in html  # whose trail each event is in
    zeist = client.get(f"/beheer/audit?gemeente={ZEIST}").get_data(as_text=True)
    assert refs["zeist"] in zeist and refs["utrecht"] not in zeist
    assert "Abe (abe)" not in html  # staff of a third municipality are not offered in the filter
    nothing = client.get(f"/beheer/audit?user={region['abe'].id}").get_data(as_text=True)
    assert refs["amersfoort"] not in nothing
    assert "Geen gebeurtenissen" in client.get(f"/beheer/audit?case={refs['amersfoort']}").get_data(as_text=True)
    csv_text = client.get(f"/beheer/audit.csv?gemeente={ZEIST}").get_data(as_text=True)
    assert refs["zeist"] in csv_text and refs["utrecht"] not in csv_text
    assert csv_text.splitlines()[0].endswith(",gemeente") and csv_text.splitlines()[1].endswith(",Zeist")
    looked = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "admin.audit_csv")).one()
    assert looked.detail["gemeente"] == ZEIST
    assert client.get(f"/beheer/audit?gemeente={AMERSFOORT}").status_code == 404
    # Utrecht's own beheerder does not see Zeist's events
    bea = login(region["bea"], new_client=True).get("/beheer/audit").get_data(as_text=True)
    assert refs["utrecht"] in bea and refs["zeist"] not in bea


def test_a_regional_fg_gets_the_unusual_access_report_of_each_municipality(app, region, login, client, create_user):
    fiona = create_user("fiona", role="fg")
    grant_municipality(fiona, region["m_zeist"])
    night = datetime(2026, 3, 3, 22, tzinfo=UTC)  # 23:00 in Amsterdam
    _read(region["sanne"], region["zeist"], at=night)
    _read(region["abe"], region["amersfoort"], at=night)
    login(fiona)
    period = "since=2026-03-01&until=2026-03-07"
    html = client.get(f"/beheer/audit/ongewoon?{period}").get_data(as_text=True)
    assert "Sanne (sanne)" in html and "Abe (abe)" not in html
    utrecht = client.get(f"/beheer/audit/ongewoon?gemeente={UTRECHT}&{period}").get_data(as_text=True)
    assert "Sanne (sanne)" not in utrecht
    assert client.get(f"/beheer/audit/ongewoon?gemeente={AMERSFOORT}").status_code == 404
    assert client.get(f"/beheer/audit/ongewoon?gemeente={ZEIST}").status_code == 200  # the default period


def test_regisseur_and_teamleider_stay_in_their_own_municipality(region, login, client, create_user):
    tom = create_user("tom", role="teamleider")
    login(region["ria"])
    assert client.get(f"/cases/{region['zeist'].id}").status_code == 404
    assert client.get("/beheer/gebruikers").status_code == 403
    teamleider = login(tom, new_client=True)
    assert teamleider.get(f"/cases/{region['zeist'].id}").status_code == 404
    assert teamleider.get(f"/cases/{region['utrecht'].id}").status_code == 200
