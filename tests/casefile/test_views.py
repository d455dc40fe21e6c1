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


def test_a_large_municipalitys_stage_counts_are_kept_a_while_a_small_ones_are_not(app, create_user, create_case,
                                                                                  login, monkeypatch):
    """The case list's stage filter counts the municipality's cases per stage: kept LIST_CHOICES_SECONDS for
    a municipality of more than COUNT_CAP cases (here 2), read every time for a smaller one."""
    from portal.cases import services
    from portal.kept import forget_all

    monkeypatch.setitem(app.config, "LIST_CHOICES_SECONDS", 30)
    forget_all()
    ria = create_user("ria")
    client = login(ria)

    def brede_intake() -> str:
        html = client.get("/cases/").get_data(as_text=True)
        return re.search(r'<option value="brede_intake"[^>]*>([^<]+)</option>', html).group(1)

    create_case(ria)
    create_case(ria)
    assert brede_intake() == "Brede intake (2)"
    create_case(ria)
    assert brede_intake() == "Brede intake (3)"  # small (2 is the cap, 2 were counted): read again
    monkeypatch.setattr(services, "COUNT_CAP", 2)
    forget_all()
    assert brede_intake() == "Brede intake (3)"  # large now: kept
    create_case(ria)
    assert brede_intake() == "Brede intake (3)"
    forget_all()  # as when the time has passed
    assert brede_intake() == "Brede intake (4)"


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


#: Links that are no page: signing out is a form post; static files and anchors.
NOT_PAGES = re.compile(r"^/(static/|logout)|^#")


def _links(page: str) -> set[str]:
    """Every same-site link of a page (``href`` starting with one "/"), without its fragment."""
    return {href.split("#")[0].replace("&amp;", "&") for href in re.findall(r'href="(/[^/"][^"]*|/)"', page)
            if not NOT_PAGES.match(href)}


def test_no_link_reachable_from_a_case_page_ends_in_403_for_any_role(create_user, create_case, login, clock):
    """Issue 10: every role. The regisseur and teamleider follow every link of the case page and of the pages of
    this case it leads to (two steps deep); every other role cannot open a case page at all and is offered no link
    to one."""
    from portal.concerns.services import raise_concern
    from portal.security import STAFF_ROLES, Role
    from tests.factories import hold_next_meeting, walk_to_progress

    ria, tom = create_user("ria"), create_user("tom", role="teamleider")
    amina = create_user("amina", role="inburgeraar", password="amina-geheim-1", locale="ar")
    case = create_case(ria)
    walk_to_progress(case, ria, amina)  # plan decided and signed: versions, documents, signature
    hold_next_meeting(case, ria, amina, clock)  # a meeting on record
    raise_concern(case, amina, "hulp_nodig", "Ik heb hulp nodig bij de brief van DUO.")  # a step for the team
    db.session.commit()
    case_pages = re.compile(rf"^/(cases/{case.id}(/|$)|tasks/\d+$)")
    for user in (ria, tom):
        client = login(user, new_client=True)
        start = f"/cases/{case.id}"
        seen, frontier = {start: 200}, [start]
        for _depth in range(2):
            found = []
            for url in frontier:
                response = client.get(url)
                if response.mimetype != "text/html":
                    continue
                for link in _links(response.get_data(as_text=True)) - seen.keys():
                    seen[link] = client.get(link).status_code
                    if case_pages.match(link):
                        found.append(link)
            frontier = found
        refused = {link: status for link, status in seen.items() if status in (403, 404) or status >= 500}
        assert refused == {}, user.username
        assert len(seen) > 10, (user.username, sorted(seen))  # the crawl saw the page's links
        assert any(link.startswith("/tasks/") for link in seen), user.username  # the open steps among them
    others = [create_user(f"user-{role}", role=role, code=None if role == Role.ONTWERPER else "0344")
              for role in sorted(STAFF_ROLES - {Role.REGISSEUR, Role.TEAMLEIDER})]
    others.append(amina)  # the newcomer herself: her pages are /mijn/, never the staff case page
    db.session.commit()
    for user in others:
        password = "amina-geheim-1" if user.role == "inburgeraar" else "geheim-123"
        client = login(user, password=password, new_client=True)
        assert client.get(f"/cases/{case.id}").status_code in (403, 404), user.role
        home = client.get("/", follow_redirects=True)
        assert home.status_code == 200, user.role
        offered = _links(home.get_data(as_text=True))
        assert not any(link.startswith("/cases/") and link != "/cases/" for link in offered), user.role
        if client.get("/cases/").status_code == 200:  # a case list, if the role has one, links no case either
            assert f"/cases/{case.id}" not in client.get("/cases/").get_data(as_text=True), user.role
