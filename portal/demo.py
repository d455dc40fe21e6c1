"""Idempotent demo data: two municipalities, staff of every role, newcomers in every intake stage.

Cases move through the real deployed process with the same services the web pages use, so the
demo shows what the portal really does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import time_machine
from sqlalchemy import select

from portal.auth.accounts import grant_municipality
from portal.auth.models import Municipality, StaffMunicipality, User
from portal.casefile.services import open_case
from portal.cases.models import Case
from portal.cases.services import KoppelingData
from portal.db import local_today
from portal.demo_people import merge, person_answers, plan_goals
from portal.demo_progress import walk_into_progress
from portal.enforcement.services import report_no_show
from portal.engine import FormSpec
from portal.extensions import db
from portal.forms import sample_value
from portal.processes.services import deploy
from portal.security import Role, hash_password
from portal.tasks.models import HumanTask
from portal.tasks.workflow import complete_task, form_spec_for, save_draft
from portal.worker import produce_due_documents

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - published demo logins

MUNICIPALITIES = [("0344", "Utrecht"), ("0355", "Zeist")]
STAFF = [
    # username, display name, role, municipality code
    ("regisseur", "Ria Regisseur", Role.REGISSEUR, "0344"),
    ("regisseur3", "Rob de Vries", Role.REGISSEUR, "0344"),
    ("regisseur2", "Sanne Smit", Role.REGISSEUR, "0355"),
    ("teamleider", "Tom Teamleider", Role.TEAMLEIDER, "0344"),
    ("ontwerper", "Olga Ontwerper", Role.ONTWERPER, None),
    ("beheerder", "Bert Beheerder", Role.BEHEERDER, "0344"),
    ("fg", "Fleur Gegevensbescherming", Role.PRIVACY, "0344"),
    ("regiobeheerder", "Renske Regio", Role.BEHEERDER, "0344"),
]
#: Municipalities a demo administrator administers besides their own (portal users grant).
REGIONAL = {"regiobeheerder": ["0355"]}

# v-number, first, last, birth, country, language, household, municipality, regisseur, steps to walk
NEWCOMERS: list[tuple] = [
    ("1000000001", "Amina", "Haddad", date(1994, 3, 12), "Syrië", "arabisch", 3, "0344", "regisseur", "tekenen"),
    ("1000000002", "Yonas", "Tesfay", date(1999, 7, 2), "Eritrea", "tigrinya", 1, "0344", "regisseur",
     "handhaving"),
    ("1000000003", "Dawit", "Gebremariam", date(1988, 1, 20), "Eritrea", "tigrinya", 4, "0344", "regisseur",
     "verhuizing"),
    ("1000000004", "Olena", "Kovalenko", date(1985, 11, 5), "Oekraïne", "oekraiens", 2, "0344", "regisseur",
     "gesprekken"),
    ("1000000005", "Mohammad", "Rahimi", date(2001, 5, 30), "Afghanistan", "farsi", 1, "0344", "regisseur3",
     "ladder"),
    ("1000000008", "Hana", "Tesfamariam", date(1997, 4, 21), "Eritrea", "tigrinya", 2, "0344", "regisseur", "pip"),
    ("1000000006", "Leyla", "Yilmaz", date(1992, 9, 14), "Turkije", "turks", 2, "0344", "regisseur", "samenvatting"),
    ("1000000007", "Samir", "Nasser", date(1990, 2, 8), "Syrië", "arabisch", 5, "0355", "regisseur2",
     "gesprekken"),
]

#: In the progress loop: a plan signed half a year ago, one meeting held, the next self-assessment open.
PROGRESS_NEWCOMER = ("1000000009", "Yusuf", "Haidari", date(1996, 8, 17), "Afghanistan", "dari", 1)

#: Choices that steer the demo through the process (everything else is filled from the form schema).
OVERRIDES = {
    "kennismakingsgesprek": {"startscenario": "gecombineerd"},
    "pip_opstellen": {
        "leerroute": {"route": "b1_route", "looptijd_maanden": 36,
                      "motivering": "De leerbaarheidstoets geeft B1 als haalbaar aan; mevrouw heeft 12 jaar onderwijs "
                                    "gevolgd en wil in de zorg werken. De onderwijsroute is besproken: zij is ouder "
                                    "dan 28 jaar en kiest voor werk naast de taal."},
        "map_pvt": {"map_uren": 40, "pvt_periode": "Eerste half jaar", "pvt_aanbieder": "VluchtelingenWerk"},
        "ontzorgen": {"van_toepassing": True, "kosten": ["huur", "energie", "zorgverzekering"], "duur_maanden": 6},
        "randvoorwaarden": {"kinderopvang": "geregeld", "kinderopvang_toelichting": "Peuteropvang drie ochtenden"},
        "begeleiding": {"begeleiding": "Regisseur elke maand; taalmaatje via Het Begint met Taal.",
                        "maatschappelijke_begeleiding": "vluchtelingenwerk"},
        "doelen": [
            {"leefgebied": "taal_en_leerbaarheid", "doel": "Taalniveau B1 halen",
             "actie": "Taalles vier dagdelen per week", "wie": "taalschool"},
            {"leefgebied": "opleiding_en_werk", "doel": "Werken in de zorg",
             "actie": "Snuffelstage in een verpleeghuis", "wie": "werkplein"},
            {"leefgebied": "sociaal_netwerk", "doel": "Mensen in de buurt leren kennen",
             "actie": "Elke week afspreken met het taalmaatje", "wie": "taalmaatje"},
        ],
        "voortgang": {"interval": "P3M", "duaal_traject": True, "duaal_toelichting": "Taalles en stage tegelijk"},
    },
    "pip_vaststellen": {"ondertekend_namens_college": "J. de Boer, teamleider inburgering"},
}


def sample_submission(form_spec: FormSpec, today: date, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Required fields filled with valid values; fields that conditional rules require are added too."""
    data = {f.name: sample_value(f, today) for f in form_spec.fields if f.required or f.kind == "boolean"}
    data.update(overrides or {})
    fields = dict(form_spec.iter_fields())
    for _round in range(3):
        missing = [v.path for v in form_spec.violations(data) if v.rule == "required" and v.path in fields]
        if not missing:
            break
        for path in missing:
            target = data
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = sample_value(fields[path], today)
    return data


