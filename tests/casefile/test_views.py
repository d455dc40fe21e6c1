"""Opening a case from the COA handover, the case page per life domain, reassignment, the case list."""

import re

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.cases.models import Case
from portal.db import local_today
from portal.extensions import db
from tests.conftest import csrf_token
from tests.factories import complete, open_tasks

VALID = {"v_nummer": "1234567890", "voornaam": "Yonas", "achternaam": "Tesfay", "geboortedatum": "1999-07-02",
         "land_van_herkomst": "Eritrea", "taal": "tigrinya", "huishoudgrootte": "1",
         "koppelingsdatum": local_today().isoformat()}


def test_new_koppeling_opens_case_and_starts_intake(create_user, login):
    ria = create_user("ria")
    client = login(ria)
    data = {**VALID, "regisseur": str(ria.id), "csrf_token": csrf_token(client, "/cases/new")}
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302
    case = db.session.scalar(select(Case).where(Case.v_number == "1234567890"))
    assert case.reference == f"0344-{local_today().year}-{case.id:05d}"
    assert [t.bpmn_id for t in open_tasks(case)] == ["kennismakingsgesprek"]
    assert open_tasks(case)[0].assignee_id == ria.id


def test_new_koppeling_errors_keep_input(create_user, login):
    ria = create_user("ria")
    client = login(ria)
    data = {**VALID, "v_nummer": "12AB", "geboortedatum": "", "regisseur": str(ria.id),
            "csrf_token": csrf_token(client, "/cases/new")}
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert "Een V-nummer bestaat uit 10 cijfers." in html
    assert "Vul de geboortedatum in." in html
    assert 'value="Tesfay"' in html and 'value="12AB"' in html
    assert db.session.scalar(select(Case).where(Case.last_name == "Tesfay")) is None


def test_new_koppeling_marks_each_invalid_field(create_user, login):
    """The one error pattern: summary "Er is een probleem" linking to the field, the message again at the
    field (above the input), aria-invalid and aria-describedby naming hint and message."""
    ria = create_user("ria")
    client = login(ria)
    data = {**VALID, "v_nummer": "12AB", "geboortedatum": "", "regisseur": str(ria.id),
            "csrf_token": csrf_token(client, "/cases/new")}
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert "Er is een probleem" in html and "Er is iets misgegaan" not in html
    assert 'href="#v_nummer"' in html and 'href="#geboortedatum"' in html
    v_input = re.search(r'<input[^>]*id="v_nummer"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in v_input
    assert 'aria-describedby="v_nummer-hint v_nummer-error"' in v_input
    assert html.index('id="v_nummer-error"') < html.index(v_input)
    assert 'id="geboortedatum-error"' in html
    name_input = re.search(r'<input[^>]*id="achternaam"[^>]*>', html).group(0)
    assert "aria-invalid" not in name_input


def test_duplicate_v_number_is_refused(create_user, login, create_case):
    ria = create_user("ria")
    existing = create_case(ria)
    client = login(ria)
    data = {**VALID, "v_nummer": existing.v_number, "regisseur": str(ria.id),
            "csrf_token": csrf_token(client, "/cases/new")}
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert "Voor dit V-nummer bestaat al een dossier." in html


def walk_intake(case, user):
    complete(case, "kennismakingsgesprek", user)
    for step in ["intake_leerbaarheid", "intake_opleiding_werk", "intake_persoonlijke_omstandigheden",
                 "intake_leefgebieden"]:
        complete(case, step, user)


def test_case_page_groups_per_life_domain_and_shows_timeline(create_user, create_case, login):
    ria = create_user("ria")
    case = create_case(ria)
    walk_intake(case, ria)
    html = login(ria).get(f"/cases/{case.id}").get_data(as_text=True)
    for heading in ["Samenvatting", "Per leefgebied", "Taal en leerbaarheid", "Gezondheid", "Tijdlijn", "Open taken"]:
        assert heading in html, heading
    assert re.search(r'<a href="/tasks/\d+">Participatieladder bij intake</a>', html)  # the next step
    assert "<dt>Regisseur</dt><dd>Ria</dd>" in html  # the responsible regisseur ("Ria" is also the logged-in user)
    assert re.search(r'<dt>Volgende stap</dt>\s*<dd[^>]*><a href="/tasks/\d+">Participatieladder bij intake</a>\s*– '
                     r'ligt bij Ria', html)  # the next step and who holds it
    assert "afgerond door Ria op" in html  # who completed the steps
    reads = db.session.scalars(select(AuditEvent.subject).where(AuditEvent.case_id == case.id,
                                                                AuditEvent.action == "read")).all()
    assert "case" in reads and "case.health" in reads


def test_teamleider_sees_no_health_data_and_can_reassign(create_user, create_case, login):
    ria = create_user("ria")
    rob = create_user("rob")
    tom = create_user("tom", role="teamleider")
    case = create_case(ria)
    walk_intake(case, ria)
    client = login(tom)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Afgeschermd" in html
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                          AuditEvent.subject == "case.health"))
    token = csrf_token(client, f"/cases/{case.id}")
    response = client.post(f"/cases/{case.id}/reassign",
                           data={"regisseur": str(rob.id), "reden": "Verlof", "csrf_token": token})
    assert response.status_code == 302
    assert case.regisseur_id == rob.id
    assert {t.assignee_id for t in open_tasks(case) if t.role == "regisseur"} == {rob.id}


