"""Fill the translation catalogs after `make translations`.

    python scripts/po.py missing                JSON {locale: {msgid: ""}} of what is untranslated
                                                (en: every text; ar fa ti uk tr: the texts a newcomer
                                                can see, as tests/test_translations.py asks)
    python scripts/po.py fill FILE.json ...     set msgstr from {locale: {msgid: text}}; a plural
                                                entry takes a list of texts

Branches that add texts keep their translations in translations/pending/<branch>.json (same shape);
whoever merges runs `make translations`, fills from the pending file and deletes it.
"""

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["en", "ar", "fa", "ti", "uk", "tr"]


def po_path(locale: str) -> Path:
    return ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str):
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def save(locale: str, catalog) -> None:
    with po_path(locale).open("wb") as fh:
        write_po(fh, catalog, width=120, omit_header=False)


def key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return message.fuzzy or not all(strings)


def newcomer_ids() -> set[str]:
    target = ROOT / "translations" / "newcomer.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel-newcomer.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(target), "."], cwd=ROOT, check=True)
    with target.open("rb") as fh:
        return {key(m) for m in read_po(fh) if m.id}


def missing() -> dict:
    newcomer = newcomer_ids()
    out = {}
    for locale in LOCALES:
        catalog = load(locale)
        todo = {key(m): "" for m in catalog if m.id and untranslated(m) and (locale == "en" or key(m) in newcomer)}
        if todo:
            out[locale] = todo
    return out


def fill(files: list[str]) -> None:
    wanted: dict[str, dict] = {}
    for name in files:
        for locale, texts in json.loads(Path(name).read_text(encoding="utf-8")).items():
            wanted.setdefault(locale, {}).update(texts)
    for locale, texts in wanted.items():
        catalog = load(locale)
        filled = 0
        for message in catalog:
            if message.id and key(message) in texts and texts[key(message)]:
                text = texts[key(message)]
                message.string = tuple(text) if isinstance(message.id, tuple) else text
                message.flags.discard("fuzzy")
                filled += 1
        save(locale, catalog)
        print(f"{locale}: {filled} filled", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:2] == ["missing"]:
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    elif sys.argv[1:2] == ["fill"]:
        fill(sys.argv[2:])
    else:
        sys.exit(__doc__)
