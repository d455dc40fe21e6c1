"""The BPMN modeler in the browser: every workflows file survives a load/export round trip (the
spiffworkflow extensions included), and an ontwerper adds a step, sees lint on it, fixes it and saves clean."""

import time

import pytest

from portal.engine.model import read_processes
from portal.engine.parser import source_files
from portal.processes.services import lint_files
from tests.e2e.conftest import ROOT
from tests.e2e.test_designer_browser import axe_outside_canvas


def rendered(page) -> str | None:
    for _ in range(80):
        state = page.evaluate("() => document.querySelector('#diagram')?.getAttribute('data-rendered')")
        if state:
            return state
        time.sleep(0.25)
    return None


def saves_done(page, count: int) -> None:
    for _ in range(80):
        done = page.evaluate("() => Number(document.getElementById('modeler-root').getAttribute('data-saves') || 0)")
        if done >= count:
            return
        time.sleep(0.25)
    raise AssertionError("the save did not finish")


@pytest.fixture
def designer(page, live_server):
    errors: list[str] = []
    # script errors and CSP violations; failed resources through their responses (Chromium's own favicon
    # request is not one of the page's)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    page.goto(f"{live_server}/login")
    page.get_by_label("Gebruikersnaam").fill("ontwerper")
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/ontwerp/")
    page.errors = errors
    return page


def new_draft(page, name: str, basis: str | None = None) -> str:
    page.get_by_role("link", name="Concepten").click()
    page.get_by_label("Naam van het concept").fill(name)
    if basis is not None:
        page.get_by_label("Begin bij").select_option(basis)
    page.get_by_role("button", name="Concept aanmaken").click()
    page.wait_for_url("**/ontwerp/concepten/*")
    return page.url


def test_every_workflows_file_round_trips_through_the_modeler(designer):
    page = designer
    # from the working directory: other tests of this session may have deployed a changed newest version
    draft_url = new_draft(page, "Rondje door de modeler", basis="workdir")
    files = source_files(ROOT / "workflows")
    exported = dict(files)
    for path in sorted(p for p in files if p.startswith("bpmn/")):
        page.goto(f"{draft_url}/modeler/{path.removeprefix('bpmn/')}")
        assert rendered(page) == "true", path
        exported[path] = page.evaluate("() => window.portalModeler.saveXML({format: true}).then(r => r.xml)")
    assert read_processes(exported) == read_processes(files)  # processes, nodes, lanes, properties, timers …
    assert lint_files(exported) == []
    assert page.errors == [], page.errors  # no CSP violation, no script error


