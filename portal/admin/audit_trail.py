"""The audit trail, readable: a filtered list (keyset pages), a streamed CSV export and the report of
unusual access, for the beheerder and the privacy officer (functionaris gegevensbescherming).

Each reader sees the municipalities they administer (portal.admin.scope); a regional one may narrow the
pages to one of them (``gemeente``), and another municipality answers 404.
Every look at the trail is itself recorded (the filters used; the case, when one was chosen).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import gettext as _
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
from portal.admin.scope import Scope, municipality_choices, scope_or_404
from portal.admin.views import bp
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.audit.trail import TrailFilter, decode_cursor, page, trail_query
from portal.dates import after_day, local_moment
from portal.db import local_today, utcnow
from portal.forms import choices
from portal.security import AUDIT_ROLES, roles_required

#: A filter that matches nothing (an unknown case reference or staff member).
_NOTHING = object()


def _filters() -> tuple[AuditFilterForm, Scope, TrailFilter | object | None]:
    """The form from the query string, the municipalities it covers and what it asks for (None: invalid,
    ``_NOTHING``: no match). A ``gemeente`` outside the reader's scope: 404."""
    scope, chosen = scope_or_404(current_user, request.args.get("gemeente"))
    form = AuditFilterForm(request.args)
    form.set_choices(staff_choices(chosen), municipality_choices(scope, _("Al je gemeenten")))
    form.regional = scope.regional
    if not form.validate():
        return form, chosen, None
    user_id = int(form.user.data) if form.user.data else None
    if user_id is not None and staff_member(chosen, user_id) is None:
        return form, chosen, _NOTHING
    case_id = None
    if form.case.data:
        case = case_by_reference(chosen, form.case.data)
        if case is None:
            return form, chosen, _NOTHING
        case_id = case.id
    return form, chosen, TrailFilter(
        user_id=user_id, case_id=case_id, action=form.action.data or None, subject=form.subject.data or None,
        purpose=form.purpose.data or None,
        since=local_moment(form.since.data, 0) if form.since.data else None,
        until=after_day(form.until.data) if form.until.data else None,
        sensitive_only=bool(form.sensitive.data))


def _query_args(form: AuditFilterForm) -> dict:
    return {name: request.args.get(name) for name in ("gemeente", "user", "action", "case", "subject", "purpose",
                                                      "since", "until", "sensitive") if request.args.get(name)}


def _detail(wanted: TrailFilter, form: AuditFilterForm) -> dict:
    return {**wanted.as_detail(), **({"gemeente": form.gemeente.data} if form.gemeente.data else {})}


@bp.route("/audit")
@roles_required(*AUDIT_ROLES)
def audit_trail():
    form, chosen, wanted = _filters()
    rows, next_cursor, status = [], None, 200
    if wanted is None:
        status = 400
    elif wanted is not _NOTHING:
        events, next_cursor = page(trail_query(chosen.where(AuditEvent.municipality_id), wanted),
                                   decode_cursor(request.args.get("na")), current_app.config["PAGE_SIZE"] * 2)
        rows = describe(events)
        record("read", "audit_trail", "admin.audit_trail", case_id=wanted.case_id, detail=_detail(wanted, form))
    return render_template("admin/audit_trail.html", form=form, rows=rows, next_cursor=next_cursor,
                           continued=bool(request.args.get("na")), query_args=_query_args(form)), status


@bp.route("/audit.csv")
@roles_required(*AUDIT_ROLES)
def audit_csv():
    form, chosen, wanted = _filters()
    if wanted is None:
        return render_template("admin/audit_trail.html", form=form, rows=[], next_cursor=None, continued=False,
                               query_args=_query_args(form)), 400
    if wanted is _NOTHING:
        wanted = TrailFilter(user_id=-1)  # nothing matches: the CSV has its header only
    record("read", "audit_trail.csv", "admin.audit_csv", case_id=wanted.case_id, detail=_detail(wanted, form))
    query = trail_query(chosen.where(AuditEvent.municipality_id), wanted)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(csv_lines(query)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="audittrail-{stamp}.csv"',
                             "Cache-Control": "no-store"})


@bp.route("/audit/ongewoon")
@roles_required(*AUDIT_ROLES)
def unusual_access():
    config = current_app.config
    scope, chosen = scope_or_404(current_user, request.args.get("gemeente"))
    form = UnusualAccessForm(request.args)
    form.gemeente.choices = choices(municipality_choices(scope, _("Al je gemeenten")))
    form.regional = scope.regional
    today = local_today()
    if not request.args.get("since") and not request.args.get("until"):
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
        many = many_cases_not_held(chosen, since, until, config["AUDIT_UNUSUAL_CASES"])
        late = off_hours_reads(chosen, since, until, hours)
        record("read", "audit_trail.unusual", "admin.unusual_access",
               detail={"since": since_day.isoformat(), "until": until_day.isoformat(),
                       **({"gemeente": form.gemeente.data} if form.gemeente.data else {})})
    return render_template("admin/audit_unusual.html", form=form, many=many, late=late, hours=hours,
                           threshold=config["AUDIT_UNUSUAL_CASES"], valid=valid), 200 if valid else 400
