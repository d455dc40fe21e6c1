"""Which labels of a process set lack a translation, per language.

The labels are exactly what ``pybabel extract`` takes from the designer's files (the extractors of
:mod:`portal.engine.babel_extract`: BPMN names, form titles, descriptions, ``x-help`` and choice titles).
They are looked up in the catalogs the app has loaded (Flask-Babel). English is needed for every label;
the newcomer languages only for the labels a newcomer can see: the forms ``babel-newcomer.cfg`` lists
(there with ``only = choices`` just their choices' titles). A label added in the designer reaches the
catalogs through ``make translations`` (extract and update), then its translation and ``make setup``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.extract import pathmatch
from babel.messages.frontend import parse_mapping_cfg
from flask_babel import force_locale, get_translations

from portal.config import PROJECT_ROOT
from portal.engine.babel_extract import extract_bpmn_names, extract_form_schema

#: Every label needs English (the staff language beside Dutch, the source).
STAFF_LANGUAGES = ("en",)
#: The languages a newcomer may read; needed for the labels a newcomer sees.
NEWCOMER_LANGUAGES = ("ar", "fa", "ti", "uk", "tr")
LANGUAGES = STAFF_LANGUAGES + NEWCOMER_LANGUAGES
NEWCOMER_CONFIG = PROJECT_ROOT / "babel-newcomer.cfg"


@dataclass(frozen=True)
class Label:
    text: str
    file: str  # "forms/x.json", "bpmn/y.bpmn"
    line: int
    newcomer: bool  # a newcomer can see it: needed in every newcomer language

    @property
    def languages(self) -> tuple[str, ...]:
        return LANGUAGES if self.newcomer else STAFF_LANGUAGES


@dataclass(frozen=True)
class Missing:
    label: Label
    languages: tuple[str, ...]


@dataclass(frozen=True)
class LabelStatus:
    labels: tuple[Label, ...]
    missing: tuple[Missing, ...]
    unreadable: tuple[str, ...]  # files the extractor cannot read (broken JSON or XML)

    def counts(self) -> list[tuple[str, int, int]]:
        """(language, labels needed, labels missing) per language."""
        return [(lang, sum(lang in label.languages for label in self.labels),
                 sum(lang in m.languages for m in self.missing)) for lang in LANGUAGES]


@lru_cache(maxsize=4)
def _newcomer_forms(config: Path, mtime: float) -> tuple[tuple[str, bool], ...]:
    """(pattern, only choices) for every form schema section of ``babel-newcomer.cfg``."""
    with config.open(encoding="utf-8") as fh:
        methods, options = parse_mapping_cfg(fh)
    return tuple((pattern, (options.get(pattern) or {}).get("only") == "choices")
                 for pattern, method in methods if method == "portal_form_schema")


def newcomer_scope(path: str) -> str | None:
    """For a form file of a set (``forms/x.json``): "all" when a newcomer sees its labels, "choices" when only
    its choices' titles, None when only staff see it."""
    if not NEWCOMER_CONFIG.exists():
        return None
    target = f"workflows/{path}"
    scope = None
    for pattern, only_choices in _newcomer_forms(NEWCOMER_CONFIG, NEWCOMER_CONFIG.stat().st_mtime):
        if pathmatch(pattern, target):
            scope = "choices" if only_choices and scope is None else "all"
    return scope


def _extract(path: str, text: str, options: dict | None = None) -> list[tuple[int, str]]:
    data = io.BytesIO(text.encode("utf-8"))
    if path.startswith("forms/") and path.endswith(".json"):
        found = extract_form_schema(data, [], [], options or {})
    elif path.startswith("bpmn/") and path.endswith(".bpmn"):
        found = extract_bpmn_names(data, [], [], {})
    else:
        return []
    return [(line, message) for line, _func, message, _comments in found]


def labels_of(files: dict[str, str]) -> tuple[list[Label], list[str]]:
    """Every label of ``files`` in file order, and the files that cannot be read."""
    labels, unreadable = [], []
    for path in sorted(files):
        try:
            found = _extract(path, files[path])
            scope = newcomer_scope(path) if path.startswith("forms/") else None
            shown = {m for _line, m in _extract(path, files[path], {"only": "choices"})} if scope == "choices" \
                else set()
        except (ValueError, SyntaxError, RecursionError):  # JSONDecodeError, XMLSyntaxError
            unreadable.append(path)
            continue
        labels.extend(Label(message, path, line, scope == "all" or message in shown) for line, message in found)
    return labels, unreadable


def translated(language: str) -> frozenset[str]:
    """The message ids the loaded catalog of ``language`` translates (an untranslated or fuzzy entry is not
    in a compiled catalog)."""
    with force_locale(language):
        catalog = get_translations()
    return _ids(catalog)


@lru_cache(maxsize=16)
def _ids(catalog) -> frozenset[str]:
    # gettext.GNUTranslations keeps its messages in _catalog; a msgid translated to the same word is still
    # translated, which comparing gettext(x) with x would miss. Flask-Babel keeps one catalog object per
    # language, so this is computed once per language and process.
    return frozenset(key for key, value in getattr(catalog, "_catalog", {}).items()
                     if isinstance(key, str) and value)


def label_status(files: dict[str, str]) -> LabelStatus:
    labels, unreadable = labels_of(files)
    known = {language: translated(language) for language in LANGUAGES}
    missing = []
    for label in labels:
        lacking = tuple(lang for lang in label.languages if label.text not in known[lang])
        if lacking:
            missing.append(Missing(label, lacking))
    return LabelStatus(tuple(labels), tuple(missing), tuple(unreadable))


def missing_for(texts: list[str], path: str, choice_texts: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The languages that lack a translation of any of ``texts`` of one field of the form ``path`` (for the
    editor's per-field marker); ``choice_texts`` are the texts among them that are choices' titles."""
    scope = newcomer_scope(path)
    lacking = []
    for language in LANGUAGES:
        needed = [t for t in texts if t.strip()] if language in STAFF_LANGUAGES or scope == "all" else \
            [t for t in texts if t in choice_texts] if scope == "choices" else []
        if needed and any(t not in translated(language) for t in needed):
            lacking.append(language)
    return tuple(lacking)
