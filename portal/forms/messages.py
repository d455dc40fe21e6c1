"""WTForms' built-in messages in the portal's own words.

WTForms' defaults are English and, through Flask-WTF, translated from WTForms' own catalogs — which
lack Tigrinya and do not apply outside a request (the COA import). The common ones are mapped here to
Dutch msgids of the portal's catalogs; any other message falls back to Flask-WTF's translation.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as wtforms_translations

#: WTForms' English message → the portal's Dutch msgid (placeholders kept: WTForms fills them in).
MESSAGES = {
    "This field is required.": _l("Vul dit veld in."),
    "Not a valid choice.": _l("Kies een van de mogelijkheden."),
    "'%(value)s' is not a valid choice for this field.": _l("Kies een van de mogelijkheden."),
    "Invalid Choice: could not coerce.": _l("Kies een van de mogelijkheden."),
    "Not a valid integer value.": _l("Vul een heel getal in."),
    "Not a valid decimal value.": _l("Vul een getal in."),
    "Not a valid float value.": _l("Vul een getal in."),
    "Not a valid date value.": _l("Vul een geldige datum in."),
    "Not a valid datetime value.": _l("Vul een geldige datum en tijd in."),
    "Field must be at least %(min)d character long.": _l("Schrijf minstens %(min)d tekens."),
    "Field must be at least %(min)d characters long.": _l("Schrijf minstens %(min)d tekens."),
    "Field cannot be longer than %(max)d character.": _l("Gebruik maximaal %(max)d tekens."),
    "Field cannot be longer than %(max)d characters.": _l("Gebruik maximaal %(max)d tekens."),
    "Field must be exactly %(max)d character long.": _l("Gebruik precies %(max)d tekens."),
    "Field must be exactly %(max)d characters long.": _l("Gebruik precies %(max)d tekens."),
    "Field must be between %(min)d and %(max)d characters long.":
        _l("Gebruik minstens %(min)d en maximaal %(max)d tekens."),
    "Number must be at least %(min)s.": _l("Vul een getal in van minstens %(min)s."),
    "Number must be at most %(max)s.": _l("Vul een getal in van hoogstens %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Vul een getal in tussen %(min)s en %(max)s."),
}


class PortalMessages:
    """A WTForms translations object: the portal's own message where there is one."""

    def gettext(self, string: str) -> str:
        mapped = MESSAGES.get(string)
        if mapped is not None:
            return str(mapped)  # translated now; WTForms fills in the placeholders
        return wtforms_translations.gettext(string) if has_request_context() else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        text = singular if n == 1 else plural
        if text in MESSAGES:
            return self.gettext(text)
        return wtforms_translations.ngettext(singular, plural, n) if has_request_context() else text


portal_messages = PortalMessages()
