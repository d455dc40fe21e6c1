"""Babel extractors for process designers' files, so form labels and step names are translatable.

``babel.cfg`` maps ``workflows/forms/*.json`` to :func:`extract_form_schema` and
``workflows/bpmn/*.bpmn`` to :func:`extract_bpmn_names`; ``pybabel extract`` then puts them in the
same catalog as the templates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

TRANSLATABLE_KEYS = ("title", "description", "x-help")
#: Every element whose name a page shows: worklists and case pages (tasks, wait states) and the designer's and
#: the case's step table (all flow nodes and lanes).
NAMED_ELEMENTS = {"process", "userTask", "intermediateCatchEvent", "subProcess", "callActivity", "lane",
                  "scriptTask", "serviceTask", "sendTask", "receiveTask", "manualTask", "businessRuleTask", "task",
                  "startEvent", "endEvent", "boundaryEvent", "intermediateThrowEvent", "exclusiveGateway",
                  "parallelGateway", "inclusiveGateway", "eventBasedGateway"}


def _walk(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key in TRANSLATABLE_KEYS:
            if isinstance(node.get(key), str) and node[key].strip():
                yield node[key]
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _walk_choices(node: Any) -> Iterator[str]:
    """Only the titles of choices (``oneOf`` options): the words a record shows for its stored codes."""
    if isinstance(node, dict):
        for option in node.get("oneOf") or []:
            if isinstance(option, dict) and isinstance(option.get("title"), str):
                yield option["title"]
        for value in node.values():
            yield from _walk_choices(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_choices(item)


def extract_form_schema(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Yield (lineno, funcname, message, comments) for every label and help text in a form schema.

    With the option ``only = choices`` (a section option in a babel .cfg) only the choices' titles: the
    newcomer's pages show a staff form's choices (a ladder rung, a goal's status), not its questions.
    """
    text = fileobj.read().decode("utf-8")
    schema = json.loads(text)
    lines = text.splitlines()
    seen = set()
    walk = _walk_choices if (options or {}).get("only") == "choices" else _walk
    for message in walk(schema):
        if message in seen:
            continue
        seen.add(message)
        needle = json.dumps(message, ensure_ascii=False)
        lineno = next((i for i, line in enumerate(lines, start=1) if needle in line), 1)
        yield lineno, "gettext", message, ["form schema"]


def extract_bpmn_names(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Yield the names of processes, lanes and flow nodes (shown on worklists, case pages and step tables)."""
    tree = etree.parse(fileobj)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname in NAMED_ELEMENTS and element.get("name"):
            yield element.sourceline, "gettext", element.get("name"), ["BPMN name"]