#: Direct numbers of the demo's regisseurs and teamleider (the activation letter prints the regisseur's).
PHONES = {"regisseur": "030 286 12 34", "regisseur3": "030 286 12 56", "regisseur2": "030 692 44 10",
          "teamleider": "030 286 10 00"}


def _ensure_user(username: str, name: str, role: Role, municipality: Municipality | None,
                 locale: str | None = None) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=name, role=role.value,
                    municipality=municipality, password_hash=hash_password(DEMO_PASSWORD),
                    locale=locale or ("nl" if role != Role.INBURGERAAR else "ar"))
        if role == Role.REGISSEUR:
            user.email = f"{username}@gemeente.example"
        db.session.add(user)
        db.session.flush()
    if user.phone is None and username in PHONES:  # also for a demo loaded before the numbers were added
        user.phone = PHONES[username]
    return user


def _open_tasks(case: Case) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                           HumanTask.status == HumanTask.OPEN)
                                   .order_by(HumanTask.id)))


def _complete(case: Case, bpmn_id: str, user: User, overrides: dict | None = None) -> None:
    """Complete the case's open step ``bpmn_id`` with sample answers that fit the demo person."""
    task = next(t for t in _open_tasks(case) if t.bpmn_id == bpmn_id)
    spec = form_spec_for(task)
    today = local_today()
    chosen = {**OVERRIDES.get(bpmn_id, {}), **(overrides or {})}
    if bpmn_id == "pip_opstellen":
        chosen["doelen"] = plan_goals(case.v_number, chosen["doelen"])
    data = merge(sample_submission(spec, today, chosen), person_answers(case.v_number, case.language, bpmn_id))
    complete_task(task.id, sample_submission(spec, today, data), user)


