"""Deploying from the browser: a source (an open draft or the working directory) with its lint result
and its diff against the current version, a required note, then a new process version that new cases
start on. With four-eyes switched on (a portal setting the beheerder changes) a deploy becomes a
request that a second designer or a beheerder approves; approval deploys exactly the files requested
(named by their digest) and is refused when the source holds other files since.

Everything is audited. The same files deploy to the same version (``processes.services.deploy``), so a
double submit cannot make two versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record
from portal.db import utcnow
from portal.designer.drafts import DRAFT_PREFIX, close_draft, draft_id_of, draft_or_none, open_drafts, source_name
from portal.designer.models import DeployRequest, DesignerSetting
from portal.designer.services import WORKDIR, files_of
from portal.engine.diff import VersionDiff, diff_files
from portal.engine.parser import digest_files
from portal.extensions import db
from portal.processes.models import ProcessVersion
from portal.processes.services import DeployError, current_version, deploy, lint_files
from portal.refusal import Refused

FOUR_EYES = "four_eyes"


class DeployRefused(Refused):
    """A refusal with the lint messages that caused it (``file:line [process/element] message``)."""

    def __init__(self, reason: str, messages: list[str] | tuple[str, ...] = ()):
        super().__init__(reason)
        self.messages = list(messages)


# -- the setting -------------------------------------------------------------------------------------

def four_eyes_locked() -> bool:
    """The operator set PORTAL_DEPLOY_FOUR_EYES: four-eyes is on, and no beheerder can switch it off (the
    switch is portal-wide, while a beheerder administers one or a few municipalities)."""
    return bool(current_app.config["DEPLOY_FOUR_EYES"])


def four_eyes_on() -> bool:
    """Whether a deploy needs a second pair of eyes (always when locked on; else the beheerder's switch, off
    until switched on)."""
    if four_eyes_locked():
        return True
    row = db.session.get(DesignerSetting, FOUR_EYES)
    return bool(row is not None and row.value.get("on"))


def set_four_eyes(on: bool, user_id: int) -> bool:
    """Switch four-eyes on or off; audited. :returns: whether anything changed.

    :raises Refused: switching off while the operator locked it on.
    """
    if not on and four_eyes_locked():
        raise Refused(_("Vier-ogen is vastgezet in de configuratie van de server (PORTAL_DEPLOY_FOUR_EYES) en kan "
                        "hier niet uit."))
    old = four_eyes_on()
    if old == on:
        return False
    row = db.session.get(DesignerSetting, FOUR_EYES)
    if row is None:
        row = DesignerSetting(key=FOUR_EYES, value={})
        db.session.add(row)
    row.value, row.updated_by_id, row.updated_at = {"on": on}, user_id, utcnow()
    db.session.flush()
    record("write", "designer_setting:four_eyes", "designer.settings", user_id=user_id,
           detail={"old": old, "new": on})
    return True


# -- what is about to be deployed -----------------------------------------------------------------------

def sources() -> list[tuple[str, str]]:
    """What can be deployed: every open draft, and the working directory."""
    return [*((source_name(d), _("Concept: %(name)s", name=d.name)) for d in open_drafts()),
            (WORKDIR, _("Werkmap (workflows/)"))]


def deployable(source: str) -> bool:
    return source == WORKDIR or (source.startswith(DRAFT_PREFIX) and draft_id_of(source) is not None)


@dataclass(frozen=True)
class Prepared:
    """A source as the designer checks it before deploying."""

    source: str
    files: dict[str, str]
    digest: str
    problems: tuple[str, ...]
    current: ProcessVersion | None
    #: Against the current version; None when there is none yet or the BPMN does not parse (lint says why).
    diff: VersionDiff | None
    #: A version holding exactly these files already (deploying again changes nothing).
    same_as: ProcessVersion | None

    @property
    def clean(self) -> bool:
        return not self.problems


def _lint(files: dict[str, str]) -> tuple[str, ...]:
    try:
        return tuple(str(m) for m in lint_files(files))
    except DeployError as exc:
        return tuple(exc.messages)


def prepare(source: str) -> Prepared | None:
    """The files of ``source`` with their lint result and diff; None when it names nothing deployable."""
    if not deployable(source):
        return None
    files = files_of(source)
    if files is None:
        return None
    current = current_version()
    diff = None
    if current is not None:
        try:
            diff = diff_files(dict(current.files), files)
        except ValueError:
            diff = None
    digest = digest_files(files)
    same_as = db.session.scalar(select(ProcessVersion).where(ProcessVersion.digest == digest))
    return Prepared(source, files, digest, _lint(files), current, diff, same_as)


def _files_as_seen(source: str, digest: str) -> dict[str, str]:
    """The files of ``source``, provided they are still the ones with ``digest``.

    :raises Refused: the source is gone, was discarded, or holds other files now.
    """
    if not deployable(source):
        raise Refused(_("Kies een concept of de werkmap."))
    draft_id = draft_id_of(source)
    if draft_id is not None:
        draft = draft_or_none(draft_id)
        if draft is None:
            raise Refused(_("Dit concept bestaat niet."))
        if draft.status == "discarded":
            raise Refused(_("Dit concept is weggegooid en kan niet meer in gebruik worden genomen."))
    files = files_of(source)
    if files is None or digest_files(files) != digest:
        raise Refused(_("De bestanden zijn veranderd sinds ze bekeken zijn. Bekijk de nieuwe versie van de "
                        "bestanden en hun verschil, en probeer het opnieuw."))
    return files


def _close(source: str, version: ProcessVersion, user_id: int) -> None:
    draft_id = draft_id_of(source)
    if draft_id is not None:
        draft = draft_or_none(draft_id)
        if draft is not None and draft.status == "open":
            close_draft(draft_id, "deployed", user_id=user_id, deployed_version_id=version.id)


def _deploy(source: str, files: dict[str, str], note: str, deployed_by: int, actor: int,
            request_id: int | None = None) -> tuple[ProcessVersion, bool]:
    try:
        version, created = deploy(user_id=deployed_by, note=note, files=files)
    except DeployError as exc:
        raise DeployRefused(_("De bestanden hebben fouten; los ze eerst op."), exc.messages) from exc
    _close(source, version, actor)
    record("write", f"process_version:{version.id}", "designer.deploy", user_id=actor,
           detail={"source": source, "digest": digest_files(files), "created": created, "note": note,
                   "request": request_id})
    return version, created


# -- deploying at once (four-eyes off) ------------------------------------------------------------------

def deploy_source(source: str, digest: str, note: str, user_id: int) -> tuple[ProcessVersion, bool]:
    """Deploy the files of ``source`` as the designer saw them (``digest``).

    :returns: the version and whether it is new (the same files give the same version).
    :raises Refused: four-eyes is on, the files changed since, or lint finds problems (``detail``).
    """
    if four_eyes_on():
        raise Refused(_("Vier-ogen staat aan: vraag het in gebruik nemen aan."))
    files = _files_as_seen(source, digest)
    return _deploy(source, files, note.strip(), user_id, user_id)


# -- four-eyes --------------------------------------------------------------------------------------------

def request_deploy(source: str, digest: str, note: str, user_id: int) -> tuple[DeployRequest, bool]:
    """Ask a second designer or a beheerder to deploy these files.

    :returns: the request and whether it is new (the same files from the same source: the open request).
    :raises Refused: the files changed since, lint finds problems, or they are deployed already.
    """
    files = _files_as_seen(source, digest)
    problems = _lint(files)
    if problems:
        raise DeployRefused(_("De bestanden hebben fouten; los ze eerst op."), problems)
    open_one = db.session.scalar(select(DeployRequest).where(
        DeployRequest.source == source, DeployRequest.digest == digest, DeployRequest.status == DeployRequest.PENDING))
    if open_one is not None:
        return open_one, False
    request = DeployRequest(source=source, digest=digest, note=note.strip(), requested_by_id=user_id,
                            status=DeployRequest.PENDING)
    db.session.add(request)
    db.session.flush()
    record("write", f"deploy_request:{request.id}", "designer.deploy_request", user_id=user_id,
           detail={"source": source, "digest": digest, "note": request.note})
    return request, True


def pending_requests() -> list[DeployRequest]:
    return list(db.session.scalars(select(DeployRequest).where(DeployRequest.status == DeployRequest.PENDING)
                                   .order_by(DeployRequest.id)))


def decided_requests(limit: int = 20) -> list[DeployRequest]:
    return list(db.session.scalars(select(DeployRequest).where(DeployRequest.status != DeployRequest.PENDING)
                                   .order_by(DeployRequest.decided_at.desc(), DeployRequest.id.desc()).limit(limit)))


def request_or_none(request_id: int, *, lock: bool = False) -> DeployRequest | None:
    query = select(DeployRequest).where(DeployRequest.id == request_id)
    return db.session.scalar(query.with_for_update() if lock else query)


def _pending(request_id: int, user_id: int) -> DeployRequest:
    request = request_or_none(request_id, lock=True)
    if request is None:
        raise LookupError(request_id)
    if request.status != DeployRequest.PENDING:
        raise Refused(_("Over dit verzoek is al beslist."))
    return request


def approve(request_id: int, user_id: int) -> tuple[DeployRequest, ProcessVersion, bool]:
    """Deploy exactly the files of the request; by anyone but the requester.

    :raises Refused: the approver asked for it, it is decided already, or the source changed since.
    :raises LookupError: no such request.
    """
    request = _pending(request_id, user_id)
    if request.requested_by_id == user_id:
        raise Refused(_("Je kunt je eigen verzoek niet goedkeuren. Een andere ontwerper of de beheerder "
                        "moet meekijken."))
    files = _files_as_seen(request.source, request.digest)
    version, created = _deploy(request.source, files, request.note, request.requested_by_id, user_id, request.id)
    request.status, request.decided_by_id, request.decided_at = DeployRequest.APPROVED, user_id, utcnow()
    request.version_id = version.id
    db.session.flush()
    record("write", f"deploy_request:{request.id}", "designer.deploy_approve", user_id=user_id,
           detail={"version": version.id, "created": created})
    return request, version, created


def reject(request_id: int, user_id: int, reason: str) -> DeployRequest:
    """Reject (or, by the requester, withdraw) a request, with a reason."""
    request = _pending(request_id, user_id)
    request.status, request.decided_by_id, request.decided_at = DeployRequest.REJECTED, user_id, utcnow()
    request.reason = reason.strip()
    db.session.flush()
    record("write", f"deploy_request:{request.id}", "designer.deploy_reject", user_id=user_id,
           detail={"reason": request.reason})
    return request
