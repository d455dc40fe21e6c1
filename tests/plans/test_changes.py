"""A plan change in words: the staff list and the newcomer's list before signing version 2 (issue 10, item 2)."""

import re

import pytest
from flask_babel import force_locale, gettext

from portal.extensions import db
from portal.plans.changes import describe_changes
from portal.plans.services import changes_since_previous, current_version, respond
from portal.plans.spec import plan_form
from tests.conftest import csrf_token, page_language
from tests.factories import PLAN, complete, open_task, produce_documents, walk_to_signing

GOALS = [
    {"leefgebied": "taal_en_leerbaarheid", "doel": "B1 halen", "actie": "Taalles vier dagen", "wie": "taalschool"},
    {"leefgebied": "opleiding_en_werk", "doel": "Werkervaring in de zorg", "actie": "Stage zoeken", "wie": "werkplein"},
    {"leefgebied": "financien", "doel": "Vaste lasten op tijd betalen", "actie": "Budgetcursus", "wie": "regisseur"},
]
#: Version 2: goal 1's aim changed, goal 2 kept, goal 3 (financiën) dropped, a goal for the family added;
#: progress meetings every month instead of every three months.
CHANGED = [
    {**GOALS[0], "doel": "A2 halen en daarna verder naar B1"},
    GOALS[1],
    {"leefgebied": "gezin_en_kinderopvang", "doel": "Kinderopvang voor Sara", "actie": "Aanmelden bij de opvang",
     "wie": "inburgeraar"},
]


@pytest.fixture
def people(create_user):
    return create_user("ria"), create_user("amina", role="inburgeraar", password="amina-geheim-1", locale="ar")


def decide_version_2(case, ria, amina) -> None:
    """Amina asks a question, the regisseur changes the plan, the change is decided: version 2 waits for her."""
    respond(case, amina, current_version(case).id, "Ik wil eerst kinderopvang.")
    complete(case, "pip_ondertekenen", amina, besluit="vraag", bericht="Ik wil eerst kinderopvang.")
    complete(case, "pip_vraag_beantwoorden", ria, antwoord="We passen het plan aan.", vervolg="plan_aanpassen")
    complete(case, "pip_opstellen", ria, **{**PLAN, "doelen": CHANGED, "voortgang": {"interval": "P1M"},
                                           "map_pvt": {"map_uren": 40, "pvt_periode": "Eerste half jaar"}})
    complete(case, "pip_vaststellen", ria, besluitdatum="2026-04-01")
    produce_documents()


@pytest.fixture
def changed_case(create_case, people):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina, doelen=GOALS, voortgang={"interval": "P3M"},
                    map_pvt={"map_uren": 40, "pvt_periode": "Eerste half jaar"})
    decide_version_2(case, ria, amina)
    return case


def test_the_change_list_speaks_in_labels(changed_case):
    with force_locale("nl"):
        before, changes = changes_since_previous(changed_case, current_version(changed_case))
    texts = [change.text for change in changes]
    assert before.number == 1
    assert texts == [
        "Doel 1: doel gewijzigd",
        "Doel 3 verwijderd: leefgebied Financiën",
        "Doel 3: leefgebied Gezin en kinderopvang toegevoegd",
        "Voortgang: voortgangsgesprekken gewijzigd van Elke drie maanden (standaard) in Elke maand",
    ]
    assert not any("/" in text or "_" in text for text in texts)  # no raw keys or codes
    aim = changes[0]
    assert (aim.old, aim.new) == ("B1 halen", "A2 halen en daarna verder naar B1")


def test_removing_the_first_goal_is_one_removal(changed_case):
    form = plan_form(changed_case)
    with force_locale("nl"):
        changes = describe_changes({"doelen": GOALS}, {"doelen": GOALS[1:]}, form)
        added = describe_changes({"doelen": GOALS[:1]}, {"doelen": GOALS[:2]}, form)
    assert [c.text for c in changes] == ["Doel 1 verwijderd: leefgebied Taal en leerbaarheid"]
    assert [c.text for c in added] == ["Doel 2: leefgebied Opleiding en werk toegevoegd"]


def test_the_change_list_in_arabic_uses_the_arabic_labels(changed_case):
    with force_locale("ar"):
        _before, changes = changes_since_previous(changed_case, current_version(changed_case))
        family, finances, monthly = gettext("Gezin en kinderopvang"), gettext("Financiën"), gettext("Elke maand")
    assert family != "Gezin en kinderopvang" and finances != "Financiën"  # the catalog has them
    text = " ".join(change.text for change in changes)
    assert family in text and finances in text and monthly in text
    assert "Gezin en kinderopvang" not in text and "gezin_en_kinderopvang" not in text