def _walk(case: Case, target: str, regisseur: User, next_day=lambda: None) -> None:
    """Move a fresh case to the named stage of the intake (``next_day`` moves the clock between steps)."""
    if target == "start":
        return
    if target == "handhaving":
        _no_show(case, regisseur, next_day)
        return
    scenario = "na_verhuizing" if target == "verhuizing" else "gecombineerd"
    next_day()
    _complete(case, "kennismakingsgesprek", regisseur, {"startscenario": scenario})
    if target == "verhuizing":
        return
    conversations = ["intake_leerbaarheid", "intake_opleiding_werk", "intake_persoonlijke_omstandigheden",
                     "intake_leefgebieden"]
    if target == "gesprekken":
        next_day()
        _complete(case, conversations[0], regisseur)
        draft_task = next(t for t in _open_tasks(case) if t.bpmn_id == conversations[1])
        save_draft(draft_task, {"gesprek-datum": [case.koppeling_date.isoformat()],
                                "werk-werkervaring_omschrijving": ["Nog navragen: werkte in een bakkerij"]}, regisseur)
        return
    for bpmn_id in conversations:
        next_day()
        _complete(case, bpmn_id, regisseur)
    if target == "ladder":
        return
    _complete(case, "participatieladder_intake", regisseur)
    if target == "samenvatting":
        return
    next_day()
    _complete(case, "intake_samenvatting", regisseur)
    if target == "pip":
        return
    next_day()
    _complete(case, "pip_opstellen", regisseur)
    _complete(case, "pip_vaststellen", regisseur)


def _no_show(case: Case, regisseur: User, next_day) -> None:
    """The newcomer missed the first appointment without a reason: the regisseur proposes a warning and the
    proposal waits for the teamleider's approve/reject (the sanction flow of the demo)."""
    for _day in range(11):  # the appointment a week and a half after the koppeling; the proposal is recent
        next_day()
    task = report_no_show(case, regisseur)
    missed = (local_today() - timedelta(days=1)).isoformat()
    complete_task(task.id, sample_submission(form_spec_for(task), local_today(), {
        "oproep": {"datum": missed, "wijze": "brief_en_telefoon"},
        "beoordeling": {"verwijtbaar": "ja", "reden": "Niet bekend; niet bereikbaar op het azc.",
                        "toelichting": "Twee keer opgeroepen per brief en telefonisch met een tolk; de afspraak is "
                                       "bevestigd en hij kwam niet, zonder bericht."},
        "nieuwe_oproep": (local_today() + timedelta(days=7)).isoformat()}), regisseur)
    next_day()
    _complete(case, "handhaving_voorstel", regisseur, {
        "verwijtbaarheid": "Meneer is twee keer opgeroepen, met tolk gebeld en heeft de afspraak bevestigd; hij "
                           "kwam zonder bericht niet en heeft geen reden gegeven.",
        "ondersteuning": "Uitleg van de oproep met een telefonische tolk en een herinnering per sms.",
        "maatregel": "waarschuwing"})


def _day_by_day(clock, today: date):
    """A step to the next day on the frozen ``clock`` (an hour when the next day would pass ``today``)."""
    def next_day() -> None:
        clock.shift(timedelta(days=1) if local_today() + timedelta(days=1) < today else timedelta(hours=1))
    return next_day


