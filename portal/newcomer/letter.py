"""The activation letter: the newcomer's first contact, in their own language and in Dutch.

Each part is rendered in its own locale (``force_locale``) and text direction; the portal's public
address comes from one setting, ``PUBLIC_URL`` (``PORTAL_PUBLIC_URL``; ``portal run --port`` sets it to
its own address when it is not set).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from markupsafe import Markup

from portal.cases.languages import language_locale
from portal.cases.models import Case
from portal.i18n import NEWCOMER_LOCALES, text_direction
from portal.newcomer.models import ActivationCode
from portal.qr import qr_svg_data_uri

#: The language every letter also carries: the municipality's own.
DUTCH = "nl"


@dataclass(frozen=True)
class LetterPart:
    locale: str
    direction: str
    html: Markup


def newcomer_locale(case: Case) -> str:
    """The language the newcomer reads best among the portal's: from the case's language, else the account's."""
    locale = language_locale(case.language)
    if locale is None and case.newcomer_user is not None and case.newcomer_user.locale in NEWCOMER_LOCALES:
        locale = case.newcomer_user.locale
    return locale or DUTCH


def public_url(endpoint: str, **values) -> str:
    """The address of ``endpoint`` as the newcomer types it: ``PUBLIC_URL`` plus the path."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def letter_parts(case: Case, code: str, activation: ActivationCode) -> list[LetterPart]:
    """The letter's parts: the newcomer's language first, then Dutch (one part when that is Dutch)."""
    link = public_url("newcomer.activate_account", code=code)
    context = {"case": case, "code": code, "activation": activation, "username": case.newcomer_user.username,
               "link": link, "site": link.split("?")[0], "qr": qr_svg_data_uri(link), "regisseur": case.regisseur}
    locales = list(dict.fromkeys([newcomer_locale(case), DUTCH]))
    parts = []
    for index, locale in enumerate(locales):
        with force_locale(locale):
            html = render_template("newcomer/_activation_letter_part.html", locale=locale,
                                   direction=text_direction(locale), first=index == 0, **context)
        parts.append(LetterPart(locale, text_direction(locale), Markup(html)))  # noqa: S704 - our own template
    return parts
