"""The modeler's texts for its script (handed over in a data- attribute, so they are translated like any page)."""

from __future__ import annotations

from flask_babel import gettext as _


def modeler_texts() -> dict[str, str]:
    return {
        "unsaved": _("Er zijn wijzigingen die nog niet zijn opgeslagen."),
        "saving": _("Bezig met opslaan en controleren…"),
        "saved": _("Opgeslagen als revisie %(revision)d."),
        "notSaved": _("Niet opgeslagen."),
        "saveFailed": _("Opslaan is mislukt. Probeer het opnieuw."),
        "loadFailed": _("Het diagram kon niet worden geladen. Upload het bestand op de pagina van het concept."),
        "lintClean": _("De controle vond geen problemen in het concept."),
        "lintOne": _("%(num)d probleem in het concept."),
        "lintMany": _("%(num)d problemen in het concept."),
        "problem": _("Probleem: zie de controle onder het diagram"),
        "chooseElement": _("Kies een element op het canvas om zijn eigenschappen te bewerken."),
        "type": _("Soort"),
        "id": _("ID"),
        "idHint": _("Letters, cijfers, _ . en -; uniek. Het formulier heet standaard naar dit ID."),
        "badId": _("Dit ID kan niet: gebruik letters, cijfers, _ . en -, en een ID dat nog niet bestaat."),
        "name": _("Naam"),
        "lane": _("Baan (rol)"),
        "laneHint": _("De rol die deze stap doet. Het element wordt naar die baan verplaatst."),
        "noLane": _("Geen baan"),
        "form": _("Formulierbestand"),
        "formHint": _("Een bestand in forms/. Leeg: %(file)s."),
        "dueIn": _("Termijn (dueIn)"),
        "dueInHint": _("ISO 8601-duur, bijvoorbeeld P2W (twee weken) of P10D."),
        "action": _("Portaalactie (portalAction)"),
        "actionHint": _("Wat het portaal doet als de taak klaar is."),
        "noAction": _("Geen"),
        "unknown": _("onbekend"),
        "showSteps": _("Eerdere antwoorden tonen (showSteps)"),
        "showStepsHint": _("ID's van eerdere gebruikerstaken, gescheiden door komma's."),
        "script": _("Script"),
        "scriptHint": _("Python in de sandbox van het portaal; geen imports."),
        "preScript": _("Script vooraf (preScript)"),
        "preScriptHint": _("Loopt voordat de taak begint; leeg laten als het niet nodig is."),
        "postScript": _("Script achteraf (postScript)"),
        "called": _("Aangeroepen proces (calledElement)"),
        "timerKind": _("Soort timer"),
        "timeDuration": _("Duur (timeDuration)"),
        "timeDate": _("Moment (timeDate)"),
        "timeCycle": _("Herhaling (timeCycle)"),
        "timerExpression": _("Timer-expressie"),
        "timerHint": _("Een expressie; zet een vaste duur tussen aanhalingstekens, bijvoorbeeld \"P3M\"."),
        "condition": _("Voorwaarde (conditionExpression)"),
        "conditionHint": _("Een Python-expressie, bijvoorbeeld mdo[\"uitkomst\"] == \"afschalen\". "
                           "Leeg: geen voorwaarde."),
        "defaultFlow": _("Standaardpad van de keuze"),
    }
