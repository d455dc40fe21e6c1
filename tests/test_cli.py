"""The `portal` command as README and CI use it."""

from datetime import UTC, datetime

import time_machine

from portal.extensions import db
from tests.factories import complete, open_steps


def test_bpmn_lint_passes_on_workflows(app):
    result = app.test_cli_runner().invoke(args=["bpmn", "lint"])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_bpmn_lint_fails_with_file_line_messages(app, tmp_path):
    broken = tmp_path / "kapot.bpmn"
    broken.write_text("""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="kapot" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t" />
    <bpmn:userTask id="t" name="Zonder formulier" />
  </bpmn:process>
</bpmn:definitions>""")
    result = app.test_cli_runner().invoke(args=["bpmn", "lint", str(broken)])
    assert result.exit_code == 1
    assert "kapot.bpmn:6 [kapot/t] process has no lanes" in result.output
    assert "kapot.bpmn:6 [kapot/t] no form: create workflows/forms/t.json" in result.output


def test_deploy_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["bpmn", "deploy"])
    assert result.exit_code == 0 and result.output.startswith("unchanged: process version")


def test_import_coa_reports_rows(app, tmp_path, municipality):
    municipality("0344")
    db.session.commit()
    csv = tmp_path / "coa.csv"
    csv.write_text("v_nummer;voornaam;achternaam;geboortedatum;land_van_herkomst;taal;huishoudgrootte;"
                   "koppelingsdatum;gemeentecode\n"
                   "7777777777;Ali;Ahmadi;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n"
                   "123;Bad;Row;2000-01-01;Afghanistan;dari;1;2026-01-05;0344\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-coa", str(csv)])
    assert result.exit_code == 1
    assert "geïmporteerd: 0344-2026-" in result.output
    assert "fout: regel 3, v_nummer: Een V-nummer bestaat uit 10 cijfers." in result.output
    assert "1 geïmporteerd, 0 overgeslagen, 1 fout(en)" in result.output


def test_timers_run_once_fires_due_timers(app, create_user, create_case):
    ria = create_user("ria")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        complete(case, "kennismakingsgesprek", ria)
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False):
        result = app.test_cli_runner().invoke(args=["timers", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "fired timers of 1 case(s)" in result.output
    assert "intake_uitloop_bespreken" in open_steps(case)


def test_timers_run_at_a_simulated_moment(app, create_user, create_case):
    ria = create_user("ria")
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        complete(case, "kennismakingsgesprek", ria)
    refused = app.test_cli_runner().invoke(args=["timers", "run", "--at", "2026-03-10"])
    assert refused.exit_code != 0 and "PORTAL_ALLOW_CLOCK_TRAVEL" in refused.output
    app.config["ALLOW_CLOCK_TRAVEL"] = True
    try:
        with time_machine.travel(datetime(2026, 1, 6, 9, tzinfo=UTC), tick=False):  # "now" is early January
            result = app.test_cli_runner().invoke(args=["timers", "run", "--at", "2026-03-10"])
    finally:
        app.config["ALLOW_CLOCK_TRAVEL"] = False
    assert result.exit_code == 0, result.output
    assert "fired timers of 1 case(s)" in result.output
    assert "intake_uitloop_bespreken" in open_steps(case)


def test_municipality_pip_deadline_start_is_set_and_reset(app, municipality):
    from portal.cases.services import PIP_DEADLINE_STARTS
    from portal.cli import municipality_pip_deadline_start

    assert list(municipality_pip_deadline_start.params[1].type.choices) == [*PIP_DEADLINE_STARTS, "default"]
    utrecht = municipality("0344")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["municipality", "pip-deadline-start", "0344", "kennisgeving_brp"])
    assert result.exit_code == 0, result.output
    db.session.refresh(utrecht)
    assert utrecht.pip_deadline_start == "kennisgeving_brp"
    assert runner.invoke(args=["municipality", "pip-deadline-start", "0344", "intake"]).exit_code == 2
    assert runner.invoke(args=["municipality", "pip-deadline-start", "9999", "koppeling"]).exit_code == 1
    assert runner.invoke(args=["municipality", "pip-deadline-start", "0344", "default"]).exit_code == 0
    db.session.refresh(utrecht)
    assert utrecht.pip_deadline_start is None


def test_municipalities_add_and_its_errors(app):
    from sqlalchemy import select

    from portal.auth.models import Municipality

    runner = app.test_cli_runner()
    result = runner.invoke(args=["municipalities", "add", "0307", "Amersfoort"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Municipality.name).where(Municipality.code == "0307")) == "Amersfoort"
    again = runner.invoke(args=["municipalities", "add", "0307", "Amersfoort"])
    assert again.exit_code == 1 and "municipality 0307 exists already" in again.output
    bad = runner.invoke(args=["municipalities", "add", "Amersfoort", "0307"])
    assert bad.exit_code == 1 and "4-digit CBS code" in bad.output


def test_users_create_asks_the_password_twice_and_signs_in(app, client, municipality):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.auth.models import User
    from portal.security import verify_password

    municipality("0344")
    db.session.commit()
    runner = app.test_cli_runner()
    mismatch = runner.invoke(args=["users", "create", "bea", "--role", "beheerder", "--municipality", "0344"],
                             input="geheim-12345\nanders-12345\ngeheim-12345\ngeheim-12345\n")
    assert mismatch.exit_code == 0, mismatch.output  # asked again after the two differed
    assert "created beheerder bea of 0344 Utrecht" in mismatch.output
    bea = db.session.scalar(select(User).where(User.username == "bea"))
    assert bea.role == "beheerder" and bea.municipality.code == "0344"
    assert verify_password(bea.password_hash, "geheim-12345") and bea.password_hash.startswith("$argon2")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.purpose == "cli.users.create")) is not None
    short = runner.invoke(args=["users", "create", "tom", "--role", "teamleider", "--municipality", "0344"],
                          input="kort\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output


def test_users_create_refuses_duplicate_unknown_municipality_and_role(app, municipality, create_user):
    municipality("0344")
    create_user("ria")
    db.session.commit()
    runner = app.test_cli_runner()
    link = ["--activation-link"]
    duplicate = runner.invoke(args=["users", "create", "RIA", "--role", "regisseur", "--municipality", "0344", *link])
    assert duplicate.exit_code == 1 and "De gebruikersnaam “ria” bestaat al" in duplicate.output
    unknown = runner.invoke(args=["users", "create", "sam", "--role", "regisseur", "--municipality", "9999", *link])
    assert unknown.exit_code == 1 and "no municipality with code 9999" in unknown.output
    role = runner.invoke(args=["users", "create", "sam", "--role", "baas", "--municipality", "0344", *link])
    assert role.exit_code == 1 and "Onbekende rol “baas”" in role.output and "regisseur" in role.output
    missing = runner.invoke(args=["users", "create", "sam", "--role", "regisseur", *link])
    assert missing.exit_code == 1 and "hoort bij een gemeente" in missing.output


def test_users_create_activation_link_sets_the_password_once(app, client, municipality):
    import re

    from tests.conftest import csrf_token

    municipality("0344")
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["users", "create", "bea", "--role", "regisseur", "--municipality", "0344", "--activation-link"])
    assert result.exit_code == 0, result.output
    url = re.search(r"https?://\S+(/account/activeren/\S+)", result.output).group(1)
    assert client.post("/login", data={"username": "bea", "password": "x" * 12,
                                       "csrf_token": csrf_token(client, "/login")}).status_code == 422
    page = client.get(url)
    assert page.status_code == 200 and "Account activeren" in page.get_data(as_text=True)
    token = csrf_token(client, url)
    mismatch = client.post(url, data={"new_password": "nieuw-geheim-1", "new_password_again": "anders-geheim",
                                      "csrf_token": token})
    assert mismatch.status_code == 422 and "niet hetzelfde" in mismatch.get_data(as_text=True)
    done = client.post(url, data={"new_password": "nieuw-geheim-1", "new_password_again": "nieuw-geheim-1",
                                  "csrf_token": token})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert client.get(url).status_code == 410  # once only
    signed_in = client.post("/login", data={"username": "bea", "password": "nieuw-geheim-1",
                                            "csrf_token": csrf_token(client, "/login")})
    assert signed_in.status_code == 302


