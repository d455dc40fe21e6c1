"""Locale selection: supported languages, right-to-left scripts, and the per-user choice."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

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


def translated_text(text):
    """A text from data that has a msgid (a BPMN name, a stored legal source), in the user's language; unlike
    ``_(variable)`` in a template the result stays plain text, so autoescaping still applies."""
    from flask_babel import gettext

    return str(gettext(text)) if text else text