def test_designer_adds_a_step_sees_lint_on_it_and_fixes_it(designer, live_server):
    page = designer
    page.get_by_role("link", name="Concepten").click()
    axe_outside_canvas(page, "drafts")
    draft_url = new_draft(page, "Nieuwe stap in de voortgang")
    axe_outside_canvas(page, "draft")
    page.get_by_role("button", name="Uploaden").click()  # no file chosen: the error summary, no JavaScript needed
    assert page.get_by_text("Kies een .bpmn- of .json-bestand.").first.is_visible()
    axe_outside_canvas(page, "draft with an upload error")
    page.get_by_role("link", name="Voortgang en einde van de inburgeringstermijn").click()
    assert rendered(page) == "true"
    axe_outside_canvas(page, "modeler")
    # a user task dropped on the flow from the start to the first script task (the palette does the same)
    task_id = page.evaluate("""() => {
        const m = window.portalModeler, registry = m.get('elementRegistry');
        const flow = registry.get('flow_start_voorbereiden');
        const [a, b] = [flow.waypoints[0], flow.waypoints[flow.waypoints.length - 1]];
        const shape = m.get('elementFactory').createShape({type: 'bpmn:UserTask'});
        m.get('modeling').createShape(shape, {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}, flow);
        m.get('modeling').updateLabel(shape, 'Extra gesprek');
        m.get('selection').select(shape);
        return shape.id;
    }""")
    panel = page.locator("#modeler-panel")
    assert panel.get_by_label("Naam").input_value() == "Extra gesprek"
    panel.get_by_label("Baan (rol)").select_option(label="Teamleider")
    panel.get_by_label("Termijn (dueIn)").fill("P2W")
    panel.get_by_label("Termijn (dueIn)").press("Tab")
    lane = page.evaluate(f"""() => window.portalModeler.get('elementRegistry').filter(e => e.type === 'bpmn:Lane')
        .filter(l => (l.businessObject.flowNodeRef || []).some(n => n.id === '{task_id}'))
        .map(l => l.businessObject.name)""")
    assert lane == ["Teamleider"]
    page.get_by_role("button", name="Opslaan").click()
    saves_done(page, 1)
    # the missing form: marked on the element and listed as file:line [process/element] message
    assert page.locator(f"[data-element-id='{task_id}'].djs-shape.designer-lint-error").count() == 1
    assert page.locator(f".djs-overlays[data-container-id='{task_id}'] .designer-badge--lint").count() == 1
    message = page.locator("#modeler-lint li", has_text=f"[voortgang/{task_id}] no form")
    assert message.count() == 1
    assert "workflows/bpmn/voortgang.bpmn:" in message.inner_text()
    axe_outside_canvas(page, "modeler with lint")
    page.locator("#modeler-panel").click()  # move the selection away, then come back through the message
    page.evaluate("() => window.portalModeler.get('selection').select(null)")
    message.get_by_role("link").click()
    assert page.evaluate("() => window.portalModeler.get('selection').get().map(e => e.id)") == [task_id]
    # the fix: use an existing form for the step
    page.locator("#modeler-panel").get_by_label("Formulierbestand").fill("voortgangsgesprek.json")
    page.locator("#modeler-panel").get_by_label("Formulierbestand").press("Tab")
    page.get_by_role("button", name="Opslaan").click()
    saves_done(page, 2)
    assert page.locator("#modeler-lint-summary").inner_text() == "De controle vond geen problemen in het concept."
    assert page.locator(".designer-lint-error").count() == 0
    # a colleague saves in between (another tab): the next save here is refused, nothing is overwritten
    page.evaluate("""() => {
        const root = document.getElementById('modeler-root'), config = JSON.parse(root.dataset.config);
        return window.portalModeler.saveXML().then(r => fetch(config.saveUrl, {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': config.csrf},
            body: JSON.stringify({xml: r.xml, revision: Number(root.dataset.revision)})}));
    }""")
    page.locator("#modeler-panel").get_by_label("Naam").fill("Extra gesprek (overschreven?)")
    page.locator("#modeler-panel").get_by_label("Naam").press("Tab")
    page.get_by_role("button", name="Opslaan").click()
    saves_done(page, 3)
    conflict = page.locator("#modeler-conflict")
    assert conflict.is_visible() and "heeft het concept intussen opgeslagen (revisie 4)" in conflict.inner_text()
    assert conflict.get_by_role("button", name="Opnieuw laden").is_visible()
    axe_outside_canvas(page, "modeler with a conflict")
    page.once("dialog", lambda dialog: dialog.accept())
    conflict.get_by_role("button", name="Opnieuw laden").click()
    assert rendered(page) == "true"
    # the draft page (no JavaScript needed) agrees; the saved XML carries the properties
    page.goto(draft_url)
    assert page.get_by_text("De controle vond geen problemen in dit concept.").is_visible()
    xml = page.evaluate(f"""() => fetch('{draft_url}/bpmn/voortgang.bpmn').then(r => r.json()).then(d => d.xml)""")
    assert f'<bpmn:userTask id="{task_id}" name="Extra gesprek">' in xml  # not the refused rename
    assert '<spiffworkflow:property name="dueIn" value="P2W" />' in xml
    assert '<spiffworkflow:property name="formJsonSchemaFilename" value="voortgangsgesprek.json" />' in xml
    expected = ("400 " + draft_url + "/bestand", "409 " + draft_url + "/opslaan/voortgang.bpmn")  # refused on purpose
    assert [e for e in page.errors if e not in expected] == [], page.errors


