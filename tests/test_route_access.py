"""Every route of the URL map, tried by every kind of user with real ids.

For each route the declared roles (``roles_required``) are checked by request, not by reading the
marker: a role outside them gets 403, a role inside them gets through; a user of another
municipality gets 404 for every id of this one; anonymous users go to the login page; another
newcomer never sees this newcomer's data. A new route with an id this test does not know fails it,
so whoever adds the route adds its id here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.newcomer.copy_models import DataCopy
from portal.plans.models import PlanDocument
from portal.security import Role
from portal.worker import fire_due_timers
from tests.conftest import FreshGlobalsClient, csrf_token
from tests.factories import open_tasks, produce_documents, walk_to_signing

NEWCOMER_PASSWORD = "amina-geheim-1"
#: Ids of records that belong to the whole portal (the process set is one for every municipality): a
#: request to deploy a new process version, which a beheerder of any municipality may decide.
PORTAL_WIDE = {"request_id"}


@pytest.fixture
def world(create_user, create_case):
    """Amina's case in Utrecht (0344) at signing, with a document that failed and a reset request;
    a second newcomer in Utrecht; and staff of every role in Utrecht and in another municipality (0355)."""
    from portal.newcomer.recovery import request_reset

    ria = create_user("ria")
    amina = create_user("amina", role="inburgeraar", password=NEWCOMER_PASSWORD)
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    produce_documents()
    decision = db.session.scalar(select(PlanDocument).where(PlanDocument.kind == PlanDocument.DECISION))
    decision.status = PlanDocument.FAILED
    plan_pdf = db.session.scalar(select(PlanDocument).where(PlanDocument.kind == PlanDocument.PLAN))
    reset = request_reset(case, ria, "Wachtwoord kwijt")
    then = utcnow() - timedelta(weeks=10)
    with time_machine.travel(then, tick=False):  # opened ten weeks ago: "intake not started" escalates
        late = create_case(ria, first="Omar", last="Late", koppeling=then.date())
    fire_due_timers()
    tasks = {task.role: task.id for task in open_tasks(late)}
    yusuf = create_user("yusuf", role="inburgeraar", password=NEWCOMER_PASSWORD)
    create_case(ria, first="Yusuf", last="Demir").newcomer_user = yusuf
    users = {
        "regisseur": ria, "teamleider": create_user("tom", role="teamleider"),
        "beheerder": create_user("bea", role="beheerder"), "fg": create_user("fiona", role="fg"),
        "ontwerper": create_user("otto", role="ontwerper", code=None),
        "inburgeraar": amina,
    }
    others = {  # another municipality, every role; and another newcomer of the same one
        "regisseur": create_user("sanne", code="0355"),
        "teamleider": create_user("tina", role="teamleider", code="0355"),
        "beheerder": create_user("bob", role="beheerder", code="0355"), "inburgeraar": yusuf,
    }
    from portal.coaupload.services import keep_upload
    from portal.designer.drafts import create_draft
    from portal.designer.models import DeployRequest
    from portal.designer.services import workdir_files
    from portal.processes.services import current_version
    from portal.tasks.models import ProcessMigration

    draft = create_draft("Concept", workdir_files(), user_id=users["ontwerper"].id)
    upload = keep_upload(ria, "coa.csv", b"v_nummer;voornaam\n1;x\n")  # refused as a whole: imports nothing
    run = ProcessMigration(target_version_id=current_version().id, status=ProcessMigration.DONE, total=0)
    deploy_request = DeployRequest(source="workdir", digest="0" * 64, note="x", requested_by_id=users["ontwerper"].id)
    db.session.add_all([run, deploy_request])
    copy = DataCopy(case_id=case.id, user_id=amina.id, locale="ar", status=DataCopy.READY, content=b"PK",
                    produced_at=utcnow())
    db.session.add(copy)
    db.session.flush()
    ids = {"case_id": case.id, "task_id": tasks, "reset_id": reset.id, "copy_id": copy.id,
           "document_id": {"plans.document": plan_pdf.id, "admin.retry": decision.id},
           "version_id": current_version().id, "process_id": "inburgering",
           "draft_id": draft.id, "bpmn_name": "pip.bpmn", "form_name": "kennismakingsgesprek",
           "user_id": ria.id, "newcomer_id": amina.id,
           "run_id": run.id, "request_id": deploy_request.id,
           "token": {"coaupload.review": upload, "coaupload.result": upload, "auth.activate_staff": "no-such-link"}}
    db.session.commit()
    return case, users, others, ids


def url_of(rule, ids, role="regisseur") -> str:
    """The rule with real ids: per endpoint where one kind of id means several records, and a task of the
    user's own role (a task of another lane answers 403 by design)."""
    values = {}
    for name in rule.arguments:
        assert name in ids, f"{rule.rule}: give this test a real id for <{name}>"
        value = ids[name]
        if name == "task_id":
            value = value.get(role, value["regisseur"])
        values[name] = value[rule.endpoint] if isinstance(value, dict) else value
    return rule.build(values)[1]


