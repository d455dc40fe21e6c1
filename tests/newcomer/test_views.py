"""The newcomer's pages: activation codes and letters, my plan in Arabic (RTL), signing, questions, the copy,
/verify."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.newcomer.models import ActivationCode
from portal.newcomer.recovery import issue_code
from portal.plans.models import PlanDocument
from portal.plans.services import current_version
from tests.conftest import csrf_token, page_language, visible_text
from tests.factories import open_steps, produce_documents, walk_to_signing


@pytest.fixture
def signing_case(create_case, ria, create_user):
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1", locale="ar")
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    db.session.commit()
    return case, amina


def activate(client, code, password="een-goed-wachtwoord", language="ar"):
    token = csrf_token(client, "/activeren")
    return client.post("/activeren", data={"csrf_token": token, "code": code, "language": language,
                                           "password": password, "password_again": password})


def test_activation_code_works_once(client, create_case, ria):
    case = create_case(ria)
    code, _activation = issue_code(case, ria)
    response = activate(client, code.lower().replace("-", " "))  # typed loosely from the letter
    assert response.status_code == 302 and response.headers["Location"].endswith("/mijn/")
    user = case.newcomer_user
    assert user.locale == "ar" and user.password_hash.startswith("$argon2id$")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mijn/")})
    again = activate(client, code)
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert page_language(html) == ("nl", "ltr")  # logged out: the session (and its language) is gone
    assert ("Activeringscode: Deze code is al gebruikt. Log in met je wachtwoord, of vraag je regisseur om een "
            "nieuwe code.") in html
    assert db.session.scalar(select(ActivationCode)).used_at is not None


def test_expired_and_replaced_codes_are_refused(client, create_case, ria):
    case = create_case(ria)
    old_code, _ = issue_code(case, ria)
    new_code, new = issue_code(case, ria)  # the newer letter replaces the older
    db.session.commit()  # (a view's rollback must not undo the test's own set-up)
    assert activate(client, old_code, language="nl").status_code == 422
    new.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = activate(client, new_code, language="nl").get_data(as_text=True)
    assert "Deze code is verlopen. Vraag je regisseur om een nieuwe code." in html
    assert case.newcomer_user.password_hash is None


def test_my_plan_in_arabic_is_rtl_with_dutch_text_one_click_away(client, login, signing_case):
    case, amina = signing_case
    client = login(amina, password="amina-geheim-1")
    html = client.get("/mijn/").get_data(as_text=True)
    assert page_language(html) == ("ar", "rtl")
    assert "/mijn/plan/nl" in html and "/mijn/plan/ondertekenen" in html
    assert case.regisseur.display_name in html
    dutch = client.get("/mijn/plan/nl").get_data(as_text=True)
    assert 'lang="nl" dir="ltr"' in dutch and current_version(case).sha256 in dutch
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                      AuditEvent.purpose == "newcomer.my_plan"))


def test_sign_through_the_page_then_download_the_sealed_copy(client, login, signing_case):
    case, amina = signing_case
    client = login(amina, password="amina-geheim-1")
    page = client.get("/mijn/plan/ondertekenen").get_data(as_text=True)
    assert 'dir="rtl"' in page
    version_id = re.search(r'name="version_id"[^>]*value="(\d+)"', page).group(1)
    data = {"csrf_token": csrf_token(client, "/mijn/plan/ondertekenen"), "version_id": version_id,
            "consent": "y", "typed_name": "Amina Haddad", "password": "amina-geheim-1"}
    response = client.post("/mijn/plan/ondertekenen", data=data)
    assert response.status_code == 302
    assert case.stage == "timer_zelfbeoordeling"
    again = client.post("/mijn/plan/ondertekenen", data=data)  # a double submit changes nothing
    assert again.status_code == 409 and len(current_version(case).signatures) == 1
    signed = next(d for d in current_version(case).documents if d.kind == PlanDocument.SIGNED_COPY)
    assert signed.status == PlanDocument.PENDING and signed.pdf is None  # queued for the worker, not made inline
    plan = next(d for d in current_version(case).documents if d.kind == PlanDocument.PLAN)
    assert client.get("/mijn/plan.pdf").data == plan.pdf  # until then: the plan she was shown
    assert produce_documents() == 1
    pdf = client.get("/mijn/plan.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.data == signed.pdf and signed.status == PlanDocument.READY


def test_wrong_password_keeps_the_page_and_signs_nothing(client, login, signing_case):
    case, amina = signing_case
    client = login(amina, password="amina-geheim-1")
    page = client.get("/mijn/plan/ondertekenen").get_data(as_text=True)
    version_id = re.search(r'name="version_id"[^>]*value="(\d+)"', page).group(1)
    html = client.post("/mijn/plan/ondertekenen", data={
        "csrf_token": csrf_token(client, "/mijn/plan/ondertekenen"), "version_id": version_id, "consent": "y",
        "typed_name": "Amina Haddad", "password": "fout"}).get_data(as_text=True)
    assert 'value="Amina Haddad"' in html
    assert current_version(case).signatures == []


def test_question_goes_to_the_regisseur(client, login, signing_case):
    case, amina = signing_case
    client = login(amina, password="amina-geheim-1")
    page = client.get("/mijn/plan/ondertekenen").get_data(as_text=True)
    version_id = re.search(r'name="version_id"[^>]*value="(\d+)"', page).group(1)
    response = client.post("/mijn/plan/vraag", data={"csrf_token": csrf_token(client, "/mijn/plan/ondertekenen"),
                                                     "version_id": version_id, "message": "Wat is MAP?"})
    assert response.status_code == 302
    assert open_steps(case) == ["pip_vraag_beantwoorden"]
    assert current_version(case).signatures == []


def test_a_newcomer_only_ever_sees_their_own_plan(client, login, signing_case, create_user, create_case, ria):
    _case, _amina = signing_case
    other = create_user("yonas", role="inburgeraar", password="yonas-geheim-12")
    other_case = create_case(ria, first="Yonas")
    other_case.newcomer_user_id = other.id
    client = login(other, password="yonas-geheim-12")
    html = client.get("/mijn/").get_data(as_text=True)
    assert "Amina" not in visible_text(html)
    assert client.get("/mijn/plan.pdf").status_code == 404
    assert client.get(f"/cases/{_case.id}/plan/").status_code == 403


@pytest.mark.parametrize("locale", ["nl", "en", "ar", "fa", "ti", "uk", "tr"])
def test_newcomer_pages_render_in_every_language(client, login, signing_case, locale):
    case, amina = signing_case
    amina.locale = locale
    client = login(amina, password="amina-geheim-1")
    for url in ["/mijn/", "/mijn/plan/ondertekenen", "/mijn/plan/nl"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert page_language(html) == (locale, "rtl" if locale in ("ar", "fa") else "ltr"), url
        if url.endswith("/nl"):  # the page is in her language, the plan's text in Dutch
            assert '<div lang="nl" dir="ltr">' in html and "Persoonlijk plan inburgering en participatie" in html


def test_verify_by_code_and_by_pdf(client, signing_case):
    case, _amina = signing_case
    document = next(d for d in current_version(case).documents if d.kind == PlanDocument.DECISION)
    html = client.get(f"/verify?code={document.verification_code.lower()}").get_data(as_text=True)
    assert "Dit document is bij ons bekend" in html and case.full_name not in html and case.v_number not in html
    token = csrf_token(client, "/verify")
    from io import BytesIO

    ok = client.post("/verify", data={"csrf_token": token, "document": (BytesIO(document.pdf), "b.pdf")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "Dit document is bij ons bekend" in ok and "<dt>Digitaal zegel</dt><dd>in orde</dd>" in ok
    tampered = bytearray(document.pdf)
    tampered[len(tampered) // 2] ^= 0x01
    bad = client.post("/verify", data={"csrf_token": token, "document": (BytesIO(bytes(tampered)), "b.pdf")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "Dit document is niet bij ons bekend" in bad
    unknown = client.get("/verify?code=AAAA-BBBB-CCCC").get_data(as_text=True)
    assert "Dit document is niet bij ons bekend" in unknown and "Dit document is bij ons bekend" not in unknown


def test_regisseur_issues_an_activation_letter_from_the_account_page(client, login, create_case, ria):
    case = create_case(ria)  # no account in use yet: the first letter needs no second person
    db.session.commit()
    client = login(ria)
    assert f"/cases/{case.id}/account" in client.get(f"/cases/{case.id}/plan/").get_data(as_text=True)
    letter = client.post(f"/cases/{case.id}/plan/activation",
                         data={"csrf_token": csrf_token(client, f"/cases/{case.id}/account")})
    text = letter.get_data(as_text=True)
    assert letter.status_code == 200 and re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert 'src="data:image/svg+xml;base64,' in text


@pytest.mark.parametrize("url", ["/activeren", "/verify", "/login"])
@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_public_newcomer_pages_are_right_to_left(client, url, locale):
    html = client.get(url, headers={"Accept-Language": locale}).get_data(as_text=True)
    assert page_language(html) == (locale, "rtl")
    assert "Inburgeringsportaal" not in html  # translated, not the Dutch source text


def test_regisseur_sees_the_newcomers_question_when_answering(client, login, signing_case, ria):
    case, amina = signing_case
    newcomer = login(amina, password="amina-geheim-1")
    page = newcomer.get("/mijn/plan/ondertekenen").get_data(as_text=True)
    version_id = re.search(r'name="version_id"[^>]*value="(\d+)"', page).group(1)
    newcomer.post("/mijn/plan/vraag", data={"csrf_token": csrf_token(newcomer, "/mijn/plan/ondertekenen"),
                                            "version_id": version_id, "message": "Mag ik eerst werken?"})
    from tests.factories import open_tasks

    task = next(t for t in open_tasks(case) if t.bpmn_id == "pip_vraag_beantwoorden")
    html = login(ria, new_client=True).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Mag ik eerst werken?" in html


@pytest.mark.parametrize("tampered", ["abc", "-1", "99999999999999999999", "1\x00", ""])
def test_a_tampered_version_id_is_refused_with_a_reason_not_an_error_page(client, login, signing_case, tampered):
    case, amina = signing_case
    client = login(amina, password="amina-geheim-1")
    token = csrf_token(client, "/mijn/plan/ondertekenen")
    signing = client.post("/mijn/plan/ondertekenen", data={
        "csrf_token": token, "version_id": tampered, "consent": "y", "typed_name": "Amina Haddad",
        "password": "amina-geheim-1"})
    assert signing.status_code == 422 and "portal-error-summary" in signing.get_data(as_text=True)
    question = client.post("/mijn/plan/vraag", data={"csrf_token": token, "version_id": tampered,
                                                     "message": "Wat betekent PVT?"})
    assert question.status_code == 302  # back to the sign page with the reason in a message
    assert current_version(case).signatures == [] and open_steps(case) == ["pip_ondertekenen"]