def test_the_newcomer_sees_what_changed_before_signing_version_2(changed_case, people, login):
    _ria, amina = people
    db.session.commit()
    client = login(amina, password="amina-geheim-1")
    html = client.get("/mijn/plan/ondertekenen").get_data(as_text=True)
    assert page_language(html) == ("ar", "rtl")
    with force_locale("ar"):
        family = gettext("Gezin en kinderopvang")
    changes = html[html.index('class="change-list"'):html.index("</ul>", html.index('class="change-list"'))]
    assert changes.count("<li") == 4 and family in changes
    assert html.index('id="changes"') < html.index('class="plan-details"')  # before the plan and the signature


def test_the_first_version_has_no_change_list(create_case, people, login):
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    db.session.commit()
    html = login(amina, password="amina-geheim-1").get("/mijn/plan/ondertekenen").get_data(as_text=True)
    assert 'id="changes"' not in html and "change-list" not in html


def test_staff_read_the_change_list_on_the_plan_page(changed_case, people, login):
    ria, _amina = people
    db.session.commit()
    html = login(ria).get(f"/cases/{changed_case.id}/plan/").get_data(as_text=True)
    assert "Wat is er veranderd ten opzichte van versie 1?" in html
    assert "Doel 3: leefgebied Gezin en kinderopvang toegevoegd" in html
    assert "Voortgang: voortgangsgesprekken gewijzigd van Elke drie maanden (standaard) in Elke maand" in html
    assert "doelen/" not in html and "<code>doelen" not in html


def test_the_plan_task_shows_the_term_read_only(changed_case, people, login):
    """While the regisseur changes the plan, the term stands above the form and is no field of it."""
    ria, amina = people
    respond(changed_case, amina, current_version(changed_case).id, "Nog een vraag.")
    complete(changed_case, "pip_ondertekenen", amina, besluit="vraag", bericht="Nog een vraag.")
    complete(changed_case, "pip_vraag_beantwoorden", ria, antwoord="Aanpassen.", vervolg="plan_aanpassen")
    db.session.commit()
    client = login(ria)
    url = f"/tasks/{open_task(changed_case, 'pip_opstellen').id}"
    html = client.get(url).get_data(as_text=True)
    assert "Inburgeringstermijn" in html and "02-03-" in html and "01-03-" in html
    assert "pip_datum" not in html and "Datum van het plan" not in html
    assert csrf_token(client, url)


def test_a_change_opens_with_the_plan_in_force(create_case, people, login):
    """The regisseur changes the plan: the form shows every field of version 1, all three goals as rows."""
    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina, doelen=GOALS, voortgang={"interval": "P3M"},
                    map_pvt={"map_uren": 40, "pvt_periode": "Eerste half jaar"})
    respond(case, amina, current_version(case).id, "Kan het anders?")
    complete(case, "pip_ondertekenen", amina, besluit="vraag", bericht="Kan het anders?")
    complete(case, "pip_vraag_beantwoorden", ria, antwoord="We kijken ernaar.", vervolg="plan_aanpassen")
    db.session.commit()
    client = login(ria)
    url = f"/tasks/{open_task(case, 'pip_opstellen').id}"
    html = client.get(url).get_data(as_text=True)
    for number, goal in enumerate(GOALS):
        assert f'name="doelen-{number}-doel"' in html and goal["doel"] in html
        select = html.split(f'name="doelen-{number}-leefgebied"')[1].split("</select>")[0]
        value = goal["leefgebied"]
        assert re.search(rf'<option (selected value="{value}"|value="{value}" selected)', select)
    assert 'name="doelen-3-doel"' not in html
    assert PLAN["leerroute"]["motivering"] in html  # a text section field
    assert re.search(r'value="P3M"[^>]*checked|checked[^>]*value="P3M"', html)  # a radio
    assert 'value="40"' in html  # a number


def test_the_plan_page_costs_the_same_queries_for_one_version_or_more(create_case, people, login):
    """No query per version: the versions come with their signatures and documents, their questions in one go."""
    from sqlalchemy import event

    ria, amina = people
    case = create_case(ria)
    walk_to_signing(case, ria, amina, doelen=GOALS)
    db.session.commit()
    client = login(ria)

    def queries() -> int:
        client.get(f"/cases/{case.id}/plan/")  # warm
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/cases/{case.id}/plan/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    one = queries()
    decide_version_2(case, ria, amina)  # a second version, with a question about the first
    db.session.commit()
    assert queries() == one
