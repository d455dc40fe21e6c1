"""The screenshots in docs/screenshots/, made from the demo: the case page, the worklist, the PIP form and the
newcomer's plan (Dutch and Arabic, on a phone). Runs only when asked, with the folder to write to:

    PORTAL_SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest tests/e2e/test_screenshots_browser.py

(The Arabic change list before signing version 2 comes from tests/e2e/test_plan_walk_browser.py with the same
variable.) Each picture is reduced to 256 colours, as the README's pictures are."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

SHOTS = os.environ.get("PORTAL_SCREENSHOTS_DIR")
pytestmark = pytest.mark.skipif(not SHOTS, reason="set PORTAL_SCREENSHOTS_DIR to make the README's screenshots")
DESKTOP = {"width": 960, "height": 900}
PHONE = {"width": 390, "height": 844}


def save(page, name: str, max_height: int = 1950) -> None:
    """A full-page picture, cut at ``max_height`` px, in 256 colours."""
    save_screenshot(page, Path(SHOTS) / f"{name}.png", max_height)


def save_screenshot(page, path: Path, max_height: int = 1950) -> None:
    from io import BytesIO

    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
    width = page.viewport_size["width"]
    picture = page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
    Image.open(BytesIO(picture)).convert("RGB").quantize(256).save(path, optimize=True)


def save_part(page, selector: str, name: str) -> None:
    """A picture of one part of the page (and what follows it: the button that adds a row), in 256 colours."""
    from io import BytesIO

    from PIL import Image

    box = page.locator(selector).bounding_box()
    top = max(box["y"] + page.evaluate("window.scrollY") - 8, 0)
    picture = page.screenshot(full_page=True, clip={"x": 0, "y": top, "width": page.viewport_size["width"],
                                                    "height": box["height"] + 96})
    Image.open(BytesIO(picture)).convert("RGB").quantize(256).save(Path(SHOTS) / f"{name}.png", optimize=True)


def sign_in(page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill("demo-wachtwoord")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def choose_language(page, code: str) -> None:
    page.locator("#language-switcher").select_option(code)
    page.locator("form:has(#language-switcher) button[type=submit]").click()
    page.wait_for_load_state()


def test_staff_screenshots(browser, live_server):
    context = browser.new_context(locale="nl-NL", viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, live_server, "regisseur")
    save(page, "worklist-regisseur-nl", 1400)
    page.goto(f"{live_server}/cases/?q=Haidari")
    page.locator("table a").first.click()
    page.get_by_role("heading", name=re.compile("Samenvatting")).wait_for()
    save(page, "case-page-regisseur-nl")
    page.goto(f"{live_server}/tasks/")
    page.get_by_role("link", name=re.compile("PIP opstellen")).first.click()
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))
    rows = page.locator("[data-rows='doelen'] > [data-row]")
    goals = [("taal_en_leerbaarheid", "B1 halen", "Taalles vier ochtenden per week", "taalschool"),
             ("opleiding_en_werk", "Werkervaring in de zorg", "Stage zoeken bij het verpleeghuis", "werkplein"),
             ("gezin_en_kinderopvang", "Kinderopvang voor de kinderen", "Aanmelden bij de opvang", "inburgeraar")]
    for index, (domain, aim, action, who) in enumerate(goals):
        if rows.count() <= index:
            page.get_by_role("button", name="Nog een doel toevoegen").click()
        page.locator(f"#doelen-{index}-leefgebied").select_option(domain)
        page.locator(f"#doelen-{index}-doel").fill(aim)
        page.locator(f"#doelen-{index}-actie").fill(action)
        page.locator(f"#doelen-{index}-wie").select_option(who)
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring, no skip link
    save_part(page, "[data-rows='doelen']", "pip-form-goals-nl")
    context.close()


def test_newcomer_plan_screenshots(browser, live_server):
    context = browser.new_context(locale="ar", viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, "amina")
    assert page.locator("html").get_attribute("dir") == "rtl"
    save(page, "newcomer-plan-ar-phone", 2400)
    choose_language(page, "nl")
    try:
        assert page.locator("html").get_attribute("lang") == "nl"
        save(page, "newcomer-plan-nl-phone", 2400)
    finally:
        choose_language(page, "ar")  # the demo's Amina reads Arabic; other tests expect it
    context.close()
