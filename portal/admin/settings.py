"""The beheerder's page of their municipality's settings (portal.admin.terms): each with the portal's
default and its source; a change counts for new deadlines only and is audited."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.admin.account_forms import EMAIL
from portal.admin.terms import TERMS, amount, in_force, portal_default, save_settings
from portal.admin.views import bp
from portal.cases.services import PIP_DEADLINE_STARTS
from portal.extensions import db
from portal.forms import PortalForm, choices
from portal.i18n import NEWCOMER_LOCALES
from portal.security import Role, roles_required

START_LABELS = {"koppeling": _l("de koppeling"), "verhuizing": _l("de verhuizing naar de woning"),
                "kennisgeving_brp": _l("de kennisgeving van DUO of de inschrijving in de BRP (de laatste van de twee)")}
LANGUAGE_LABELS = {"nl": "Nederlands", "en": "English", "ar": "العربية", "fa": "فارسی", "ti": "ትግርኛ",
                   "uk": "Українська", "tr": "Türkçe"}


def settings_form_class():
    class SettingsForm(PortalForm):
        pip_deadline_start = SelectField(_l("De 10 weken voor het eerste PIP tellen vanaf"), [Optional()], choices=[])
        contact_phone = StringField(_l("Telefoonnummer van het team"), [Optional(), Length(max=40)],
                                    render_kw={"autocomplete": "off"})
        contact_email = EmailField(_l("E-mailadres van het team"),
                                   [Optional(), EMAIL, Length(max=254)],
                                   render_kw={"autocomplete": "off"})
        contact_address = TextAreaField(_l("Postadres van het team"), [Optional(), Length(max=300)])
        languages = SelectMultipleField(_l("Talen voor nieuwkomers"),
                                        [InputRequired(_l("Kies minstens één taal."))], choices=[],
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                        description=_l("De talen waarin nieuwkomers het portaal en hun brieven "
                                                       "kunnen lezen."))

    for term in TERMS:
        setattr(SettingsForm, f"term_{term.key}", IntegerField(
            term.label, [InputRequired(_l("Vul een aantal in.")),
                         NumberRange(term.minimum, term.maximum, _l("Kies een aantal van %(min)s tot %(max)s."))]))
    return SettingsForm


def _form(municipality):
    form = settings_form_class()(data={
        "pip_deadline_start": municipality.pip_deadline_start or "",
        "contact_phone": municipality.contact_phone, "contact_email": municipality.contact_email,
        "contact_address": municipality.contact_address,
        "languages": municipality.languages or list(NEWCOMER_LOCALES),
        **{f"term_{t.key}": amount(in_force(municipality, t), t.unit) for t in TERMS}})
    default_event = current_app.config["PIP_DEADLINE_START"]
    form.pip_deadline_start.choices = choices([
        ("", _("Standaard van het portaal: %(event)s", event=START_LABELS.get(default_event, default_event))),
        *((event, START_LABELS[event]) for event in PIP_DEADLINE_STARTS)])
    form.languages.choices = choices((code, LANGUAGE_LABELS[code]) for code in NEWCOMER_LOCALES)
    return form


@bp.route("/instellingen", methods=["GET", "POST"])
@roles_required(Role.BEHEERDER)
def settings():
    municipality = current_user.municipality
    form = _form(municipality)
    if form.validate_on_submit():
        languages = [code for code in NEWCOMER_LOCALES if code in form.languages.data]
        changes = save_settings(
            municipality, {t.key: getattr(form, f"term_{t.key}").data for t in TERMS},
            {"pip_deadline_start": form.pip_deadline_start.data or None,
             "contact_phone": (form.contact_phone.data or "").strip() or None,
             "contact_email": (form.contact_email.data or "").strip() or None,
             "contact_address": (form.contact_address.data or "").strip() or None,
             "languages": None if set(languages) == set(NEWCOMER_LOCALES) else languages},
            current_user.id)
        db.session.commit()
        flash(_("%(num)d instelling(en) gewijzigd. Dit geldt voor nieuwe termijnen; lopende termijnen houden de "
                "waarde waarmee ze begonnen.", num=len(changes)) if changes else _("Er is niets gewijzigd."),
              "success" if changes else "info")
        return redirect(url_for("admin.settings"))
    defaults = {t.key: amount(portal_default(t), t.unit) for t in TERMS}
    return render_template("admin/settings.html", form=form, terms=TERMS, defaults=defaults,
                           weeks=current_app.config["PIP_DEADLINE_WEEKS"]), 422 if form.is_submitted() else 200
