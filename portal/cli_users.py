"""``portal users grant|revoke``: the municipalities a beheerder or privacy officer (fg) administers besides
their own (a regional portal's shared administrator; portal.admin.scope). Also used by ``users create``
for its second and further ``--municipality``.

Granting is a command, not a beheerder's page: it is an agreement between municipalities, carried out by
whoever runs the portal, and a beheerder must not be able to widen their own reach.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db


def municipalities_by_code(codes: tuple[str, ...] | list[str]):
    """The municipalities of ``codes`` in order; a clear error for an unknown one."""
    from portal.auth.accounts import municipality_by_code

    found = []
    for code in codes:
        municipality = municipality_by_code(code)
        if municipality is None:
            raise click.ClickException(f"no municipality with code {code} (add it: portal municipalities add "
                                       f"{code} NAME)")
        found.append(municipality)
    return found


def grant_all(user, municipalities, purpose: str) -> None:
    """Grant each of ``municipalities`` to ``user`` (flushes; the command commits)."""
    from portal.auth.accounts import AccountRefused, grant_municipality

    for municipality in municipalities:
        try:
            grant_municipality(user, municipality, purpose=purpose)
        except AccountRefused as exc:
            raise click.ClickException(exc.reason) from exc


def _user(username: str):
    from sqlalchemy import func, select

    from portal.auth.models import User

    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {username}")
    return user


def _report(user) -> str:
    from portal.auth.accounts import granted_municipalities

    own = user.municipality
    others = ", ".join(f"{m.code} {m.name}" for m in granted_municipalities(user)) or "none"
    return (f"{user.username} ({user.role}) of {own.code} {own.name}" if own else f"{user.username} ({user.role})") \
        + f"; also administers: {others}"


@click.command("grant")
@click.argument("username")
@click.option("--municipality", "codes", multiple=True, required=True,
              help="CBS code of a municipality USERNAME administers too (repeat for more).")
@with_appcontext
def users_grant(username: str, codes: tuple[str, ...]) -> None:
    """Let beheerder or fg USERNAME administer more municipalities than their own (audited in each)."""
    user = _user(username)
    grant_all(user, municipalities_by_code(codes), "cli.users.grant")
    db.session.commit()
    click.echo(_report(user))


@click.command("revoke")
@click.argument("username")
@click.option("--municipality", "codes", multiple=True, required=True,
              help="CBS code of a municipality USERNAME no longer administers (repeat for more).")
@with_appcontext
def users_revoke(username: str, codes: tuple[str, ...]) -> None:
    """USERNAME no longer administers these municipalities (their own stays; audited in each)."""
    from portal.auth.accounts import AccountRefused, revoke_municipality

    user = _user(username)
    for municipality in municipalities_by_code(codes):
        try:
            revoke_municipality(user, municipality, purpose="cli.users.revoke")
        except AccountRefused as exc:
            raise click.ClickException(exc.reason) from exc
    db.session.commit()
    click.echo(_report(user))
