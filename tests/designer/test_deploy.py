"""Deploying from the browser: lint and diff first, a required note, the same files → the same version;
four-eyes: a request that somebody else approves (exactly the files requested) or rejects; roles, CSRF."""

import re

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.designer import deploying, drafts
from portal.designer.models import DeployRequest
from portal.designer.services import workdir_files
from portal.extensions import db
from portal.processes.models import ProcessVersion
from portal.processes.services import current_version
from portal.tasks.models import WorkflowInstance
from tests.conftest import csrf_token

DIGEST = re.compile(r'name="digest"[^>]*value="([0-9a-f]{64})"|value="([0-9a-f]{64})"[^>]*name="digest"')


@pytest.fixture
def otto(create_user):
    return create_user("otto", role="ontwerper", code=None)


@pytest.fixture
def olga(create_user):
    return create_user("olga", role="ontwerper", code=None)


@pytest.fixture
def draft(otto):
    files = workdir_files()
    files["bpmn/pip.bpmn"] = files["bpmn/pip.bpmn"].replace('"P14D"</bpmn:timeDuration>',
                                                            '"P10D"</bpmn:timeDuration>')
    return drafts.create_draft("Herinnering eerder", files, user_id=otto.id)


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def digest_on(html: str) -> str:
    found = DIGEST.search(html)
    assert found, "no digest on the page"
    return found.group(1) or found.group(2)


def deploy_page(client, source: str) -> tuple[str, str, str]:
    html = client.get(f"/ontwerp/uitrollen?bron={source}").get_data(as_text=True)
    return html, digest_on(html), csrf_token(client, f"/ontwerp/uitrollen?bron={source}")


def test_deploy_a_draft_with_a_note_after_lint_and_diff(login, otto, draft, create_user, create_case):
    client = login(otto)
    source = drafts.source_name(draft)
    html, digest, token = deploy_page(client, source)
    assert "Geen fouten" in html and "P14D" in html and "P10D" in html  # the diff in words
    before = versions()

    no_note = client.post("/ontwerp/uitrollen", data={"source": source, "digest": digest, "note": "  ",
                                                       "csrf_token": token})
    assert no_note.status_code == 422 and "Schrijf in een notitie" in no_note.get_data(as_text=True)
    assert client.post("/ontwerp/uitrollen", data={"source": source, "digest": digest,
                                                    "note": "Herinnering na 10 dagen"}).status_code == 400  # CSRF
    assert versions() == before

    done = client.post("/ontwerp/uitrollen", data={"source": source, "digest": digest,
                                                    "note": "Herinnering na 10 dagen", "csrf_token": token})
    assert done.status_code == 302
    new = current_version()
    assert versions() == before + 1 and done.headers["Location"].endswith(f"/ontwerp/versies/{new.id}")
    assert new.note == "Herinnering na 10 dagen" and new.deployed_by_id == otto.id
    db.session.expire_all()
    closed = drafts.draft_or_none(draft.id)
    assert (closed.status, closed.deployed_version_id) == ("deployed", new.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "designer.deploy",
                                                      AuditEvent.subject == f"process_version:{new.id}"))
    # new cases start on it
    case = create_case(create_user("ria"))
    assert db.session.scalar(select(WorkflowInstance.process_version_id)
                             .where(WorkflowInstance.case_id == case.id)) == new.id

    # a double submit: the same files, the same version, and the page says so
    again = client.post("/ontwerp/uitrollen", data={"source": source, "digest": digest,
                                                     "note": "Herinnering na 10 dagen", "csrf_token": token},
                        follow_redirects=True)
    assert again.status_code == 200 and versions() == before + 1
    assert f"al in gebruik als versie {new.id}" in again.get_data(as_text=True)


def test_lint_errors_are_shown_and_a_deploy_is_refused_with_the_messages(login, otto):
    files = workdir_files()
    files["bpmn/pip.bpmn"] = files["bpmn/pip.bpmn"].replace("</bpmn:definitions>", "")
    broken = drafts.create_draft("Kapot", files, user_id=otto.id)
    client = login(otto)
    source = drafts.source_name(broken)
    html = client.get(f"/ontwerp/uitrollen?bron={source}").get_data(as_text=True)
    assert "workflows/bpmn/pip.bpmn" in html and "not well-formed" in html
    assert 'name="note"' not in html  # no deploy form while lint finds problems
    token = csrf_token(client, "/ontwerp/uitrollen?bron=workdir")
    before = versions()
    forged = client.post("/ontwerp/uitrollen", data={"source": source, "digest": deploying.prepare(source).digest,
                                                      "note": "toch", "csrf_token": token})
    body = forged.get_data(as_text=True)
    assert forged.status_code == 422 and "De bestanden hebben fouten" in body and "not well-formed" in body
    assert versions() == before