def routes(app):
    """(rule, method, access) for every route but static files; logging out last."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        found.append((rule, method, app.view_functions[rule.endpoint].access))
    return sorted(found, key=lambda r: (r[0].endpoint == "auth.logout", r[0].rule))


def request(client, method, url, token_page):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, token_page)})


def client_for(app, user):
    client = FreshGlobalsClient(app, app.response_class)
    if user is not None:
        client.get("/login")
        password = NEWCOMER_PASSWORD if user.role == Role.INBURGERAAR else "geheim-123"
        answer = client.post("/login", data={"username": user.username, "password": password,
                                             "csrf_token": csrf_token(client, "/login")})
        assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def test_every_route_answers_each_role_as_declared(app, world):
    _case, users, _others, ids = world
    wrong = []
    for role in ["anonymous", *users]:  # (no ketenpartner pages yet)
        wrong += walk_as(app, role, None if role == "anonymous" else users[role], ids)
    assert wrong == []


def walk_as(app, role, user, ids) -> list[str]:
    client = client_for(app, user)
    token_page = "/login" if user is None else "/account"
    wrong = []
    for rule, method, (kind, roles) in routes(app):
        url = url_of(rule, ids, role)
        status = request(client, method, url, token_page).status_code
        if kind == "public":
            ok = status < 500 and status not in (401, 403, 404)
        elif user is None:
            ok = status == 302
        elif roles and role not in roles:
            ok = status == 403
        else:
            ok = status < 500 and status not in (403, 404)
        if not ok:
            wrong.append(f"{role}: {method} {url} → {status}")
    return wrong


def test_another_municipality_gets_404_for_every_id(app, world):
    case, _users, others, ids = world
    wrong = []
    for role in ("regisseur", "teamleider", "beheerder"):
        client = client_for(app, others[role])
        for rule, method, (kind, roles) in routes(app):
            if not rule.arguments or kind == "public" or (roles and role not in roles):
                continue  # without ids: nothing of this municipality to name; other roles: 403 above; a public
                # page (a one-time link) names no record of a municipality
            if set(rule.arguments) <= PORTAL_WIDE:
                continue  # a record of the whole portal, not of a municipality (and holding no case data)
            url = url_of(rule, ids, role)
            status = request(client, method, url, "/account").status_code
            if status != 404:
                wrong.append(f"{role}: {method} {url} → {status}")
        listings = {"regisseur": ("/cases/", "/tasks/"),
                    "beheerder": ("/beheer/documenten", "/beheer/audit", "/beheer/audit.csv"),
                    "teamleider": ("/cases/", "/tasks/", "/tasks/?scope=team", "/tasks/team")}[role]
        for listing in listings:
            page = client.get(listing).get_data(as_text=True)
            assert case.reference not in page and case.full_name not in page
            assert case.regisseur.display_name not in page, listing
    assert wrong == []


def test_another_newcomer_only_ever_sees_their_own_case(app, world):
    case, _users, others, ids = world
    client = client_for(app, others["inburgeraar"])
    for rule, method, (_kind, roles) in routes(app):
        if method != "GET" or Role.INBURGERAAR not in roles:
            continue
        answer = client.get(url_of(rule, ids))
        assert answer.status_code < 500, rule.rule
        body = answer.get_data()
        assert case.full_name.encode() not in body and case.v_number.encode() not in body, rule.rule
