"""Drafts: a server-side working copy of ``workflows/`` that designers change in the browser.

Every change names the revision it started from; a change made on an older revision is refused with
:class:`DraftConflict` (who saved in between, and when) instead of silently overwriting a colleague's
work. The draft row is locked for the check-and-write, so two saves at once cannot both pass.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import undefer

from portal.audit.services import record
from portal.db import utcnow
from portal.designer.models import ProcessDraft
from portal.extensions import db
from portal.processes.services import bad_file_names

#: Limits that keep a draft a process set, not a file store.
MAX_FILE_CHARS = 2_000_000
MAX_FILES = 300
MAX_NAME_CHARS = 120

DRAFT_PREFIX = "draft-"


class DraftError(ValueError):
    """A change that cannot be made (bad file name, too large, draft closed); the message says why."""


class DraftConflict(Exception):
    """The draft was saved by somebody else since ``expected`` was read."""

    def __init__(self, draft: ProcessDraft, expected: int):
        super().__init__(f"draft {draft.id} is at revision {draft.revision}, not {expected}")
        self.draft = draft
        self.expected = expected


def source_name(draft: ProcessDraft) -> str:
    """The name by which diff, lint and deploy refer to a draft (``draft-<id>``)."""
    return f"{DRAFT_PREFIX}{draft.id}"


def draft_id_of(source: str) -> int | None:
    """The draft id in a source name ``draft-<id>``; None when ``source`` names no draft."""
    number = source.removeprefix(DRAFT_PREFIX)
    if source.startswith(DRAFT_PREFIX) and number.isdigit() and len(number) <= 9:
        return int(number)
    return None


def draft_or_none(draft_id: int, *, lock: bool = False) -> ProcessDraft | None:
    query = select(ProcessDraft).where(ProcessDraft.id == draft_id).options(undefer(ProcessDraft.files))
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def open_drafts() -> list[ProcessDraft]:
    return list(db.session.scalars(select(ProcessDraft).where(ProcessDraft.status == "open")
                                   .order_by(ProcessDraft.updated_at.desc(), ProcessDraft.id.desc())))


def check_files(files: dict[str, str]) -> None:
    """:raises DraftError: a name is not ``bpmn/*.bpmn`` / ``forms/*.json``, or the set is too large."""
    bad = bad_file_names(files)
    if bad:
        raise DraftError(_("Geen bestand van workflows/: %(names)s", names=", ".join(sorted(bad)[:5])))
    if len(files) > MAX_FILES:
        raise DraftError(_("Te veel bestanden: %(count)d (hoogstens %(most)d).", count=len(files), most=MAX_FILES))
    too_large = sorted(name for name, text in files.items() if len(text) > MAX_FILE_CHARS)
    if too_large:
        raise DraftError(_("Bestand te groot: %(name)s", name=too_large[0]))


def create_draft(name: str, files: dict[str, str], *, user_id: int | None,
                 base_version_id: int | None = None) -> ProcessDraft:
    """A new open draft holding ``files`` (a version's files, the working directory's, an upload)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise DraftError(_("Geef het concept een naam van 1 tot %(most)d tekens.", most=MAX_NAME_CHARS))
    check_files(files)
    draft = ProcessDraft(name=name, files=dict(files), base_version_id=base_version_id, revision=1,
                         created_by_id=user_id, updated_by_id=user_id, status="open")
    db.session.add(draft)
    db.session.flush()
    record("write", f"process_draft:{draft.id}", "designer.draft_create", user_id=user_id,
           detail={"files": len(files), "base_version_id": base_version_id})
    return draft


def _locked_open(draft_id: int, expected: int) -> ProcessDraft:
    draft = draft_or_none(draft_id, lock=True)
    if draft is None:
        raise LookupError(draft_id)
    if draft.status != "open":
        raise DraftError(_("Dit concept is gesloten (uitgerold of weggegooid) en kan niet meer veranderen."))
    if draft.revision != expected:
        raise DraftConflict(draft, expected)
    return draft


def _store(draft: ProcessDraft, files: dict[str, str], user_id: int | None, purpose: str,
           detail: dict) -> ProcessDraft:
    check_files(files)
    draft.files = files  # a new dict: the JSON column sees the change
    draft.revision += 1
    draft.updated_by_id = user_id
    draft.updated_at = utcnow()
    db.session.flush()
    record("write", f"process_draft:{draft.id}", purpose, user_id=user_id,
           detail={**detail, "revision": draft.revision})
    return draft


def save_file(draft_id: int, path: str, text: str, *, expected: int, user_id: int | None) -> ProcessDraft:
    """Write one file of the draft (new or changed).

    :raises DraftConflict: somebody saved since revision ``expected``.
    :raises DraftError: bad name, too large, or the draft is closed.
    :raises LookupError: no such draft.
    """
    draft = _locked_open(draft_id, expected)
    return _store(draft, {**draft.files, path: text}, user_id, "designer.draft_save", {"file": path})


def delete_file(draft_id: int, path: str, *, expected: int, user_id: int | None) -> ProcessDraft:
    draft = _locked_open(draft_id, expected)
    if path not in draft.files:
        raise DraftError(_("Het concept heeft geen bestand %(name)s.", name=path))
    files = {name: text for name, text in draft.files.items() if name != path}
    return _store(draft, files, user_id, "designer.draft_delete", {"file": path})


def replace_files(draft_id: int, files: dict[str, str], *, expected: int, user_id: int | None) -> ProcessDraft:
    """Replace every file of the draft at once (an imported zip)."""
    draft = _locked_open(draft_id, expected)
    return _store(draft, dict(files), user_id, "designer.draft_import", {"files": len(files)})


def close_draft(draft_id: int, status: str, *, user_id: int | None,
                deployed_version_id: int | None = None) -> ProcessDraft:
    """Mark a draft ``deployed`` (with the version it became) or ``discarded``; it stays readable."""
    if status not in ("deployed", "discarded"):
        raise ValueError(status)
    draft = draft_or_none(draft_id, lock=True)
    if draft is None:
        raise LookupError(draft_id)
    if draft.status != "open":
        raise DraftError(_("Dit concept is al gesloten."))
    draft.status = status
    draft.closed_at = utcnow()
    draft.deployed_version_id = deployed_version_id
    draft.updated_by_id = user_id
    record("write", f"process_draft:{draft.id}", f"designer.draft_{status}", user_id=user_id,
           detail={"deployed_version_id": deployed_version_id})
    return draft
