"""The newcomer's privacy pages: who read my file (by role, in their language) and a copy of all their data."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.newcomer.copy_models import DataCopy
from portal.plans.pdf import extract_text
from portal.worker import produce_due_data_copies
from tests.conftest import csrf_token, page_language, visible_text
from tests.factories import sign_plan, walk_to_signing

PASSWORD = "amina-geheim-1"


@pytest.fixture
def two_newcomers(create_user, create_case, ria):
    """Amina (signed plan) and Yusuf (plan to sign), both Ria's, in Utrecht; and teamleider Tom."""
    amina = create_user("amina", role="inburgeraar", password=PASSWORD, locale="nl")
    yusuf = create_user("yusuf", role="inburgeraar", password=PASSWORD, locale="nl")
    amina_case = create_case(ria)
    walk_to_signing(amina_case, ria, amina)
    sign_plan(amina_case, amina)
    yusuf_case = create_case(ria, first="Yusuf", last="Demir")
    walk_to_signing(yusuf_case, ria, yusuf)
    db.session.commit()
    return amina, amina_case, yusuf, yusuf_case, create_user("tom", role="teamleider")


def test_amina_sees_which_role_read_which_part_and_not_the_name(app, login, two_newcomers, ria):
    amina, case, yusuf, yusuf_case, tom = two_newcomers
    staff = login(ria, new_client=True)
    assert staff.get(f"/cases/{case.id}").status_code == 200
    assert login(tom, new_client=True).get(f"/cases/{case.id}").status_code == 200
    assert staff.get(f"/cases/{yusuf_case.id}").status_code == 200  # Yusuf's file: not on Amina's page

    client = login(amina, PASSWORD)
    html = client.get("/mijn/inzage").get_data(as_text=True)
    assert "Je regisseur heeft je dossier bekeken." in html
    assert "Een teamleider van de gemeente heeft je dossier bekeken." in html
    assert "Je regisseur heeft je plan gewijzigd." in html  # drafting the plan
    assert "Ria" not in visible_text(html) and "Tom" not in visible_text(html)  # roles only, by default
    own = db.session.scalars(select(AuditEvent).where(AuditEvent.purpose == "newcomer.who_read_my_file")).all()
    assert len(own) == 1 and own[0].case_id == case.id

    case.municipality.newcomer_audit_names = True  # this municipality's policy: name the staff member
    db.session.commit()
    assert "Je regisseur (Ria) heeft je dossier bekeken." in client.get("/mijn/inzage").get_data(as_text=True)


def test_yusuf_does_not_see_reads_of_amina_s_file(login, two_newcomers, ria):
    amina, case, yusuf, _yusuf_case, tom = two_newcomers
    login(tom, new_client=True).get(f"/cases/{case.id}")
    html = login(yusuf, PASSWORD).get("/mijn/inzage").get_data(as_text=True)
    assert "teamleider" not in html


def test_the_page_is_right_to_left_in_arabic_and_paginated(app, login, two_newcomers, ria):
    amina, case, *_rest = two_newcomers
    amina.locale = "ar"
    db.session.commit()
    staff = login(ria, new_client=True)
    for _ in range(app.config["PAGE_SIZE"] * 4 + 2):
        staff.get(f"/cases/{case.id}")
    client = login(amina, PASSWORD)
    html = client.get("/mijn/inzage").get_data(as_text=True)
    assert page_language(html) == ("ar", "rtl")
    assert html.count('class="access-log__item') == app.config["PAGE_SIZE"] * 4
    older = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert 'class="access-log__item' in client.get(older).get_data(as_text=True)


def test_a_copy_of_all_her_data_holds_her_file_and_nothing_of_yusuf(app, login, two_newcomers, ria):
    amina, case, yusuf, yusuf_case, tom = two_newcomers
    login(ria, new_client=True).get(f"/cases/{case.id}")
    client = login(amina, PASSWORD)
    answer = client.post("/mijn/gegevens/aanvragen", data={"csrf_token": csrf_token(client, "/mijn/gegevens")})
    assert answer.status_code == 302
    page = client.get("/mijn/gegevens").get_data(as_text=True)
    assert "Wordt gemaakt" in page and "data-refresh" in page  # status while the worker makes it
    again = client.post("/mijn/gegevens/aanvragen", data={"csrf_token": csrf_token(client, "/mijn/gegevens")},
                        follow_redirects=True)
    assert "Je kopie wordt al gemaakt" in again.get_data(as_text=True)

    assert produce_due_data_copies() == 1
    copy = db.session.scalar(select(DataCopy).where(DataCopy.case_id == case.id))
    assert copy.status == DataCopy.READY, copy.last_error
    page = client.get("/mijn/gegevens").get_data(as_text=True)
    assert "data-refresh" not in page and f"/mijn/gegevens/{copy.id}/download" in page

    download = client.get(f"/mijn/gegevens/{copy.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(archive.namelist()) == ["mijn-gegevens.json", "mijn-gegevens.pdf"]
    data = json.loads(archive.read("mijn-gegevens.json"))
    assert data["persoonsgegevens"]["v_nummer"] == case.v_number
    versions = data["plan"]["versies"]
    assert versions and versions[-1]["handtekeningen"][0]["naam_getypt"] == case.full_name
    assert any(line["wat"] == "Je regisseur heeft je dossier bekeken." for line in data["inzage_in_mijn_dossier"])
    assert data["stappen"]  # the intake and plan steps with what they recorded
    raw = archive.read("mijn-gegevens.json").decode() + extract_text(archive.read("mijn-gegevens.pdf"))
    for other in (yusuf_case.first_name, yusuf_case.last_name, yusuf_case.v_number, yusuf_case.reference,
                  yusuf.username, ria.display_name, tom.display_name):
        assert other not in raw, other
    assert case.last_name in extract_text(archive.read("mijn-gegevens.pdf"))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "newcomer.download_data_copy",
                                                      AuditEvent.case_id == case.id)) is not None

    other = login(yusuf, PASSWORD, new_client=True)
    assert other.get(f"/mijn/gegevens/{copy.id}/download").status_code == 404


def test_the_copy_is_made_in_her_language(app, login, two_newcomers):
    amina, case, *_rest = two_newcomers
    amina.locale = "ar"
    db.session.commit()
    client = login(amina, PASSWORD)
    client.post("/mijn/gegevens/aanvragen", data={"csrf_token": csrf_token(client, "/mijn/gegevens")})
    produce_due_data_copies()
    copy = db.session.scalar(select(DataCopy).where(DataCopy.case_id == case.id))
    assert copy.locale == "ar" and copy.status == DataCopy.READY
    pdf = zipfile.ZipFile(io.BytesIO(copy.content)).read("mijn-gegevens.pdf")
    assert pdf.startswith(b"%PDF") and case.v_number in extract_text(pdf)


def test_a_failing_copy_is_retried_and_then_marked_failed(app, login, two_newcomers, monkeypatch):
    from portal.newcomer import data_copy

    amina, case, *_rest = two_newcomers
    client = login(amina, PASSWORD)
    client.post("/mijn/gegevens/aanvragen", data={"csrf_token": csrf_token(client, "/mijn/gegevens")})
    monkeypatch.setattr(data_copy, "render_copy", lambda copy_id: (_ for _ in ()).throw(RuntimeError("font")))
    produce_due_data_copies()
    copy = db.session.scalar(select(DataCopy).where(DataCopy.case_id == case.id))
    assert copy.status == DataCopy.PENDING and copy.attempts == 1 and "font" in copy.last_error
    assert client.get(f"/mijn/gegevens/{copy.id}/download").status_code == 404