def test_the_panel_edits_timers_conditions_scripts_and_actions(designer):
    """What the panel changes is what the portal's own model reads back from the exported XML."""
    page = designer
    draft_url = new_draft(page, "Panel")
    page.goto(f"{draft_url}/modeler/voortgang.bpmn?element=timer_zelfbeoordeling")
    assert rendered(page) == "true"
    panel = page.locator("#modeler-panel")

    def edit(label: str, value: str) -> None:
        panel.get_by_label(label, exact=True).fill(value)
        panel.get_by_label(label, exact=True).press("Tab")

    panel.get_by_label("Soort timer").select_option("timeDuration")
    edit("Timer-expressie", '"P3D"')

    def select(element_id: str) -> None:
        page.evaluate(f"() => window.portalModeler.get('selection').select("
                      f"window.portalModeler.get('elementRegistry').get('{element_id}'))")

    select("flow_stagnatie_ja")
    edit("Voorwaarde (conditionExpression)", 'beoordeling["stagnatie"] and True')
    select("volgend_gesprek_plannen")
    edit("Script", "volgend_gesprek = today()")
    edit("Script vooraf (preScript)", "x = 1")
    select("zelfbeoordeling")
    panel.get_by_label("Portaalactie (portalAction)").select_option(index=1)
    action = panel.get_by_label("Portaalactie (portalAction)").input_value()
    edit("Eerdere antwoorden tonen (showSteps)", "voortgangsgesprek")
    xml = page.evaluate("() => window.portalModeler.saveXML({format: true}).then(r => r.xml)")
    files = source_files(ROOT / "workflows")
    process = read_processes({**files, "bpmn/voortgang.bpmn": xml})["voortgang"]
    assert process.nodes["timer_zelfbeoordeling"].timer == 'timeDuration: "P3D"'
    assert process.flows["flow_stagnatie_ja"].condition == 'beoordeling["stagnatie"] and True'
    assert process.nodes["volgend_gesprek_plannen"].script == "volgend_gesprek = today()\npreScript: x = 1"
    properties = dict(process.nodes["zelfbeoordeling"].properties)
    assert properties["portalAction"] == action and properties["showSteps"] == "voortgangsgesprek"
    assert page.errors == [], page.errors


def test_the_modeler_works_from_the_keyboard(designer):
    """Choose an element, add a step after it, name it, connect it and remove it, with no mouse; the canvas's
    own shortcuts work once Tab reaches it."""
    page = designer
    draft_url = new_draft(page, "Toetsenbord")
    page.goto(f"{draft_url}/modeler/voortgang.bpmn")
    assert rendered(page) == "true"
    axe_outside_canvas(page, "modeler keyboard tools")
    chooser = page.get_by_label("Element kiezen")
    chooser.focus()
    chooser.select_option("zelfbeoordeling")
    assert page.evaluate("() => window.portalModeler.get('selection').get().map(e => e.id)") == ["zelfbeoordeling"]
    assert page.locator("#modeler-panel").get_by_label("ID").input_value() == "zelfbeoordeling"
    page.get_by_label("Nieuw element na het gekozen element").select_option(label="Gebruikerstaak")
    page.get_by_role("button", name="Toevoegen", exact=True).focus()
    page.keyboard.press("Enter")
    new_id = page.evaluate("() => window.portalModeler.get('selection').get().map(e => e.id)[0]")
    assert new_id != "zelfbeoordeling"
    assert page.evaluate("() => document.activeElement.closest('#modeler-panel') !== null")
    assert "Gebruikerstaak toegevoegd na" in page.locator("#modeler-status").inner_text()
    name = page.locator("#modeler-panel").get_by_label("Naam")
    name.focus()
    page.keyboard.type("Extra check")
    page.keyboard.press("Tab")
    incoming = page.evaluate(f"""() => window.portalModeler.get('elementRegistry').get('{new_id}')
        .incoming.map(c => c.source.id)""")
    assert incoming == ["zelfbeoordeling"]
    assert chooser.input_value() == new_id and "Extra check" in page.locator(
        f"#modeler-element option[value='{new_id}']").inner_text()
    # an arrow from the new step to the end of the term
    end = page.evaluate("""() => window.portalModeler.get('elementRegistry')
        .filter(e => e.type === 'bpmn:EndEvent')[0].id""")
    page.get_by_label("Pijl van het gekozen element naar").select_option(end)
    page.get_by_role("button", name="Verbinden").focus()
    page.keyboard.press("Enter")
    outgoing = page.evaluate(f"""() => window.portalModeler.get('elementRegistry').get('{new_id}')
        .outgoing.map(c => [c.type, c.target.id])""")
    assert outgoing == [["bpmn:SequenceFlow", end]]
    # remove it with the button, and another element with Delete on the focused canvas
    page.get_by_role("button", name="Gekozen element verwijderen").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(f"() => window.portalModeler.get('elementRegistry').get('{new_id}') === undefined")
    chooser.select_option("timer_zelfbeoordeling")
    page.locator("#diagram svg").first.focus()
    page.keyboard.press("Delete")
    assert page.evaluate("() => window.portalModeler.get('elementRegistry').get('timer_zelfbeoordeling') === undefined")
    page.keyboard.press("Control+z")
    assert page.evaluate("() => !!window.portalModeler.get('elementRegistry').get('timer_zelfbeoordeling')")
    assert page.errors == [], page.errors
