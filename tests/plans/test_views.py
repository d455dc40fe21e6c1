"""The staff plan page: versions and their documents."""

import pytest

from portal.extensions import db
from portal.plans.services import current_version
from tests.factories import walk_to_signing


@pytest.fixture
def ria(create_user):
    return create_user("ria")


def test_staff_plan_page_shows_versions_and_documents(create_case, create_user, ria, login):
    case = create_case(ria)
    walk_to_signing(case, ria, create_user("amina", role="inburgeraar"))
    db.session.commit()
    client = login(ria)
    html = client.get(f"/cases/{case.id}/plan/").get_data(as_text=True)
    assert "Versie 1" in html and "Beschikking (PDF)" in html
    document = current_version(case).documents[0]
    assert client.get(f"/cases/{case.id}/plan/documents/{document.id}.pdf").data == document.pdf
