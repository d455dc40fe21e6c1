"""Life domains (leefgebieden) by which the case page groups what was recorded."""

from flask_babel import lazy_gettext as _l

#: Order matters: the case page shows the domains in this order. Keys are used as ``x-domain``
#: in form schemas (see docs/process-design.md).
LIFE_DOMAINS = {
    "gesprek": _l("Gesprek en informatieplicht"),
    "taal_en_leerbaarheid": _l("Taal en leerbaarheid"),
    "opleiding_en_werk": _l("Opleiding en werk"),
    "gezondheid": _l("Gezondheid"),
    "gezin_en_kinderopvang": _l("Gezin en kinderopvang"),
    "financien": _l("Financiën en schulden"),
    "huisvesting": _l("Huisvesting"),
    "sociaal_netwerk": _l("Sociaal netwerk"),
    "motivatie_en_ambitie": _l("Motivatie en ambitie"),
    "digitale_vaardigheden": _l("Digitale vaardigheden"),
    "participatie": _l("Participatie"),
    "overig": _l("Overig"),
}
