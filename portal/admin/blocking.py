"""Blocking and unblocking an account, for staff and newcomer accounts alike (the pages differ, the steps not).

Each view loads its account, calls one of these and redirects or renders its own page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash
from flask_login import current_user

from portal.admin.account_forms import ReasonForm
from portal.auth.accounts import deactivate, reactivate
from portal.auth.models import User
from portal.extensions import db
from portal.forms import PortalForm
from portal.refusal import Refused


def block(user: User, form: ReasonForm, done: Callable[[int], str]) -> bool:
    """Block ``user`` with the form's reason: commit and flash ``done(sessions ended)``; False when the form or
    the rules refuse (the reason is then on the form)."""
    if not form.validate_on_submit():
        return False
    try:
        ended = deactivate(user, current_user, form.reden.data)
    except Refused as exc:
        form.reden.errors.append(exc.reason)
        return False
    db.session.commit()
    flash(done(ended), "success")
    return True


def unblock(user: User, done: str) -> None:
    """Let ``user`` sign in again (a plain CSRF-checked post); a refusal is shown as information."""
    if not PortalForm().validate_on_submit():
        abort(400)
    try:
        reactivate(user, current_user)
    except Refused as exc:
        flash(exc.reason, "info")
    else:
        db.session.commit()
        flash(done, "success")
