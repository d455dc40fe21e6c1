"""COA import in the browser: upload, a preview by line number in Dutch (nothing opened), confirm once, the result;
the preview survives a reload; other municipalities' rows and uploads are refused."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.cases.models import Case
from portal.coaupload.models import CoaUpload
from portal.extensions import db
from tests.conftest import csrf_token

HEADER = ("v_nummer;voornaam;achternaam;geboortedatum;land_van_herkomst;taal;huishoudgrootte;koppelingsdatum;"
          "gemeentecode\n")
GOOD = "7777777777;Ali;Ahmadi;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n"
BAD = "123;Bad;Row;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n"
OTHER = "8888888888;Eva;Zeist;2000-01-01;Eritrea;tigrinya;1;2026-01-05;0355\n"


def _upload(client, content: bytes, name: str = "coa.csv"):
    return client.post("/cases/coa-import/", data={"csrf_token": csrf_token(client, "/cases/coa-import/"),
                                                   "bestand": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def test_preview_then_confirm_opens_good_rows_once(create_user, login, client, municipality):
    municipality("0355", "Zeist")
    ria = create_user("ria")
    login(ria)
    answer = _upload(client, (HEADER + GOOD + BAD + OTHER).encode())
    assert answer.status_code == 302
    review = answer.location
    html = client.get(review).get_data(as_text=True)
    assert "1 regel(s) klaar om te importeren, 0 overgeslagen, 2 met een fout." in html
    assert "regel 3, v_nummer: Een V-nummer bestaat uit 10 cijfers." in html
    assert "regel 4, gemeentecode: je kunt alleen dossiers van je eigen gemeente (0344) importeren." in html
    assert "7777777777" in html and _cases() == 0  # a preview opens nothing
    assert client.get(review).status_code == 200  # a reload shows the same preview
    token = csrf_token(client, review)
    done = client.post(review, data={"csrf_token": token})
    assert done.status_code == 302 and done.location.endswith("/resultaat")
    assert _cases() == 1
    case = db.session.scalar(select(Case))
    assert case.v_number == "7777777777" and case.municipality.code == "0344"
    result = client.get(done.location).get_data(as_text=True)
    assert case.reference in result and "1 dossier(s) geopend, 0 overgeslagen, 2 regel(s) met een fout." in result
    again = client.post(review, data={"csrf_token": token})  # a second post (back button, double click)
    assert again.status_code == 302 and _cases() == 1
    upload = db.session.scalar(select(CoaUpload))
    assert upload.content == b"" and upload.imported_at is not None  # the file's bytes are not kept
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "coaupload.confirm",
                                                       AuditEvent.case_id.is_(None)))
    assert audit.user_id == ria.id and audit.detail == {"imported": 1, "skipped": 0, "errors": 2}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "coaupload.confirm",
                                                      AuditEvent.case_id == case.id)) is not None


def test_known_v_number_is_skipped_in_the_preview(create_user, create_case, login, client):
    ria = create_user("ria")
    existing = create_case(ria)
    login(ria)
    answer = _upload(client, (HEADER + GOOD.replace("7777777777", existing.v_number)).encode())
    html = client.get(answer.location).get_data(as_text=True)
    assert "regel 2: dit V-nummer heeft al een dossier." in html and "Er is geen regel om te importeren." in html


def test_a_file_refused_as_a_whole_and_bad_input(create_user, login, client, app, monkeypatch):
    login(create_user("tom", role="teamleider"))
    answer = _upload(client, b"naam;adres\nx;y\n")
    html = client.get(answer.location).get_data(as_text=True)
    assert "Er is geen regel om te importeren." in html and "kolom" in html.lower()
    empty = client.post("/cases/coa-import/", data={"csrf_token": csrf_token(client, "/cases/coa-import/")},
                        content_type="multipart/form-data")
    assert empty.status_code == 422 and "Kies een CSV-bestand." in empty.get_data(as_text=True)
    monkeypatch.setitem(app.config, "COA_IMPORT_MAX_BYTES", 100)
    big = _upload(client, (HEADER + GOOD * 5).encode())
    assert big.status_code == 422 and "groter dan 0 kB" in big.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CoaUpload)) == 1


def test_another_municipality_cannot_see_an_upload(create_user, login, client, app):
    ria = create_user("ria")
    login(ria)
    review = _upload(client, (HEADER + GOOD).encode()).location
    sanne_client = login(create_user("sanne", code="0355"), new_client=True)
    assert sanne_client.get(review).status_code == 404
    assert sanne_client.get(review + "/resultaat").status_code == 404
    beheerder = login(create_user("bea", role="beheerder"), new_client=True)
    assert beheerder.get(review).status_code == 403
    assert re.search(r"/cases/coa-import/[\w-]+$", review)
