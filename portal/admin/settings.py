"""The beheerder's page of a municipality's settings (portal.admin.terms): each with the portal's
default and its source; a change counts for new deadlines only and is audited.

A regional beheerder chooses which of their municipalities (``?gemeente=CODE``, portal.admin.scope);
another municipality answers 404."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.admin.account_forms import EMAIL
from portal.admin.scope import municipality_choices, scope_or_404
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


NAMES_POLICY = [("roles", _l("Alleen de rol, bijvoorbeeld „Je regisseur” (standaard)")),
                ("names", _l("De rol en de naam van de regisseur of teamleider"))]


class MunicipalityChoiceForm(PortalForm):
    """Which of a regional beheerder's municipalities the page shows (GET: no CSRF, it changes nothing)."""

    class Meta:
        csrf = False

    gemeente = SelectField(_l("Gemeente"), choices=[])


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
        newcomer_audit_names = RadioField(
            _l("Wat ziet de nieuwkomer bij „Wie heeft mijn dossier bekeken”?"),
            [InputRequired(_l("Kies wat de nieuwkomer ziet."))], choices=[],
            description=_l("Standaard ziet de nieuwkomer alleen de rol. De naam tonen is een besluit van de "
                           "gemeente (AVG art. 15: de ontvangers van de gegevens; namen van medewerkers zijn "
                           "zelf persoonsgegevens)."))

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
        "newcomer_audit_names": "names" if municipality.newcomer_audit_names else "roles",
        **{f"term_{t.key}": amount(in_force(municipality, t), t.unit) for t in TERMS}})
    default_event = current_app.config["PIP_DEADLINE_START"]
    form.pip_deadline_start.choices = choices([
        ("", _("Standaard van het portaal: %(event)s", event=START_LABELS.get(default_event, default_event))),
        *((event, START_LABELS[event]) for event in PIP_DEADLINE_STARTS)])
    form.languages.choices = choices((code, LANGUAGE_LABELS[code]) for code in NEWCOMER_LOCALES)
    form.newcomer_audit_names.choices = choices(NAMES_POLICY)
    return form


@bp.route("/instellingen", methods=["GET", "POST"])
@roles_required(Role.BEHEERDER)
def settings():
    scope, chosen = scope_or_404(current_user, request.args.get("gemeente"))
    municipality = chosen.municipalities[0]
    choice = MunicipalityChoiceForm(data={"gemeente": municipality.code})
    choice.gemeente.choices = choices(municipality_choices(scope, None))
    form = _form(municipality)
    if form.validate_on_submit():
        languages = [code for code in NEWCOMER_LOCALES if code in form.languages.data]
        changes = save_settings(
            municipality, {t.key: getattr(form, f"term_{t.key}").data for t in TERMS},
            {"pip_deadline_start": form.pip_deadline_start.data or None,
             "contact_phone": (form.contact_phone.data or "").strip() or None,
             "contact_email": (form.contact_email.data or "").strip() or None,
             "contact_address": (form.contact_address.data or "").strip() or None,
             "languages": None if set(languages) == set(NEWCOMER_LOCALES) else languages,
             "newcomer_audit_names": form.newcomer_audit_names.data == "names"},
            current_user.id)
        db.session.commit()
        flash(_("%(num)d instelling(en) gewijzigd. Dit geldt voor nieuwe termijnen; lopende termijnen houden de "
                "waarde waarmee ze begonnen.", num=len(changes)) if changes else _("Er is niets gewijzigd."),
              "success" if changes else "info")
        return redirect(_here(municipality, scope))
    defaults = {t.key: amount(portal_default(t), t.unit) for t in TERMS}
    return render_template("admin/settings.html", form=form, terms=TERMS, defaults=defaults, scope=scope,
                           municipality=municipality, choice=choice, action=_here(municipality, scope),
                           weeks=current_app.config["PIP_DEADLINE_WEEKS"]), 422 if form.is_submitted() else 200


def _here(municipality, scope) -> str:
    """This page for ``municipality`` (a single-municipality beheerder's URL has no ``gemeente``)."""
    return url_for("admin.settings", gemeente=municipality.code if scope.regional else None)