def load_demo() -> list[str]:
    """Create what is missing; returns lines to print (the logins)."""
    version, _created = deploy(note="demo")
    municipalities = {}
    for code, name in MUNICIPALITIES:
        m = db.session.scalar(select(Municipality).where(Municipality.code == code))
        if m is None:
            m = Municipality(code=code, name=name)
            db.session.add(m)
            db.session.flush()
        municipalities[code] = m
    users = {username: _ensure_user(username, name, role, municipalities.get(code) if code else None)
             for username, name, role, code in STAFF}
    for username, codes in REGIONAL.items():
        for code in codes:
            if db.session.get(StaffMunicipality, (users[username].id, municipalities[code].id)) is None:
                grant_municipality(users[username], municipalities[code], purpose="demo")
    today = local_today()
    for index, (v_number, first, last, born, country, language, household, code, regisseur, target) in enumerate(
            NEWCOMERS):
        if db.session.scalar(select(Case.id).where(Case.v_number == v_number)) is not None:
            continue
        koppeling = today - timedelta(days=7 * (index + 1))
        data = KoppelingData(v_nummer=v_number, voornaam=first, achternaam=last, geboortedatum=born,
                             land_van_herkomst=country, taal=language, huishoudgrootte=household,
                             koppelingsdatum=koppeling, azc_locatie="azc Utrecht",
                             coa_contactpersoon="J. Jansen (COA)")
        # Each case is opened on its koppeling and walked a day per step from then on, never past today,
        # so its timers see the dates they would have seen (no "intake not started" on a started intake).
        with time_machine.travel(datetime.combine(koppeling, time(9), UTC), tick=False) as clock:
            case = open_case(data, municipalities[code], users[regisseur].id, None, "cli.demo")
            if v_number == "1000000001":  # before the walk, so her signing task is assigned to her
                amina = _ensure_user("amina", "Amina Haddad", Role.INBURGERAAR, municipalities[code])
                case.newcomer_user_id = amina.id
            _walk(case, target, users[regisseur], _day_by_day(clock, today))
    if db.session.scalar(select(Case.id).where(Case.v_number == PROGRESS_NEWCOMER[0])) is None:
        v_number, first, last, born, country, language, household = PROGRESS_NEWCOMER
        yusuf = _ensure_user("yusuf", f"{first} {last}", Role.INBURGERAAR, municipalities["0344"], locale="fa")

        def open_on(day: date) -> Case:
            data = KoppelingData(v_nummer=v_number, voornaam=first, achternaam=last, geboortedatum=born,
                                 land_van_herkomst=country, taal=language, huishoudgrootte=household,
                                 koppelingsdatum=day, azc_locatie="azc Utrecht", coa_contactpersoon="J. Jansen (COA)")
            return open_case(data, municipalities["0344"], users["regisseur"].id, None, "cli.demo")

        walk_into_progress(open_on, lambda case: _walk(case, "tekenen", users["regisseur"]), users["regisseur"], yusuf,
                           DEMO_PASSWORD)
    db.session.commit()
    produce_due_documents()  # the PDFs the worker would make: decisions, plans, signed copies
    lines = [f"process version {version.id} ({version.digest[:12]})", "demo logins (password: "
             f"{DEMO_PASSWORD}):"]
    for username, name, role, code in [*STAFF, ("amina", "Amina Haddad", Role.INBURGERAAR, "0344"),
                                       ("yusuf", "Yusuf Haidari", Role.INBURGERAAR, "0344")]:
        where = dict(MUNICIPALITIES).get(code, "alle gemeenten") if code else "alle gemeenten"
        where = " + ".join([where, *(dict(MUNICIPALITIES)[extra] for extra in REGIONAL.get(username, []))])
        lines.append(f"  {username:<12} {role.value:<12} {name} ({where})")
    return lines


def form_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Task data → the form fields a browser would post for it (sections as ``section-field``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update({f"{key}-{k}": v for k, v in form_fields(value).items()})
        elif isinstance(value, bool):
            if value:
                out[key] = "y"
        elif isinstance(value, list):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def sample_koppeling(n: int, koppeling: date = date(2026, 1, 5), first: str = "Test",
                     last: str | None = None) -> KoppelingData:
    """A COA handover for test and benchmark case ``n`` (V-number 9000000000 + n)."""
    return KoppelingData(v_nummer=f"{9000000000 + n}", voornaam=first, achternaam=last or f"Persoon {n}",
                         geboortedatum=date(1990, 1, 1), land_van_herkomst="Syrië", taal="arabisch",
                         huishoudgrootte=1, koppelingsdatum=koppeling)


def staff_with_cases(cases: int, password: str, koppeling: date = date(2026, 1, 5),
                     role: Role = Role.REGISSEUR) -> tuple[Municipality, User, list[Case]]:
    """Utrecht, one staff user ``ria`` and ``cases`` newly opened cases of hers (tests and benchmarks)."""
    deploy()
    municipality = Municipality(code="0344", name="Utrecht")
    user = User(username="ria", display_name="Ria", role=role.value, municipality=municipality,
                password_hash=hash_password(password))
    db.session.add_all([municipality, user])
    db.session.flush()
    opened = [open_case(sample_koppeling(n, koppeling), municipality, user.id, None, "test") for n in range(cases)]
    return municipality, user, opened
