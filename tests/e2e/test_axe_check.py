"""The axe fixture itself: it must be able to fail, or every "accessible" browser test proves nothing."""

import pytest


def test_axe_check_fails_on_a_page_with_violations(page, axe_check_page):
    page.set_content('<!DOCTYPE html><html lang="nl"><head><title>Proef</title></head><body><main>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<input type="text" id="naam"></main></body></html>')
    with pytest.raises(AssertionError) as failed:
        axe_check_page(page, "broken page")
    assert "image-alt" in str(failed.value) and "label" in str(failed.value)


def test_axe_check_passes_a_clean_page(page, axe_check_page):
    page.set_content('<!DOCTYPE html><html lang="nl"><head><title>Proef</title></head><body><main>'
                     '<h1>Proef</h1><label for="naam">Naam</label><input type="text" id="naam"></main></body></html>')
    axe_check_page(page, "clean page")
