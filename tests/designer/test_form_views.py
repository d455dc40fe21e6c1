"""The form editor's pages: ontwerper only, CSRF, the preview is the task page's own form, broken JSON and
conflicts keep what was typed, a new form for a task without one, and the label translation status."""

import html
import re

import pytest

from portal.designer import drafts
from portal.designer.labels import label_status
from portal.designer.services import workdir_files
from portal.extensions import db
from tests.conftest import csrf_token
from tests.factories import open_task

FORM = "kennismakingsgesprek"


@pytest.fixture
def otto(create_user):
    return create_user("otto", role="ontwerper", code=None)


@pytest.fixture
def draft(otto):
    return drafts.create_draft("Formulieren", workdir_files(), user_id=otto.id)


def edit_url(draft, name=FORM):
    return f"/ontwerp/concepten/{draft.id}/formulieren/{name}"


def textarea(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="editor-bron"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no JSON textarea"
    return html.unescape(match.group(1)).removeprefix("\r\n").removeprefix("\n")


def posted(page: str, **changes) -> dict:
    """Every field of the editor form as the page has it (what a browser would post), with ``changes``."""
    form = page[page.index("data-form-editor"):page.index("</form>", page.index("data-form-editor"))]
    data = {}
    for tag in re.finditer(r"<input[^>]*>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(0)))
        if "name" not in attrs or attrs.get("type") in ("submit",):
            continue
        if attrs.get("type") == "checkbox" and "checked" not in tag.group(0):
            continue
        data[attrs["name"]] = html.unescape(attrs.get("value", "y" if attrs.get("type") == "checkbox" else ""))
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[match.group(1)] = html.unescape(match.group(2)).removeprefix("\r\n").removeprefix("\n")
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                           match.group(2))
        data[match.group(1)] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    data.update(changes)
    return data


def the_form(page: str, action_prefix: str) -> str:
    """The task form (``<form … action="action_prefix…">…</form>``) with its CSRF value and action blanked."""
    start = page.index(f'action="{action_prefix}')
    start = page.rindex("<form", 0, start)
    text = page[start:page.index("</form>", start) + len("</form>")]
    text = re.sub(r'action="[^"]*"', 'action=""', text, count=1)
    return re.sub(r'(name="csrf_token" type="hidden" value=")[^"]*', r"\1", text)


def squeeze(text: str) -> str:
    """The same HTML whatever the template's whitespace (the script's part is rendered on its own)."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", text)))


def test_only_the_ontwerper_may_use_the_editor(client, login, create_user, draft):
    login(create_user("ria"))
    for url in (edit_url(draft), f"/ontwerp/concepten/{draft.id}/formulieren", "/ontwerp/vertalingen"):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/account")
    for url in (edit_url(draft), edit_url(draft) + "/voorbeeld", f"/ontwerp/concepten/{draft.id}/formulieren/nieuw"):
        assert client.post(url, data={"csrf_token": token, "editor-csrf_token": token}).status_code == 403, url


def test_a_save_without_csrf_token_is_refused_and_changes_nothing(client, login, otto, draft):
    login(otto)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    data = posted(page, **{"editor-bron": '{"type": "object"}', "editor-opslaan": "1"})
    data.pop("editor-csrf_token")
    assert client.post(edit_url(draft), data=data).status_code == 400
    db.session.expire_all()
    assert drafts.draft_or_none(draft.id).revision == 1


def test_the_preview_is_the_form_a_regisseur_sees_on_the_task_page(app, client, login, create_user, create_case,
                                                                    otto, draft):
    ria = create_user("ria")
    case = create_case(ria)
    task = open_task(case, FORM)
    regisseur = login(ria, new_client=True)
    task_page = regisseur.get(f"/tasks/{task.id}").get_data(as_text=True)
    login(otto)
    editor = client.get(edit_url(draft))
    assert editor.status_code == 200
    page = editor.get_data(as_text=True)
    preview = the_form(page, "/ontwerp/formulier-voorbeeld")
    assert preview == the_form(task_page, f"/tasks/{task.id}")
    assert "Afronden" in preview and "Concept opslaan" in preview
    # the script's preview is the same HTML
    answer = client.post(edit_url(draft) + "/voorbeeld", data=posted(page))
    assert answer.status_code == 200
    assert squeeze(the_form(answer.get_json()["preview"], "/ontwerp/formulier-voorbeeld")) == squeeze(preview)


def test_broken_json_gives_a_clear_message_and_keeps_the_text(client, login, otto, draft):
    login(otto)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    broken = '{\n  "type": "object",\n  "properties": {"a": {"type": "string"},}\n}'
    answer = client.post(edit_url(draft), data=posted(page, **{"editor-bron": broken, "editor-opslaan": "1"}))
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "Er is een probleem" in body and "regel 3, kolom" in body
    assert textarea(body) == broken
    db.session.expire_all()
    assert drafts.draft_or_none(draft.id).revision == 1
    unknown = '{"type": "object", "properties": {"a": {"type": "tekst"}}}'
    answer = client.post(edit_url(draft), data=posted(page, **{"editor-bron": unknown, "editor-voorbeeld": "1"}))
    assert answer.status_code == 422 and "tekst" in answer.get_data(as_text=True)


def test_adding_a_field_without_javascript_shows_it_in_the_list_and_the_preview(client, login, otto, draft):
    login(otto)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    answer = client.post(edit_url(draft), data=posted(page, **{"editor-actie": "add"}))
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert '"veld_1"' in textarea(body) and "Nieuw veld" in the_form(body, "/ontwerp/formulier-voorbeeld")
    # rename it in the list and save: the JSON has it, the draft too
    page = body
    index = len(re.findall(r'name="editor-velden-\d+-naam"', page)) - 1
    data = posted(page, **{f"editor-velden-{index}-titel": "Reden van uitstel", "editor-opslaan": "1"})
    answer = client.post(edit_url(draft), data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    db.session.expire_all()
    saved = drafts.draft_or_none(draft.id)
    assert saved.revision == 2 and '"title": "Reden van uitstel"' in saved.files[f"forms/{FORM}.json"]
    # a new label has no translation yet: the field says which languages lack one (a staff form: English)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    legend = re.search(r"<legend[^>]*>[^<]*Reden van uitstel.*?</legend>", page, re.S).group(0)
    assert "geen vertaling: <span lang=\"en\">English</span></span>" in legend
    assert "geen vertaling" not in re.search(r"<legend[^>]*>Veld 1:.*?</legend>", page, re.S).group(0)


def test_a_conflict_names_who_saved_and_keeps_the_text(client, login, otto, create_user, draft):
    olga = create_user("olga", role="ontwerper", code=None)
    login(otto)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    drafts.save_file(draft.id, f"forms/{FORM}.json", '{"type": "object", "properties": {}}', expected=1,
                     user_id=olga.id)
    db.session.commit()  # Olga's request ended (the harness keeps it in the test's transaction)
    mine = textarea(page).replace("Kennismakingsgesprek en startscenario", "Kennismaking (nieuw)")
    answer = client.post(edit_url(draft), data=posted(page, **{"editor-bron": mine, "editor-opslaan": "1"}))
    assert answer.status_code == 409
    body = answer.get_data(as_text=True)
    assert "Olga heeft het concept opgeslagen" in body and "Kennismaking (nieuw)" in textarea(body)
    db.session.expire_all()
    assert drafts.draft_or_none(draft.id).files[f"forms/{FORM}.json"] == '{"type": "object", "properties": {}}'
    # saving over it is a choice the designer makes explicitly
    answer = client.post(edit_url(draft), data=posted(body, **{"editor-overschrijven": "2"}))
    assert answer.status_code == 302
    db.session.expire_all()
    assert "Kennismaking (nieuw)" in drafts.draft_or_none(draft.id).files[f"forms/{FORM}.json"]


def test_a_new_form_for_a_task_that_has_none(client, login, otto, draft):
    drafts.delete_file(draft.id, f"forms/{FORM}.json", expected=1, user_id=otto.id)
    db.session.commit()
    login(otto)
    listing = client.get(f"/ontwerp/concepten/{draft.id}/formulieren")
    body = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "Taken zonder formulier" in body and f"forms/{FORM}.json" in body
    token = csrf_token(client, f"/ontwerp/concepten/{draft.id}/formulieren")
    answer = client.post(f"/ontwerp/concepten/{draft.id}/formulieren/nieuw",
                         data={"csrf_token": token, "taak": FORM, "revisie": "2"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(edit_url(draft))
    db.session.expire_all()
    assert '"title": "Kennismakingsgesprek' in drafts.draft_or_none(draft.id).files[f"forms/{FORM}.json"]
    again = client.post(f"/ontwerp/concepten/{draft.id}/formulieren/nieuw",
                        data={"csrf_token": token, "taak": FORM, "revisie": "3"})
    assert again.status_code == 422


def test_label_status_reports_a_new_label_and_not_a_translated_one(app, otto, draft):
    files = dict(draft.files)
    files[f"forms/{FORM}.json"] = files[f"forms/{FORM}.json"].replace(
        '"title": "Kennismakingsgesprek en startscenario"',
        '"title": "Kennismakingsgesprek en startscenario", "x-help": "Een heel nieuw hulplabel"')
    with app.test_request_context():
        status = label_status(files)
    missing = {m.label.text: m.languages for m in status.missing}
    assert missing["Een heel nieuw hulplabel"] == ("en",)  # a staff form: English only
    assert "Kennismakingsgesprek en startscenario" not in missing
    assert {m.label.text for m in status.missing} == {"Een heel nieuw hulplabel"}
    # a form a newcomer sees needs every newcomer language
    files["forms/zelfbeoordeling.json"] = files["forms/zelfbeoordeling.json"].replace(
        '"type": "object"', '"type": "object", "description": "Nog een nieuw label"', 1)
    with app.test_request_context():
        status = label_status(files)
    assert {m.label.text: m.languages for m in status.missing}["Nog een nieuw label"] == (
        "en", "ar", "fa", "ti", "uk", "tr")


def test_label_status_page(client, login, otto, draft):
    login(otto)
    answer = client.get(f"/ontwerp/vertalingen?bron=draft-{draft.id}")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "make translations" in body and "Per taal" in body
    assert client.get("/ontwerp/vertalingen?bron=draft-999999").status_code == 404
    assert client.get("/ontwerp/vertalingen").status_code == 200


@pytest.mark.parametrize("changes", [
    {"editor-bron": '{"type": "object", "properties": [1, 2], "required": "a"}', "editor-voorbeeld": "1"},
    {"editor-bron": '{"type": "object", "properties": {"a": {"type": "string", "pattern": "(["}}}',
     "editor-opslaan": "1"},
    {"editor-bron": "[" * 50000, "editor-opslaan": "1"},
    {"editor-basis": "{" * 5000, "editor-velden-0-soort": "bogus", "editor-actie": "remove-99999999999999"},
    {"editor-actie": "up--1", "editor-velden-0-naam": "csrf_token"},
    {"editor-velden-0-oorspronkelijk": "bestaat_niet", "editor-velden-0-ouder": "ook_niet", "editor-revisie": "x"},
    {"editor-velden-0-soort": "choice", "editor-velden-0-opties": "=\n=", "editor-opslaan": "1"},
    {"editor-overschrijven": "9" * 30, "editor-bron": "\x00{}"},
])
def test_hostile_input_gets_an_answer_never_a_crash(client, login, otto, draft, changes):
    login(otto)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    for url in (edit_url(draft), edit_url(draft) + "/voorbeeld"):
        answer = client.post(url, data=posted(page, **changes))
        assert answer.status_code < 500, (url, answer.status_code)


def test_renaming_a_field_a_condition_reads_warns_before_and_after_saving(client, login, otto, draft):
    login(otto)
    page = client.get(edit_url(draft)).get_data(as_text=True)
    assert "niet meer heeft" not in page
    names = re.findall(r'name="editor-velden-(\d+)-naam"[^>]*value="([^"]*)"', page)
    index = next(i for i, name in names if name == "startscenario")
    data = posted(page, **{f"editor-velden-{index}-naam": "scenario", "editor-voorbeeld": "1"})
    body = client.post(edit_url(draft), data=data).get_data(as_text=True)
    warning = body[body.index("Het proces gebruikt velden"):body.index("</ul>", body.index("Het proces gebruikt"))]
    assert "<code>startscenario</code>: voorwaarde" in warning
    assert f'href="/ontwerp/concepten/{draft.id}/modeler/brede_intake.bpmn?element=flow_startscenario_' in warning
    # the live preview's problems part carries it too
    preview = client.post(edit_url(draft) + "/voorbeeld", data=data).get_json()
    assert "startscenario" in preview["problems"] and preview["ok"] is True
    answer = client.post(edit_url(draft), data={**data, "editor-opslaan": "1"}, follow_redirects=True)
    assert "het proces gebruikt nog een veld dat niet meer bestaat: startscenario" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert '"scenario"' in drafts.draft_or_none(draft.id).files[f"forms/{FORM}.json"]


def test_stale_uses_only_names_fields_no_form_has_any_more():
    from portal.designer.form_check import parse, stale_uses
    files = workdir_files()
    path = f"forms/{FORM}.json"
    schema = parse(files[path])[0]
    assert stale_uses(files, path, [schema], schema) == []
    renamed = {**schema, "properties": {("scenario" if k == "startscenario" else k): v
                                        for k, v in schema["properties"].items()}}
    uses = stale_uses(files, path, [schema], renamed)
    assert {(u.key, u.where) for u in uses} == {("startscenario", "condition")}
    # another form still asking the same name: no warning (the name may be read from there)
    other = {**files, "forms/ander.json": '{"type": "object", "properties": {"startscenario": {"type": "string"}}}'}
    assert stale_uses(other, path, [schema], renamed) == []