def test_files_changed_since_they_were_seen_are_not_deployed(login, otto, draft):
    client = login(otto)
    source = drafts.source_name(draft)
    _html, digest, token = deploy_page(client, source)
    drafts.save_file(draft.id, "forms/extra.json", '{"title": "Extra", "type": "object", "properties": {}}',
                     expected=draft.revision, user_id=otto.id)
    before = versions()
    answer = client.post("/ontwerp/uitrollen", data={"source": source, "digest": digest, "note": "x",
                                                      "csrf_token": token})
    assert answer.status_code == 422 and "veranderd sinds" in answer.get_data(as_text=True)
    assert versions() == before


def test_unknown_or_hostile_sources(login, otto):
    client = login(otto)
    assert client.get("/ontwerp/uitrollen?bron=draft-999999").status_code in (400, 404)
    assert client.get("/ontwerp/uitrollen?bron=../etc").status_code == 400
    assert client.get("/ontwerp/uitrollen?bron=1").status_code == 400  # a version is not a source to deploy
    token = csrf_token(client, "/ontwerp/uitrollen")
    assert client.post("/ontwerp/uitrollen", data={"source": "1", "digest": "0" * 64, "note": "x",
                                                    "csrf_token": token}).status_code == 400


def test_roles(login, create_user, otto):
    regisseur = login(create_user("ria"), new_client=True)
    assert regisseur.get("/ontwerp/uitrollen").status_code == 403
    assert regisseur.get("/ontwerp/uitrolverzoeken").status_code == 403
    beheerder = login(create_user("bea", role="beheerder"), new_client=True)
    assert beheerder.get("/ontwerp/uitrollen").status_code == 403
    assert beheerder.get("/ontwerp/uitrolverzoeken").status_code == 200
    assert beheerder.get("/ontwerp/instellingen").status_code == 200
    ontwerper = login(otto, new_client=True)
    assert ontwerper.get("/ontwerp/instellingen").status_code == 403
    assert ontwerper.get("/ontwerp/uitrolverzoeken").status_code == 200


def switch_four_eyes(login, create_user, on: bool):
    client = login(create_user("bea", role="beheerder"), new_client=True)
    token = csrf_token(client, "/ontwerp/instellingen")
    assert client.post("/ontwerp/instellingen", data={"four_eyes": "aan" if on else "uit"}).status_code == 400
    answer = client.post("/ontwerp/instellingen", data={"four_eyes": "aan" if on else "uit", "csrf_token": token})
    assert answer.status_code == 302 and deploying.four_eyes_on() is on
    return client


def test_four_eyes_locked_on_by_the_operator_cannot_be_switched_off(app, login, create_user):
    client = switch_four_eyes(login, create_user, False)
    app.config["DEPLOY_FOUR_EYES"] = True
    try:
        assert deploying.four_eyes_on() is True
        page = client.get("/ontwerp/instellingen").get_data(as_text=True)
        assert "vastgezet in de configuratie" in page and 'name="four_eyes"' not in page
        token = csrf_token(client, "/account")  # the settings page has no form any more
        answer = client.post("/ontwerp/instellingen", data={"four_eyes": "uit", "csrf_token": token})
        assert answer.status_code == 422 and "vastgezet in de configuratie" in answer.get_data(as_text=True)
        assert deploying.four_eyes_on() is True
    finally:
        app.config["DEPLOY_FOUR_EYES"] = False


