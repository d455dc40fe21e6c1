"""Locale selection: supported languages, right-to-left scripts, and the per-user choice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.dates import get_datetime_format
from flask import current_app, g, has_request_context, request, session
from flask_babel import Domain, get_locale
from flask_babel import get_translations as babel_translations
from flask_login import current_user

from portal.dates import LOCAL_ZONE, day_text, local_date

#: Native names, shown in the language switcher.
LANGUAGE_NAMES = {
    "nl": "Nederlands",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "ti": "ትግርኛ",
    "uk": "Українська",
    "tr": "Türkçe",
}
#: Languages newcomers may read their pages in.
NEWCOMER_LOCALES = ("nl", "en", "ar", "fa", "ti", "uk", "tr")
RTL_LOCALES = frozenset({"ar", "fa"})


def supported_locales() -> tuple[str, ...]:
    """Staff work in Dutch or English; newcomers (and the public login page) in their own language,
    limited to the languages their municipality offers (its setting; Dutch always)."""
    if current_user and current_user.is_authenticated and current_user.is_staff:
        return tuple(current_app.config["STAFF_LOCALES"])
    offered = getattr(getattr(current_user, "municipality", None), "languages", None) \
        if current_user and current_user.is_authenticated else None
    if offered:
        return tuple(code for code in NEWCOMER_LOCALES if code == "nl" or code in offered)
    return NEWCOMER_LOCALES


def select_locale() -> str:
    """The user's saved choice, else the session's, else the browser's best match, else Dutch."""
    if not has_request_context():  # CLI and timer worker: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    locales = supported_locales()
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return current_user.locale
    if session.get("locale") in locales:
        return session["locale"]
    return request.accept_languages.best_match(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction(locale: str | None = None) -> str:
    return "rtl" if (locale or str(get_locale())) in RTL_LOCALES else "ltr"


def template_context() -> dict:
    locale = str(get_locale())
    return {
        "current_locale": locale,
        "text_direction": text_direction(locale),
        "available_locales": [(code, LANGUAGE_NAMES[code]) for code in supported_locales()],
    }


def _locale_in(namespace) -> Locale | None:
    """``get_locale()`` read from ``g`` (``namespace``) where Flask-Babel keeps the chosen locale, as
    ``force_locale`` does too: get_locale() finds it through three context lookups, asked hundreds of times
    a page. Not chosen yet in this request (or kept elsewhere by a later Flask-Babel): get_locale()."""
    locale = getattr(namespace.get("_flask_babel"), "babel_locale", None)
    return locale if locale is not None else get_locale()


def current_translations(lookup=None):
    """Flask-Babel's translations for the locale in force, looked up once per locale and request.

    Flask-Babel finds its request namespace three times and writes the locale's name out twice for every
    message; a worklist page asks for some 500 messages, which made this a tenth of its time. The pair
    (locale, translations) is kept in ``g``: ``force_locale`` and ``refresh`` put another locale object
    in place (in ``g._flask_babel.babel_locale``, where Flask-Babel keeps the chosen one), so the pair is
    looked up again then (compared by identity, not by name). The portal has one message domain, so the
    locale is the whole key. ``lookup``: how to find them on a miss (Flask-Babel's own lookup)."""
    lookup = lookup or babel_translations
    try:
        namespace = g._get_current_object()  # one context lookup instead of one per attribute
    except RuntimeError:  # no application context: Flask-Babel's own answer (no translations)
        return lookup()
    locale = _locale_in(namespace)
    kept = namespace.get("_portal_translations")
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = lookup()
    namespace._portal_translations = (locale, translations)
    return translations


class KeptDomain(Domain):
    """Flask-Babel's message domain with :func:`current_translations`: what ``gettext``, ``ngettext`` and
    ``lazy_gettext`` in Python code use (the urgency words and counts of every worklist row), and the
    templates' ``_`` and ``ngettext`` that Flask-Babel installs (they ask the domain too)."""

    def get_translations(self):
        return current_translations(super().get_translations)


def translated_text(text):
    """A text from data that has a msgid (a BPMN name, a stored legal source), in the user's language; unlike
    ``_(variable)`` in a template the result stays plain text, so autoescaping still applies."""
    return str(current_translations().ugettext(text)) if text else text


# --- Dates and moments as a reader sees them ----------------------------------------------------------
#
# One rule for every page, letter, PDF and message (the Jinja filters ``dateformat`` and
# ``datetimeformat`` are these two functions, in place of Flask-Babel's):
#
# * Dutch: ``dd-mm-jjjj`` (27-03-2026), the way a date is typed into every date field.
# * Any other language: the day, the month by name and the year, in that language's own order
#   (Babel's "medium" date): English "27 Mar 2026" (British order: the portal's English readers
#   live in the Netherlands, and "3/27/26" is misread), Turkish "27 Mar 2026", Arabic
#   "27/03/2026", Ukrainian "27 бер. 2026 р.". A month name cannot be misread as a day.
# * A moment (a datetime) is its Dutch calendar date and its Dutch wall-clock time to the minute,
#   never seconds: "27-03-2026 15:05", "27 Mar 2026, 15:05".


_BRITISH, _DUTCH = Locale.parse("en_GB"), Locale.parse("nl")


def _reading_locale() -> Locale:
    try:
        locale = _locale_in(g._get_current_object()) or _DUTCH
    except RuntimeError:  # no application context
        locale = _DUTCH
    return _BRITISH if locale.language == "en" and not locale.territory else locale


def _as_day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return local_date(value if value.tzinfo is not None and value.utcoffset() is not None
                          else value.replace(tzinfo=UTC))
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) > 10:  # an ISO moment ("2026-03-27T14:05:00+00:00"): its Dutch date
        return _as_day(datetime.fromisoformat(text))
    return date.fromisoformat(text)


def format_day(value: date | datetime | str | None, style: str | None = None) -> str:
    """A date (a ``date``, the Dutch date of an aware ``datetime``, or an ISO text from task data) in
    the reader's language; ``None`` and ``""`` are "". ``style="long"`` writes the month out in full
    (27 maart 2026), for running text; any other style gives the standard form above (the argument is
    taken because templates written for Flask-Babel's filter pass one)."""
    if value is None or value == "":
        return ""
    day = _as_day(value)
    locale = _reading_locale()
    if style == "long":
        return babel_date(day, "long", locale=locale)
    if locale.language == "nl":
        return day_text(day)
    return babel_date(day, "medium", locale=locale)


def format_moment(value: datetime | None, style: str | None = None) -> str:
    """A moment (naive ones are UTC, as the database keeps them) as its Dutch date (:func:`format_day`)
    and Dutch time, hours and minutes (15:05; in a language that writes the time otherwise, its own
    short form). ``style`` as in :func:`format_day`."""
    if value is None:
        return ""
    if value.tzinfo is None or value.utcoffset() is None:  # the database's moments are UTC
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(LOCAL_ZONE)
    locale = _reading_locale()
    day = format_day(local.date(), style)
    clock = local.strftime("%H:%M") if locale.language in ("nl", "en") else babel_time(local, "short", locale=locale)
    if locale.language == "nl":
        return f"{day} {clock}"
    return str(get_datetime_format("medium", locale=locale)).replace("{1}", day).replace("{0}", clock)
