"""One commit per request, by construction (DESIGN.md §4).

Views and services never commit. After the view has produced its response, :func:`finish` commits
the request's transaction when the response is a success (status < 400) and rolls it back
otherwise — a refused or invalid form is answered with 409/422 and nothing it half-wrote is kept.

Reads are audited whatever happens: :func:`portal.audit.services.record` keeps read events (and
other events that must outlive a rollback, such as a refused signature) in the request, and
:func:`finish` writes them — inside the request's transaction when it commits (on SQLite: when it may
write; a page view there writes them in a short transaction of its own, see below), otherwise in a
short transaction of their own. If they cannot be written, the page is not shown (fail closed).

On SQLite a request that may write (any method but GET/HEAD/OPTIONS) opens its transaction with
``BEGIN IMMEDIATE``: concurrent writers queue on the database's write lock (``busy_timeout``)
instead of failing half-way, and a page view only reads until its audit rows take the lock for a
moment at the end (``portal.db.write_intent``).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.audit.models import AuditEvent
from portal.audit.services import municipality_of
from portal.db import describe_error, write_intent
from portal.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    app.before_request(begin)
    app.after_request(finish)
    app.teardown_request(_teardown)


def begin() -> None:
    g.portal_write_token = write_intent.set(request.method not in SAFE_METHODS)


def discard() -> None:
    """Roll this request's changes back although its answer is a success (a redirect that reports a
    refusal in a flash message). Kept audit events are still stored."""
    g.portal_discard = True


def finish(response: Response) -> Response:
    """Commit on success, roll back otherwise; then make sure the kept audit events are stored."""
    kept = g.pop("portal_kept_events", [])
    try:
        if response.status_code < 400 and not g.pop("portal_discard", False):
            # one commit: the change and the reads that led to it; on PostgreSQL a page view's reads too (a
            # second transaction cost a page four more round trips; only SQLite's write lock asks for it)
            if kept and (write_intent.get() or db.session.get_bind().dialect.name != "sqlite"):
                db.session.add_all(kept)
                db.session.commit()
                kept = []
            else:
                db.session.commit()
        else:
            db.session.rollback()
    except (StaleDataError, IntegrityError) as exc:  # someone else changed the same rows meanwhile
        db.session.rollback()
        current_app.logger.info("conflict at commit: %s", describe_error(exc))  # no values in the log
        response = _conflict()
    except DBAPIError:
        db.session.rollback()  # before anything else reads: the error page needs a usable session
        if write_intent.get():
            raise
        # a page view whose reads went with its commit: they get their own try below
    if kept:
        try:
            write_intent.set(True)
            db.session.add_all([_copy(event) for event in kept])  # a rolled-back commit may have held them
            db.session.commit()
        except DBAPIError:
            db.session.rollback()
            current_app.logger.exception("audit events could not be stored; the page is withheld")
            return _error(500)
    return response


def _copy(event: AuditEvent) -> AuditEvent:
    """A fresh, unsaved copy of ``event`` (its first insert may have been rolled back)."""
    values = {column.key: event.__dict__.get(column.key) for column in AuditEvent.__table__.columns
              if column.key not in ("id", "municipality_id")}
    return AuditEvent(**values, municipality_id=municipality_of(values["case_id"], values["user_id"]))


def _teardown(_exc: BaseException | None) -> None:
    token = g.pop("portal_write_token", None)
    if token is not None:
        write_intent.reset(token)


def _conflict() -> Response:
    return _error(409, _("Iemand anders heeft dit dossier intussen gewijzigd. Je wijziging is niet opgeslagen; "
                         "laad de pagina opnieuw en probeer het nog eens."))


def _error(code: int, message: str | None = None) -> Response:
    titles = {409: _("Conflict"), 500: _("Er ging iets mis")}
    body = render_template("errors/error.html", code=code, title=titles[code],
                           message=message or _("Er ging bij ons iets mis. Probeer het later opnieuw."))
    return Response(body, status=code, mimetype="text/html")
