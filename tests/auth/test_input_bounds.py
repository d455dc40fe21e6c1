"""Control characters in the anonymous forms (login, verification code) and the new-case form: refused, never
sent to the database (PostgreSQL cannot even store a NUL)."""

from portal.cases.models import Case
from portal.extensions import db
from tests.conftest import csrf_token


def test_a_nul_in_the_login_name_is_refused(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "username": "ria\x00",
                                           "password": "x"})
    assert response.status_code == 422
    assert "stuurtekens" in response.get_data(as_text=True)


def test_a_nul_in_a_verification_code_is_refused(client):
    response = client.get("/verify", query_string={"code": "AB\x00CD"})
    assert response.status_code < 500
    assert "stuurtekens" in response.get_data(as_text=True)


def test_a_nul_in_the_new_case_form_is_refused(create_user, login):
    ria = create_user("ria")
    client = login(ria)
    response = client.post("/cases/new", data={
        "csrf_token": csrf_token(client, "/cases/new"), "v_nummer": "1234567890", "voornaam": "Yo\x00nas",
        "achternaam": "Tesfay", "geboortedatum": "0001-01-01", "land_van_herkomst": "Eritrea", "taal": "tigrinya",
        "huishoudgrootte": "1", "koppelingsdatum": "2026-01-05", "regisseur": str(ria.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Voornaam: Dit bevat tekens die hier niet kunnen staan" in html
    assert "Geboortedatum: Vul een datum in van 01-01-1900 tot en met" in html
    assert db.session.query(Case).count() == 0
