"""What the draft pages and the modeler need: a draft's files, its lint (as rows the canvas can mark)
and saving one file from the modeler or an upload.

Lint is :func:`portal.processes.services.lint_files`, the same check ``portal bpmn lint`` and deploy
run; its messages name ``file:line [process/element]``, so the modeler can mark the element.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from flask_babel import gettext as _

from portal.designer.drafts import DraftError, save_file
from portal.designer.models import ProcessDraft
from portal.engine.model import ProcessModel
from portal.engine.parser import digest_files
from portal.processes.services import lint_files

#: A BPMN or form file's name inside its folder (what URLs carry): no folders, no dots in front.
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$")
LINT_FOLDER = "workflows/"


@dataclass(frozen=True)
class LintRow:
    file: str  # as lint names it: workflows/bpmn/pip.bpmn
    line: int
    process: str | None
    element: str | None
    message: str

    @property
    def path(self) -> str:
        """The draft's name of the file (``bpmn/pip.bpmn``)."""
        return self.file.removeprefix(LINT_FOLDER)

    @property
    def where(self) -> str:
        return "/".join(part for part in (self.process, self.element) if part)

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.where}] {self.message}"

    def as_json(self) -> dict:
        return {**asdict(self), "path": self.path, "text": str(self)}


_lint_cache: dict[str, list[LintRow]] = {}


def lint_draft(files: dict[str, str]) -> list[LintRow]:
    """Lint every file of a draft (cached per set of files: a draft page is read more often than saved)."""
    digest = digest_files(files)
    if digest not in _lint_cache:
        if len(_lint_cache) >= 32:
            _lint_cache.clear()
        rows = []
        for message in lint_files(files):
            process, _slash, element = message.where.partition("/")
            rows.append(LintRow(message.file, message.line, process or None, element or None, message.message))
        _lint_cache[digest] = rows
    return _lint_cache[digest]


@dataclass(frozen=True)
class BpmnFile:
    name: str  # pip.bpmn
    processes: tuple[tuple[str, str], ...]  # (id, label) of the processes drawn in it
    problems: int


def bpmn_files(draft: ProcessDraft, processes: dict[str, ProcessModel] | None,
               lint: list[LintRow]) -> list[BpmnFile]:
    found = []
    for path in sorted(draft.files):
        if path.startswith("bpmn/"):
            drawn = tuple((p.id, p.label) for p in (processes or {}).values() if p.file == path)
            found.append(BpmnFile(path.removeprefix("bpmn/"), drawn, sum(1 for row in lint if row.path == path)))
    return found


def form_files(draft: ProcessDraft) -> list[str]:
    return sorted(path.removeprefix("forms/") for path in draft.files if path.startswith("forms/"))


def path_for(filename: str) -> str:
    """The draft path of an uploaded file by its extension (``x.bpmn`` → ``bpmn/x.bpmn``).

    :raises DraftError: not a .bpmn or .json file, or a name that cannot be a workflows file.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not FILE_NAME.match(name):
        raise DraftError(_("Ongeldige bestandsnaam: gebruik letters, cijfers, _ en - (bijvoorbeeld pip.bpmn)."))
    if name.endswith(".bpmn"):
        return f"bpmn/{name}"
    if name.endswith(".json"):
        return f"forms/{name}"
    raise DraftError(_("Kies een .bpmn- of .json-bestand."))


def decode(data: bytes, filename: str) -> str:
    """:raises DraftError: the bytes are not UTF-8 text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DraftError(_("%(name)s is geen UTF-8-tekst.", name=filename)) from None


def save_bpmn(draft_id: int, name: str, xml: str, *, expected: int, user_id: int | None) -> ProcessDraft:
    """Save the modeler's XML as ``bpmn/<name>`` of the draft.

    :raises DraftConflict: somebody saved since ``expected``.
    :raises DraftError: a bad name, too large, not BPMN XML at all, or the draft is closed.
    """
    if not name.endswith(".bpmn"):  # the rest of the name is checked with the whole draft (check_files)
        raise DraftError(_("Ongeldige bestandsnaam."))
    if "<" not in xml[:1000] or "definitions" not in xml[:5000]:
        raise DraftError(_("Dit is geen BPMN-bestand (geen bpmn:definitions)."))
    return save_file(draft_id, f"bpmn/{name}", xml, expected=expected, user_id=user_id)