def test_regisseur_cannot_reassign(create_user, create_case, login):
    ria = create_user("ria")
    case = create_case(ria)
    client = login(ria)
    token = csrf_token(client, f"/cases/{case.id}")
    response = client.post(f"/cases/{case.id}/reassign", data={"regisseur": str(ria.id), "reden": "x",
                                                               "csrf_token": token})
    assert response.status_code == 403


def test_case_list_filters_by_stage_and_search(create_user, create_case, login):
    ria = create_user("ria")
    a = create_case(ria, first="Amina")
    b = create_case(ria, first="Dawit")
    client = login(ria)
    html = client.get("/cases/?q=Dawit").get_data(as_text=True)
    assert b.reference in html and a.reference not in html
    assert a.reference in client.get("/cases/?stage=brede_intake").get_data(as_text=True)


def test_case_list_audits_which_cases_were_shown(create_user, create_case, login):
    ria = create_user("ria")
    case = create_case(ria)
    login(ria).get("/cases/")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == "case.list")).all()
    assert [(e.action, e.purpose, e.user_id) for e in events] == [("read", "casefile.index", ria.id)]
    assert events[0].detail["cases"] == [case.id]


def test_every_task_link_on_a_case_page_opens_for_its_reader(create_user, create_case, login):
    """A case page links only the steps its reader may open: no link that ends in 403 (the crawl found
    dozens for a teamleider: the regisseur's conversations and finished steps)."""
    from datetime import timedelta

    import time_machine

    from portal.db import utcnow
    from portal.worker import fire_due_timers

    ria, tom = create_user("ria"), create_user("tom", role="teamleider")
    then = utcnow() - timedelta(weeks=10)
    with time_machine.travel(then, tick=False):  # ten weeks old: the teamleider's escalation opens
        case = create_case(ria, koppeling=then.date())
    fire_due_timers()
    complete(case, "kennismakingsgesprek", ria)  # a finished regisseur step with a conversation
    escalation = next(t for t in open_tasks(case) if t.role == "teamleider")
    db.session.commit()
    for user in (ria, tom):
        client = login(user, new_client=True)
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        links = set(re.findall(r'href="/tasks/(\d+)"', page))
        assert links, user.username
        assert {task_id: client.get(f"/tasks/{task_id}").status_code for task_id in links} == {
            task_id: 200 for task_id in links}, user.username
    assert str(escalation.id) in links  # the teamleider's own step is linked for the teamleider
