"""portal.headers and Talisman: no page, PDF or error page is cached (finding 10); static assets are;
HSTS on every request that came in over HTTPS, also when FORCE_HTTPS is off."""

import pytest

from portal.extensions import db
from portal.plans.models import PlanDocument
from portal.plans.services import current_version
from tests.factories import walk_to_signing


def assert_no_store(response):
    assert response.headers["Cache-Control"] == "no-store", response.headers
    assert response.headers["Pragma"] == "no-cache"


@pytest.fixture
def signed_for(create_case, create_user):
    ria = create_user("ria")
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1")
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    db.session.commit()
    return case, ria, amina


def test_staff_pages_and_pdfs_are_not_stored(signed_for, login):
    case, ria, _amina = signed_for
    client = login(ria)
    for url in ("/cases/", f"/cases/{case.id}", "/tasks/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_store(response)
    document = next(d for d in current_version(case).documents if d.kind == PlanDocument.PLAN)
    pdf = client.get(f"/cases/{case.id}/plan/documents/{document.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert_no_store(pdf)


def test_newcomer_pages_and_her_copy_are_not_stored(signed_for, login):
    _case, _ria, amina = signed_for
    client = login(amina, password="amina-geheim-1")
    assert_no_store(client.get("/mijn/"))
    pdf = client.get("/mijn/plan.pdf")
    assert pdf.mimetype == "application/pdf"
    assert_no_store(pdf)


def test_anonymous_pages_and_error_pages_are_not_stored(client):
    assert_no_store(client.get("/login"))
    assert_no_store(client.get("/verify?code=ABCDEF"))
    assert_no_store(client.get("/geen-pagina"))


def test_static_assets_keep_caching(client, login, create_user):
    for anyone in (client, login(create_user("ria"))):
        response = anyone.get("/static/css/portal.css")
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "") and "Pragma" not in response.headers
        response.close()


def test_hsts_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    hsts = client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert int(hsts.split(";")[0].removeprefix("max-age=")) >= 365 * 24 * 3600
