"""The staff UI exists in Dutch (source) and English: the English catalog is complete and current."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def first(value):
    return value[0] if isinstance(value, tuple) else value


def test_english_catalog_is_complete_with_matching_placeholders():
    english = catalog(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po")
    problems = []
    for message in english:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {first(message.id)!r}")
        elif sorted(PLACEHOLDER.findall(first(message.id))) != sorted(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {first(message.id)!r}")
    assert problems == []


NEWCOMER_LOCALES = ["ar", "fa", "ti", "uk", "tr"]


def extract(config: str, target: Path) -> set[str]:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", config, "-k", "_l",
                    "-k", "lazy_gettext", "-o", str(target), "."], cwd=ROOT, check=True, capture_output=True)
    return {first(m.id) for m in catalog(target) if m.id}


@pytest.fixture(scope="module")
def newcomer_texts(tmp_path_factory) -> frozenset[str]:
    """What a newcomer can see, extracted once for all languages (an extraction takes seconds)."""
    return frozenset(extract("babel-newcomer.cfg", tmp_path_factory.mktemp("pot") / "newcomer.pot"))


@pytest.mark.parametrize("locale", NEWCOMER_LOCALES)
def test_every_text_a_newcomer_sees_is_translated(newcomer_texts, locale):
    """Newcomer pages, their PDFs and the plan's labels exist in each newcomer language (draft quality)."""
    needed = set(newcomer_texts)
    problems = []
    for message in catalog(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"):
        if not message.id or first(message.id) not in needed:
            continue
        needed.discard(first(message.id))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {first(message.id)!r}")
        elif any(sorted(PLACEHOLDER.findall(first(message.id))) != sorted(PLACEHOLDER.findall(s)) for s in strings):
            problems.append(f"placeholders differ: {first(message.id)!r}")
    assert problems == [] and needed == set(), (problems[:10], sorted(needed)[:10])


def test_catalog_holds_every_string_in_the_code(tmp_path):
    """Fails when someone adds a text without running `make translations` (extract + update)."""
    pot = tmp_path / "now.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    in_code = {first(m.id) for m in catalog(pot) if m.id}
    translated = {first(m.id) for m in catalog(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po") if m.id}
    assert sorted(in_code - translated) == []
