"""The process designer in the browser: the current version's diagram renders with per-node counts,
call activities open their process, the diff page; axe clean outside the canvas (nl and en)."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import AXE_JS, WCAG_TAGS


def rendered(page) -> str | None:
    """Wait for designer.js to finish drawing (poll with evaluate: the CSP forbids wait_for_function)."""
    for _ in range(80):
        state = page.evaluate("() => document.querySelector('#diagram')?.getAttribute('data-rendered')")
        if state:
            return state
        time.sleep(0.25)
    return None


def axe_outside_canvas(page, context: str) -> None:
    axe = Axe.from_file(str(AXE_JS)) if AXE_JS.exists() else Axe()
    results = axe.run(page, context={"exclude": [["#diagram"]]},
                      options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.response["passes"], f"{context}: axe ran no rules"
    violations = results.response["violations"]
    assert violations == [], f"{context}: " + "; ".join(
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations)


@pytest.fixture
def as_designer(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("Gebruikersnaam").fill("ontwerper")
    page.get_by_label("Wachtwoord").fill("demo-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/ontwerp/")
    return page


def test_designer_opens_the_current_version_and_sees_counts_on_the_diagram(as_designer, live_server):
    page = as_designer
    assert page.get_by_role("heading", name="Procesversies").is_visible()
    axe_outside_canvas(page, "versions")
    page.get_by_role("link", name="Versie 1").first.click()
    axe_outside_canvas(page, "version")
    page.get_by_role("link", name="Inburgering", exact=True).click()
    assert rendered(page) == "true"
    shapes = page.evaluate("() => [...document.querySelectorAll('#diagram .djs-element[data-element-id]')]"
                           ".map(e => e.getAttribute('data-element-id'))")
    assert {"brede_intake_uitvoeren", "pip_uitvoeren", "zorg_gemeld"} <= set(shapes)
    # the demo's cases wait in the intake: its call activity carries a count badge and a heat marker
    badge = page.locator(".djs-overlays[data-container-id='brede_intake_uitvoeren'] .designer-badge--count")
    assert int(badge.first.inner_text()) >= 1
    table_count = page.locator("#node-brede_intake_uitvoeren td").last.inner_text()
    assert badge.first.inner_text() == table_count
    assert page.locator("[data-element-id='brede_intake_uitvoeren'].djs-shape[class*='designer-heat-']").count() == 1
    axe_outside_canvas(page, "diagram")
    page.locator("[data-element-id='pip_uitvoeren'].djs-shape").click()  # a call activity opens its process
    page.wait_for_url("**/proces/pip")
    assert rendered(page) == "true"
    page.get_by_role("link", name="Verschil").click()
    page.get_by_role("button", name="Vergelijken").click()
    assert page.get_by_text("0 toegevoegd, 0 verwijderd, 0 gewijzigd.").is_visible()
    axe_outside_canvas(page, "diff")


def test_designer_pages_in_english(as_designer, live_server):
    page = as_designer
    page.select_option("#language-switcher", "en")
    page.get_by_role("button", name="Kies taal").click()
    page.goto(f"{live_server}/ontwerp/versies/1/proces/brede_intake")
    assert page.locator("html").get_attribute("lang") == "en"
    assert rendered(page) == "true"
    axe_outside_canvas(page, "diagram (en)")
    page.select_option("#language-switcher", "nl")  # the demo user's language, for the tests after this one
    page.locator(".portal-language button").click()


def test_regisseur_sees_where_a_case_is(page, live_server, log_in):
    log_in("regisseur")
    page.goto(f"{live_server}/cases/")
    href = page.locator("table a[href^='/cases/']").first.get_attribute("href")
    case_id = href.strip("/").split("/")[1]
    page.goto(f"{live_server}/cases/{case_id}/proces")
    assert page.get_by_role("heading", name="Waar staat dossier").is_visible()
    assert rendered(page) == "true"
    assert page.locator("#diagram .djs-shape[class*='designer-mark-active']").count() >= 1
    assert page.locator(".designer-badge--active").count() >= 1  # "nu" on the canvas, not colour alone
    axe_outside_canvas(page, "case position")