def test_users_create_grant_and_revoke_for_a_regional_beheerder(app, municipality):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.auth.accounts import granted_municipalities
    from portal.auth.models import User

    utrecht, zeist, amersfoort = municipality("0344", "Utrecht"), municipality("0355", "Zeist"), \
        municipality("0307", "Amersfoort")
    db.session.commit()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["users", "create", "reg", "--role", "beheerder", "--municipality", "0344",
                               "--municipality", "0355", "--activation-link"])
    assert made.exit_code == 0, made.output
    assert "created beheerder reg of 0344 Utrecht; also administers 0355" in made.output
    reg = db.session.scalar(select(User).where(User.username == "reg"))
    assert reg.municipality_id == utrecht.id and [m.code for m in granted_municipalities(reg)] == ["0355"]
    refused = runner.invoke(args=["users", "create", "ria", "--role", "regisseur", "--municipality", "0344",
                                  "--municipality", "0355", "--activation-link"])
    assert refused.exit_code == 1 and "only a beheerder or fg" in refused.output
    assert db.session.scalar(select(User).where(User.username == "ria")) is None

    granted = runner.invoke(args=["users", "grant", "reg", "--municipality", "0307"])
    assert granted.exit_code == 0 and "also administers: 0307 Amersfoort, 0355 Zeist" in granted.output
    again = runner.invoke(args=["users", "grant", "reg", "--municipality", "0307"])
    assert again.exit_code == 1 and "beheert 0307 al" in again.output
    own = runner.invoke(args=["users", "grant", "reg", "--municipality", "0344"])
    assert own.exit_code == 1 and "eigen gemeente" in own.output
    assert runner.invoke(args=["users", "grant", "reg", "--municipality", "9999"]).exit_code == 1
    assert runner.invoke(args=["users", "grant", "nobody", "--municipality", "0307"]).exit_code == 1
    revoked = runner.invoke(args=["users", "revoke", "reg", "--municipality", "0355"])
    assert revoked.exit_code == 0 and "also administers: 0307 Amersfoort" in revoked.output
    assert runner.invoke(args=["users", "revoke", "reg", "--municipality", "0344"]).exit_code == 1
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.subject == f"user:{reg.id}.municipalities")
                                .order_by(AuditEvent.id)).all()
    assert [(e.purpose, e.municipality_id) for e in events] == [
        ("cli.users.create", zeist.id), ("cli.users.grant", amersfoort.id), ("cli.users.revoke", zeist.id)]
