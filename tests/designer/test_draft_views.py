"""The drafts' pages and the modeler's save endpoint: roles, CSRF, revision conflicts (409), lint on save,
the no-JavaScript upload, zip export/import and hostile zips."""

import html
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.designer import archive, drafts
from portal.designer.services import workdir_files
from portal.extensions import db
from tests.conftest import csrf_token

NEW_TASK = '<bpmn:userTask id="nieuwe_stap" name="Nieuwe stap" />'


@pytest.fixture
def otto(create_user):
    return create_user("otto", role="ontwerper", code=None)


@pytest.fixture
def draft(otto):
    return drafts.create_draft("Termijn aanpassen", workdir_files(), user_id=otto.id)


@pytest.fixture
def designer(login, otto):
    return login(otto)


def config_of(client, draft, name="pip.bpmn") -> dict:
    page = client.get(f"/ontwerp/concepten/{draft.id}/modeler/{name}")
    assert page.status_code == 200
    match = re.search(r"data-config='([^']*)'", page.get_data(as_text=True))
    return json.loads(html.unescape(match.group(1)))


def save(client, draft, xml, revision, token, name="pip.bpmn"):
    return client.post(f"/ontwerp/concepten/{draft.id}/opslaan/{name}", json={"xml": xml, "revision": revision},
                       headers={"X-CSRFToken": token})


def with_task(xml: str) -> str:
    """pip.bpmn with one more user task (in no lane, without a form: two lint messages on it)."""
    return xml.replace('<bpmn:startEvent id="start_pip"', NEW_TASK + '<bpmn:startEvent id="start_pip"', 1)


