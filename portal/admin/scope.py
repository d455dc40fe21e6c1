"""Which municipalities an administrator may see: the ONE place the admin room decides it.

A beheerder or privacy officer (fg) administers their own municipality plus those granted to them
(``staff_municipality``, ``portal users grant``): a regional portal's shared administrator. Every admin
query filters through :meth:`Scope.where`; a municipality outside the scope does not exist here (the
pages answer 404, as for another municipality's account). An fg of no municipality (a portal-wide
privacy officer, made with ``portal users create --role fg`` without ``--municipality``) sees every one.

A page may narrow the scope to one managed municipality (the ``gemeente`` filter, a CBS code):
:func:`narrowed` returns None for a code outside the scope, which the view answers with 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import ColumnElement, select, true

from portal.auth.models import Municipality, StaffMunicipality, User
from portal.extensions import db


@dataclass(frozen=True)
class Scope:
    #: The municipalities administered: the user's own first, then the others by name.
    municipalities: tuple[Municipality, ...]
    #: A portal-wide administrator (no municipality of their own): no filter at all.
    everywhere: bool = False

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(m.id for m in self.municipalities)

    @property
    def regional(self) -> bool:
        """More than one municipality: the pages show a municipality column and filter."""
        return len(self.municipalities) > 1

    @property
    def single(self) -> Municipality | None:
        return self.municipalities[0] if len(self.municipalities) == 1 else None

    def covers(self, municipality_id: int | None) -> bool:
        return self.everywhere or municipality_id in self.ids

    def where(self, column) -> ColumnElement[bool]:
        """The condition that keeps rows of ``column`` (a municipality id) inside the scope."""
        if self.everywhere:
            return true()
        ids = sorted(self.ids)
        # one municipality: "=" keeps the (municipality_id, at, id) index order for keyset pages
        return column == ids[0] if len(ids) == 1 else column.in_(ids)

    def by_code(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)


def managed_municipalities(user: User) -> Scope:
    """The scope of ``user`` (own municipality first): one query."""
    if user.municipality_id is None:
        everything = tuple(db.session.scalars(select(Municipality).order_by(Municipality.name, Municipality.code)))
        return Scope(everything, everywhere=True)
    others = db.session.scalars(select(Municipality).join(
        StaffMunicipality, StaffMunicipality.municipality_id == Municipality.id).where(
        StaffMunicipality.user_id == user.id).order_by(Municipality.name, Municipality.code))
    return Scope((user.municipality, *others))


def managed_municipality_ids(user: User) -> frozenset[int]:
    return managed_municipalities(user).ids


def narrowed(scope: Scope, code: str | None) -> Scope | None:
    """The scope narrowed to the municipality with CBS ``code`` (empty: the whole scope); None when the code
    is not one of the scope's (unknown or another's: the same answer, so nothing leaks)."""
    if not code:
        return scope
    found = scope.by_code(code.strip())
    return Scope((found,)) if found is not None else None


def municipality_choices(scope: Scope, everything_label: str | None) -> list[tuple[str, str]]:
    """(code, name) of each managed municipality, for a select; with ``everything_label`` first as ""."""
    rows = [(m.code, f"{m.name} ({m.code})") for m in scope.municipalities]
    return [("", everything_label), *rows] if everything_label is not None else rows


def scope_or_404(user: User, code: str | None) -> tuple[Scope, Scope]:
    """For a view: the user's whole scope and the part the ``gemeente`` filter asks for (404 outside it)."""
    scope = managed_municipalities(user)
    chosen = narrowed(scope, code)
    if chosen is None:
        abort(404)
    return scope, chosen
