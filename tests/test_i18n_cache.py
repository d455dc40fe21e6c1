"""The translations kept per request (portal.i18n.current_translations) follow every change of locale:
``force_locale`` (the PIP in the newcomer's language, the Dutch PDF), ``refresh`` after a language choice,
and a new request. A kept catalogue that outlived its locale would print a document in the wrong language."""

from flask import render_template_string
from flask_babel import force_locale, refresh

from portal.i18n import current_translations, translated_text

TEMPLATE = '{{ _("Uitloggen") }}|{{ "Uitloggen"|tr }}|{{ ngettext("%(num)d dag", "%(num)d dagen", 2) }}'


def test_template_and_filter_follow_force_locale(app):
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert render_template_string(TEMPLATE) == "Uitloggen|Uitloggen|2 dagen"
        with force_locale("en"):
            english = render_template_string(TEMPLATE)
            assert translated_text("Uitloggen") == "Sign out"
        assert english == "Sign out|Sign out|2 days"
        # back to Dutch after the block: the kept English catalogue is not reused
        assert render_template_string(TEMPLATE) == "Uitloggen|Uitloggen|2 dagen"


def test_kept_catalogue_is_reused_within_a_locale_and_replaced_after_refresh(app):
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "nl"}):
        first = current_translations()
        assert current_translations() is first
        from flask import session

        session["locale"] = "en"  # what the language menu stores
        refresh()
        assert translated_text("Uitloggen") == "Sign out"
        assert current_translations() is not first


def test_each_request_chooses_again(app):
    # each request in an application context of its own, as in production (the test's own context is shared)
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert translated_text("Uitloggen") == "Sign out"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert translated_text("Uitloggen") == "Uitloggen"


def test_outside_a_request_text_stays_as_written(app):
    assert translated_text("Uitloggen") == "Uitloggen"
    assert translated_text("") == ""


def test_python_gettext_and_lazy_texts_follow_force_locale(app):
    from flask_babel import gettext, lazy_gettext, ngettext

    later = lazy_gettext("Uitloggen")
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert (gettext("Uitloggen"), str(later), ngettext("%(num)d dag", "%(num)d dagen", 1)) == (
            "Uitloggen", "Uitloggen", "1 dag")
        with force_locale("en"):
            assert (gettext("Uitloggen"), str(later), ngettext("%(num)d dag", "%(num)d dagen", 1)) == (
                "Sign out", "Sign out", "1 day")
        assert gettext("Uitloggen") == "Uitloggen"


def test_dates_follow_force_locale(app):
    from datetime import date

    from portal.i18n import format_day

    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert format_day(date(2026, 3, 27)) == "27-03-2026"
        with force_locale("en"):
            assert format_day(date(2026, 3, 27)) == "27 Mar 2026"