def test_other_roles_get_403_everywhere(login, create_user, draft):
    client = login(create_user("ria"))
    token = csrf_token(client, "/account")
    for url in ("/ontwerp/concepten", f"/ontwerp/concepten/{draft.id}", f"/ontwerp/concepten/{draft.id}/export.zip",
                f"/ontwerp/concepten/{draft.id}/modeler/pip.bpmn", f"/ontwerp/concepten/{draft.id}/bpmn/pip.bpmn"):
        assert client.get(url).status_code == 403, url
    for url in ("/ontwerp/concepten", f"/ontwerp/concepten/{draft.id}/bestand", f"/ontwerp/concepten/{draft.id}/import",
                f"/ontwerp/concepten/{draft.id}/weggooien"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    assert save(client, draft, "<x/>", 1, token).status_code == 403
    assert drafts.draft_or_none(draft.id).revision == 1


def test_a_new_draft_from_a_version_is_listed_and_opens(designer, app):
    from portal.processes.services import current_version

    version = current_version()
    page = designer.get(f"/ontwerp/concepten?basis={version.id}").get_data(as_text=True)
    assert f'<option selected value="{version.id}">' in page or f'value="{version.id}" selected' in page
    no_token = designer.post("/ontwerp/concepten", data={"naam": "Zonder token", "basis": str(version.id)})
    assert no_token.status_code == 400
    answer = designer.post("/ontwerp/concepten", data={"naam": "Nieuwe stap", "basis": str(version.id),
                                                       "csrf_token": csrf_token(designer, "/ontwerp/concepten")})
    assert answer.status_code == 302
    draft = db.session.scalar(select(drafts.ProcessDraft).where(drafts.ProcessDraft.name == "Nieuwe stap"))
    assert draft.base_version_id == version.id and draft.files == version.files
    listing = designer.get("/ontwerp/concepten").get_data(as_text=True)
    assert "Nieuwe stap" in listing and "Otto" in listing
    page = designer.get(answer.location).get_data(as_text=True)
    assert "bpmn/pip.bpmn" in page and "forms/pip_opstellen.json" in page and "Geen problemen" in page
    assert f"/ontwerp/concepten/{draft.id}/modeler/pip.bpmn" in page
    empty = designer.post("/ontwerp/concepten", data={"naam": " ", "basis": str(version.id),
                                                      "csrf_token": csrf_token(designer, "/ontwerp/concepten")})
    assert empty.status_code == 400 and "Er is een probleem" in empty.get_data(as_text=True)


def test_save_lints_the_draft_and_answers_the_messages(designer, draft):
    config = config_of(designer, draft)
    assert config["messages"] == [] and config["file"] == "bpmn/pip.bpmn"
    loaded = designer.get(config["xmlUrl"]).get_json()
    assert loaded["revision"] == 1
    assert save(designer, draft, with_task(loaded["xml"]), 1, "no-token").status_code == 400  # CSRF
    answer = save(designer, draft, with_task(loaded["xml"]), 1, config["csrf"])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["revision"] == 2 and body["problems_here"] == 2
    messages = {m["message"].split(":")[0]: m for m in body["messages"]}
    missing = messages["no form"]
    assert (missing["path"], missing["process"], missing["element"]) == ("bpmn/pip.bpmn", "pip", "nieuwe_stap")
    assert re.match(r"workflows/bpmn/pip\.bpmn:\d+ \[pip/nieuwe_stap\] no form: "
                    r"create workflows/forms/nieuwe_stap\.json", missing["text"])
    assert drafts.draft_or_none(draft.id).files["bpmn/pip.bpmn"] == with_task(loaded["xml"])
    # the draft page lists the same messages, linked to the element in the modeler (no JavaScript needed)
    page = designer.get(f"/ontwerp/concepten/{draft.id}").get_data(as_text=True)
    assert "[pip/nieuwe_stap] no form" in page
    assert f"/ontwerp/concepten/{draft.id}/modeler/pip.bpmn?element=nieuwe_stap" in page
    events = db.session.scalars(select(AuditEvent.purpose).where(AuditEvent.subject == f"process_draft:{draft.id}"))
    assert list(events) == ["designer.draft_create", "designer.draft_save"]


def test_a_save_on_an_old_revision_is_a_409_naming_who_saved(designer, draft, create_user, login):
    config = config_of(designer, draft)
    xml = designer.get(config["xmlUrl"]).get_json()["xml"]
    anna = create_user("anna", role="ontwerper", code=None)
    other = login(anna, new_client=True)
    changed = xml.replace("PIP opstellen", "PIP maken", 1)
    assert save(other, draft, changed, 1, config_of(other, draft)["csrf"]).status_code == 200
    answer = save(designer, draft, with_task(xml), 1, config["csrf"])
    assert answer.status_code == 409
    body = answer.get_json()
    assert body["conflict"] is True and body["revision"] == 2 and body["by"] == "Anna"
    assert "Anna" in body["error"]
    db.session.expire_all()
    assert "nieuwe_stap" not in drafts.draft_or_none(draft.id).files["bpmn/pip.bpmn"]  # nothing overwritten


@pytest.mark.parametrize("payload", [None, {"xml": "x"}, {"xml": 1, "revision": 1}, {"xml": "<a/>", "revision": True},
                                     {"xml": "geen xml", "revision": 1}])
def test_a_bad_save_request_is_a_400(designer, draft, payload):
    token = config_of(designer, draft)["csrf"]
    answer = designer.post(f"/ontwerp/concepten/{draft.id}/opslaan/pip.bpmn", json=payload,
                           headers={"X-CSRFToken": token})
    assert answer.status_code == 400 and answer.get_json()["error"]
    assert save(designer, draft, "<bpmn:definitions/>", 1, token, name="..bpmn").status_code == 400


def test_upload_without_javascript_fixes_the_lint(designer, draft, otto):
    drafts.save_file(draft.id, "bpmn/pip.bpmn", with_task(draft.files["bpmn/pip.bpmn"]), expected=1, user_id=otto.id)
    token = csrf_token(designer, f"/ontwerp/concepten/{draft.id}")
    form = json.dumps({"title": "Nieuwe stap", "type": "object", "properties": {}})
    answer = designer.post(f"/ontwerp/concepten/{draft.id}/bestand", data={
        "csrf_token": token, "revisie": "2", "bestand": (io.BytesIO(form.encode()), "nieuwe_stap.json")},
        content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert drafts.draft_or_none(draft.id).files["forms/nieuwe_stap.json"] == form
    page = designer.get(f"/ontwerp/concepten/{draft.id}").get_data(as_text=True)
    assert "no form" not in page and "not in a lane" in page  # one problem left
    stale = designer.post(f"/ontwerp/concepten/{draft.id}/bestand", data={
        "csrf_token": token, "revisie": "2", "bestand": (io.BytesIO(b"{}"), "ander.json")},
        content_type="multipart/form-data")
    assert stale.status_code == 409 and "Otto heeft het concept intussen opgeslagen" in stale.get_data(as_text=True)
    wrong = designer.post(f"/ontwerp/concepten/{draft.id}/bestand", data={
        "csrf_token": token, "revisie": "3", "bestand": (io.BytesIO(b"x"), "notities.txt")},
        content_type="multipart/form-data")
    assert wrong.status_code == 400 and "Kies een .bpmn- of .json-bestand." in wrong.get_data(as_text=True)
    latin = designer.post(f"/ontwerp/concepten/{draft.id}/bestand", data={
        "csrf_token": token, "revisie": "3", "bestand": (io.BytesIO("café".encode("latin-1")), "x.json")},
        content_type="multipart/form-data")
    assert latin.status_code == 400 and "geen UTF-8-tekst" in latin.get_data(as_text=True)


def test_zip_export_and_import_round_trip(designer, draft, otto):
    exported = designer.get(f"/ontwerp/concepten/{draft.id}/export.zip")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert "workflows/bpmn/pip.bpmn" in names and "workflows/forms/mdo.json" in names
    assert archive.export_zip(draft.files) == exported.data  # the same files give the same bytes
    other = drafts.create_draft("Leeg", {"bpmn/x.bpmn": "<x/>"}, user_id=otto.id)
    token = csrf_token(designer, f"/ontwerp/concepten/{other.id}")
    answer = designer.post(f"/ontwerp/concepten/{other.id}/import", data={
        "csrf_token": token, "revisie": "1", "archief": (io.BytesIO(exported.data), "workflows.zip")},
        content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db.session.expire_all()
    imported = drafts.draft_or_none(other.id)
    assert imported.files == draft.files and imported.revision == 2
    assert "Geen problemen" in designer.get(answer.location).get_data(as_text=True)


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as out:
        for name, data in entries.items():
            out.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "error"), [
    (b"dit is geen zip", "geen (leesbaar) zip-bestand"),
    (zip_of({"../bpmn/x.bpmn": b"<x/>"}), "Ongeldige bestandsnaam"),
    (zip_of({"/etc/bpmn/x.bpmn": b"<x/>"}), "Ongeldige bestandsnaam"),
    (zip_of({"workflows/bpmn/x.bpmn": b"<x/>", "README.md": b"hoi"}), "Geen bestand van workflows/"),
    (zip_of({"workflows/bpmn/x.bpmn": b"\0" * (3 * 1024 * 1024)}), "zip-bom"),
    (zip_of({f"forms/f{i}.json": b"{}" for i in range(archive.MAX_ENTRIES + 1)}), "hoogstens"),
    (zip_of({"bpmn/x.bpmn": "café".encode("latin-1")}), "geen UTF-8-tekst"),
    (zip_of({"forms/a.json": b"{}"}), "geen BPMN-bestanden"),
    (zip_of({"bpmn/x.bpmn": b"a" * 5000}, zipfile.ZIP_STORED), "te groot"),  # limit lowered below
])
def test_hostile_zips_are_refused_with_a_clear_error(designer, draft, data, error, monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILE_CHARS", 4000)  # small uploads: the test client spools large ones
    token = csrf_token(designer, f"/ontwerp/concepten/{draft.id}")
    answer = designer.post(f"/ontwerp/concepten/{draft.id}/import", data={
        "csrf_token": token, "revisie": "1", "archief": (io.BytesIO(data), "w.zip")},
        content_type="multipart/form-data")
    assert answer.status_code == 400
    assert error in html.unescape(answer.get_data(as_text=True))
    assert drafts.draft_or_none(draft.id).revision == 1


def test_the_declared_total_size_is_checked_before_anything_is_read(monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1000)
    data = zip_of({"bpmn/a.bpmn": b"<a/>" * 200, "bpmn/b.bpmn": b"<b/>" * 200})
    with pytest.raises(archive.ArchiveError, match="Uitgepakt is het zip-bestand groter"):
        archive.import_zip(data)


def test_discard_needs_the_box_ticked_and_closes_the_draft(designer, draft):
    token = csrf_token(designer, f"/ontwerp/concepten/{draft.id}")
    refused = designer.post(f"/ontwerp/concepten/{draft.id}/weggooien", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "Vink aan dat je het concept wilt weggooien." in refused.get_data(as_text=True)
    assert designer.post(f"/ontwerp/concepten/{draft.id}/weggooien", data={"bevestig": "y"}).status_code == 400  # CSRF
    done = designer.post(f"/ontwerp/concepten/{draft.id}/weggooien", data={"csrf_token": token, "bevestig": "y"})
    assert done.status_code == 302 and drafts.draft_or_none(draft.id).status == "discarded"
    listing = designer.get("/ontwerp/concepten").get_data(as_text=True)
    assert "is weggegooid" in listing and f'href="/ontwerp/concepten/{draft.id}"' not in listing
    page = designer.get(f"/ontwerp/concepten/{draft.id}").get_data(as_text=True)
    assert "Weggegooid" in page and "Zip importeren" not in page
    config = config_of(designer, draft)
    assert config["readonly"] is True
    assert save(designer, draft, "<bpmn:definitions/>", 1, config["csrf"]).status_code == 409


def test_the_diff_page_compares_a_draft_and_draws_it(designer, draft, otto):
    drafts.save_file(draft.id, "bpmn/pip.bpmn", draft.files["bpmn/pip.bpmn"].replace(
        "PIP opstellen met de inburgeraar", "PIP samen opstellen"), expected=1, user_id=otto.id)
    page = designer.get(f"/ontwerp/concepten/{draft.id}").get_data(as_text=True)
    link = html.unescape(re.search(r'href="(/ontwerp/verschil\?[^"]+)"', page).group(1))
    diff = designer.get(link)
    assert diff.status_code == 200 and "PIP samen opstellen" in diff.get_data(as_text=True)
    drawn = designer.get(link.replace("/ontwerp/verschil?", "/ontwerp/verschil/pip?"))
    assert drawn.status_code == 200
    xml_url = re.search(r'data-bpmn-url="([^"]+)"', drawn.get_data(as_text=True)).group(1)
    assert xml_url == f"/ontwerp/concepten/{draft.id}/proces/pip.bpmn"
    assert "PIP samen opstellen" in designer.get(xml_url).get_data(as_text=True)
    assert designer.get(f"/ontwerp/concepten/{draft.id}/proces/bestaat_niet.bpmn").status_code == 404


def test_a_broken_bpmn_upload_is_kept_and_lint_says_where(designer, draft):
    token = csrf_token(designer, f"/ontwerp/concepten/{draft.id}")
    answer = designer.post(f"/ontwerp/concepten/{draft.id}/bestand", data={
        "csrf_token": token, "revisie": "1", "bestand": (io.BytesIO(b"<bpmn:definitions"), "pip.bpmn")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    page = designer.get(f"/ontwerp/concepten/{draft.id}")
    assert page.status_code == 200
    assert "workflows/bpmn/pip.bpmn:1 [xml] not well-formed XML" in html.unescape(page.get_data(as_text=True))
    assert designer.get(f"/ontwerp/concepten/{draft.id}/modeler/pip.bpmn").status_code == 200
