"""The audit trail, readable: a filtered list (keyset pages), a streamed CSV export and the report of
unusual access, for the beheerder and the privacy officer (functionaris gegevensbescherming).

Every look at the trail is itself recorded (the filters used; the case, when one was chosen).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, render_template, request, stream_with_context
from flask_login import current_user

from portal.admin.audit_forms import AuditFilterForm, UnusualAccessForm
from portal.admin.audit_search import (
    OfficeHours,
    case_by_reference,
    csv_lines,
    describe,
    many_cases_not_held,
    off_hours_reads,
    staff_choices,
    staff_member,
)
from portal.admin.views import bp
from portal.audit.services import record
from portal.audit.trail import TrailFilter, decode_cursor, page, trail_query
from portal.dates import after_day, local_moment
from portal.db import local_today, utcnow
from portal.security import AUDIT_ROLES, roles_required

#: A filter that matches nothing (an unknown case reference or staff member).
_NOTHING = object()


def _filters(municipality_id: int | None) -> tuple[AuditFilterForm, TrailFilter | object | None]:
    """The form from the query string and what it asks for (None: invalid, ``_NOTHING``: no match)."""
    form = AuditFilterForm(request.args)
    form.set_choices(staff_choices(municipality_id))
    if not form.validate():
        return form, None
    user_id = int(form.user.data) if form.user.data else None
    if user_id is not None and staff_member(municipality_id, user_id) is None:
        return form, _NOTHING
    case_id = None
    if form.case.data:
        case = case_by_reference(municipality_id, form.case.data)
        if case is None:
            return form, _NOTHING
        case_id = case.id
    return form, TrailFilter(
        user_id=user_id, case_id=case_id, action=form.action.data or None, subject=form.subject.data or None,
        purpose=form.purpose.data or None,
        since=local_moment(form.since.data, 0) if form.since.data else None,
        until=after_day(form.until.data) if form.until.data else None,
        sensitive_only=bool(form.sensitive.data))


def _query_args(form: AuditFilterForm) -> dict:
    return {name: request.args.get(name) for name in ("user", "action", "case", "subject", "purpose", "since",
                                                      "until", "sensitive") if request.args.get(name)}


@bp.route("/audit")
@roles_required(*AUDIT_ROLES)
def audit_trail():
    municipality_id = current_user.municipality_id
    form, wanted = _filters(municipality_id)
    rows, next_cursor, status = [], None, 200
    if wanted is None:
        status = 400
    elif wanted is not _NOTHING:
        events, next_cursor = page(trail_query(municipality_id, wanted), decode_cursor(request.args.get("na")),
                                   current_app.config["PAGE_SIZE"] * 2)
        rows = describe(events)
        record("read", "audit_trail", "admin.audit_trail", case_id=wanted.case_id, detail=wanted.as_detail())
    return render_template("admin/audit_trail.html", form=form, rows=rows, next_cursor=next_cursor,
                           continued=bool(request.args.get("na")), query_args=_query_args(form)), status


@bp.route("/audit.csv")
@roles_required(*AUDIT_ROLES)
def audit_csv():
    municipality_id = current_user.municipality_id
    form, wanted = _filters(municipality_id)
    if wanted is None:
        return render_template("admin/audit_trail.html", form=form, rows=[], next_cursor=None, continued=False,
                               query_args=_query_args(form)), 400
    if wanted is _NOTHING:
        wanted = TrailFilter(user_id=-1)  # nothing matches: the CSV has its header only
    record("read", "audit_trail.csv", "admin.audit_csv", case_id=wanted.case_id, detail=wanted.as_detail())
    query = trail_query(municipality_id, wanted)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(csv_lines(query)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="audittrail-{stamp}.csv"',
                             "Cache-Control": "no-store"})


@bp.route("/audit/ongewoon")
@roles_required(*AUDIT_ROLES)
def unusual_access():
    config = current_app.config
    form = UnusualAccessForm(request.args)
    today = local_today()
    if not request.args:
        form.since.data, form.until.data = today - timedelta(days=6), today
    valid = form.validate() and form.check_length(config["AUDIT_REPORT_MAX_DAYS"])
    many, late, hours = [], [], OfficeHours.from_config()
    if valid:
        since_day = form.since.data or (form.until.data or today) - timedelta(days=6)
        until_day = form.until.data or today
        form.since.data, form.until.data = since_day, until_day
        if until_day - since_day > timedelta(days=config["AUDIT_REPORT_MAX_DAYS"]):
            form.since.data = since_day = until_day - timedelta(days=config["AUDIT_REPORT_MAX_DAYS"])
        since, until = local_moment(since_day, 0), after_day(until_day)
        many = many_cases_not_held(current_user.municipality_id, since, until, config["AUDIT_UNUSUAL_CASES"])
        late = off_hours_reads(current_user.municipality_id, since, until, hours)
        record("read", "audit_trail.unusual", "admin.unusual_access",
               detail={"since": since_day.isoformat(), "until": until_day.isoformat()})
    return render_template("admin/audit_unusual.html", form=form, many=many, late=late, hours=hours,
                           threshold=config["AUDIT_UNUSUAL_CASES"], valid=valid), 200 if valid else 400
