"""The beheerder sees documents the worker could not make (no case data) and can start them again."""

from __future__ import annotations

import sqlalchemy as sa

from portal import worker
from portal.extensions import db
from portal.plans.models import PlanDocument
from tests.conftest import csrf_token
from tests.factories import walk_to_signing


def _failed_documents(create_user, create_case, monkeypatch):
    ria = create_user("ria")
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1")
    case = create_case(ria)

    def broken(_document_id):
        raise OSError("lettertype ontbreekt")

    monkeypatch.setattr(worker, "render_document", broken)
    walk_to_signing(case, ria, amina)
    documents = db.session.scalars(sa.select(PlanDocument)).all()
    for document in documents:
        document.attempts, document.status = PlanDocument.MAX_ATTEMPTS, PlanDocument.FAILED
    db.session.flush()
    return case, documents


def test_beheerder_sees_failed_documents_and_retries_one(create_user, create_case, login, monkeypatch):
    case, documents = _failed_documents(create_user, create_case, monkeypatch)
    client = login(create_user("bea", role="beheerder"))
    html = client.get("/beheer/documenten").get_data(as_text=True)
    assert "2 documenten wachten" in html and "OSError: lettertype ontbreekt" in html and "Mislukt" in html
    assert case.full_name not in html and case.reference not in html  # no case data for the beheerder
    url = f"/beheer/documenten/{documents[0].id}/opnieuw"
    response = client.post(url, data={"csrf_token": csrf_token(client, "/beheer/documenten")})
    assert response.status_code == 302
    assert (documents[0].status, documents[0].attempts) == (PlanDocument.PENDING, 0)
    again = client.post(url, data={"csrf_token": csrf_token(client, "/beheer/documenten")}, follow_redirects=True)
    assert "Dit document is niet mislukt" in again.get_data(as_text=True)  # a second click changes nothing
    assert (documents[0].status, documents[0].attempts) == (PlanDocument.PENDING, 0)
    monkeypatch.undo()  # the font is back: the worker makes it
    assert worker.produce_due_documents() == 1 and documents[0].status == PlanDocument.READY


def test_other_roles_and_municipalities_do_not_see_them(create_user, create_case, login, monkeypatch):
    _case, documents = _failed_documents(create_user, create_case, monkeypatch)
    assert login(create_user("ria2")).get("/beheer/documenten").status_code == 403
    zeist = login(create_user("bob", role="beheerder", code="0355"), new_client=True)
    assert "Alle documenten zijn gemaakt." in zeist.get("/beheer/documenten").get_data(as_text=True)
    url = f"/beheer/documenten/{documents[0].id}/opnieuw"
    assert zeist.post(url, data={"csrf_token": csrf_token(zeist, "/beheer/documenten")}).status_code == 404


def test_a_regional_beheerder_sees_the_documents_of_a_granted_municipality(create_user, create_case, login,
                                                                            monkeypatch, municipality):
    from portal.auth.accounts import grant_municipality

    _case, documents = _failed_documents(create_user, create_case, monkeypatch)  # in Utrecht
    regional = create_user("reg", role="beheerder", code="0355")  # Zeist's beheerder
    client = login(regional)
    assert "Alle documenten zijn gemaakt." in client.get("/beheer/documenten").get_data(as_text=True)
    grant_municipality(regional, municipality("0344"))
    db.session.commit()
    assert "2 documenten wachten" in client.get("/beheer/documenten").get_data(as_text=True)
    url = f"/beheer/documenten/{documents[0].id}/opnieuw"
    assert client.post(url, data={"csrf_token": csrf_token(client, "/beheer/documenten")}).status_code == 302