def test_four_eyes_the_requester_cannot_approve_a_second_designer_deploys_the_requested_files(
        login, create_user, otto, olga, draft):
    beheerder = switch_four_eyes(login, create_user, True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "designer.settings"))
    client = login(otto, new_client=True)
    source = drafts.source_name(draft)
    html, digest, token = deploy_page(client, source)
    assert "Vier-ogen staat aan" in html and "Goedkeuring vragen" in html
    before = versions()
    asked = client.post("/ontwerp/uitrollen", data={"source": source, "digest": digest, "note": "Eerder herinneren",
                                                     "csrf_token": token})
    assert asked.status_code == 302 and versions() == before  # a request, not a version
    request = db.session.scalar(select(DeployRequest).where(DeployRequest.source == source))
    assert (request.digest, request.requested_by_id, request.status) == (digest, otto.id, "pending")
    again = client.post("/ontwerp/uitrollen", data={"source": source, "digest": digest, "note": "Eerder herinneren",
                                                     "csrf_token": token}, follow_redirects=True)
    assert "al een verzoek open" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DeployRequest)) == 1
    assert f"Verzoek {request.id}" in beheerder.get("/ontwerp/uitrolverzoeken").get_data(as_text=True)

    # the requester cannot approve (not even by posting the form)
    page = f"/ontwerp/uitrolverzoeken/{request.id}"
    own = client.post(f"{page}/goedkeuren", data={"csrf_token": csrf_token(client, page)})
    assert own.status_code == 422 and "eigen verzoek niet goedkeuren" in own.get_data(as_text=True)
    assert versions() == before
    with pytest.raises(deploying.Refused):
        deploying.approve(request.id, otto.id)

    second = login(olga, new_client=True)
    assert second.post(f"{page}/goedkeuren", data={}).status_code == 400  # CSRF
    approved = second.post(f"{page}/goedkeuren", data={"csrf_token": csrf_token(second, page)})
    assert approved.status_code == 302
    db.session.expire_all()
    request = db.session.get(DeployRequest, request.id)
    new = current_version()
    assert versions() == before + 1 and (request.status, request.version_id, request.decided_by_id) == (
        "approved", new.id, olga.id)
    assert new.files == drafts.draft_or_none(draft.id).files and new.note == "Eerder herinneren"
    assert drafts.draft_or_none(draft.id).status == "deployed"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "designer.deploy_approve"))
    # a deploy without a request is refused while four-eyes is on
    with pytest.raises(deploying.Refused):
        deploying.deploy_source("workdir", deploying.prepare("workdir").digest, "x", olga.id)


def test_four_eyes_a_draft_changed_after_the_request_is_refused(login, create_user, otto, olga, draft):
    switch_four_eyes(login, create_user, True)
    source = drafts.source_name(draft)
    request, created = deploying.request_deploy(source, deploying.prepare(source).digest, "Eerder", otto.id)
    assert created
    drafts.save_file(draft.id, "forms/extra.json", '{"title": "Extra", "type": "object", "properties": {}}',
                     expected=draft.revision, user_id=otto.id)
    second = login(olga, new_client=True)
    page = f"/ontwerp/uitrolverzoeken/{request.id}"
    html = second.get(page).get_data(as_text=True)
    assert "De bron is veranderd sinds het verzoek" in html
    before = versions()
    refused = second.post(f"{page}/goedkeuren", data={"csrf_token": csrf_token(second, page)})
    assert refused.status_code == 422 and "veranderd sinds" in refused.get_data(as_text=True)
    assert versions() == before and db.session.get(DeployRequest, request.id).status == "pending"

    # reject: a reason is required
    token = csrf_token(second, page)
    assert second.post(f"{page}/afwijzen", data={"reason": " ", "csrf_token": token}).status_code == 422
    assert second.post(f"{page}/afwijzen", data={"reason": "Bron veranderd", "csrf_token": token}).status_code == 302
    db.session.expire_all()
    request = db.session.get(DeployRequest, request.id)
    assert (request.status, request.reason, request.decided_by_id) == ("rejected", "Bron veranderd", olga.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "designer.deploy_reject"))


def test_a_beheerder_may_approve(login, create_user, otto):
    switch_four_eyes(login, create_user, True)
    request, _created = deploying.request_deploy("workdir", deploying.prepare("workdir").digest, "Werkmap", otto.id)
    beheerder = login(create_user("bert", role="beheerder"), new_client=True)
    page = f"/ontwerp/uitrolverzoeken/{request.id}"
    answer = beheerder.post(f"{page}/goedkeuren", data={"csrf_token": csrf_token(beheerder, page)},
                            follow_redirects=True)
    assert answer.status_code == 200 and "Goedgekeurd" in answer.get_data(as_text=True)
    assert db.session.get(DeployRequest, request.id).status == "approved"
