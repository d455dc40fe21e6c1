"""The ``portal`` command (DESIGN.md §8): a stable interface used by the README and CI."""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import UTC
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal import worker as worker_module
from portal.cli_users import grant_all, municipalities_by_code, users_grant, users_revoke
from portal.db import utcnow
from portal.extensions import db


def register_commands(app: Flask) -> None:
    from flask.cli import routes_command, shell_command

    for command in (init_db, demo, run, bpmn, timers, notifications, documents, worker, import_coa, seal,
                    municipality, municipalities, users, retention, audit, shell_command, routes_command):
        app.cli.add_command(command)
    _designer_commands()
    users.add_command(users_grant)
    users.add_command(users_revoke)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations); on an empty database also deploy workflows/."""
    from flask_migrate import upgrade

    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    upgrade()
    click.echo("database schema is up to date")
    from portal.processes.services import DeployError, current_version, deploy

    if current_version() is None:  # first start: the process set of workflows/, as `portal bpmn deploy` does
        try:
            version, _created = deploy(note="init-db")
        except DeployError as exc:
            for message in exc.messages:
                click.echo(message)
            sys.exit(1)
        db.session.commit()
        click.echo(f"deployed: process version {version.id} ({version.digest[:12]})")


@click.group("municipality")
def municipality() -> None:
    """Settings of one municipality."""


@municipality.command("pip-deadline-start")
@click.argument("code")
# the choices are cases.services.PIP_DEADLINE_STARTS and "default" (tests/test_cli.py checks it)
@click.argument("event", type=click.Choice(["koppeling", "verhuizing", "kennisgeving_brp", "default"]))
@with_appcontext
def municipality_pip_deadline_start(code: str, event: str) -> None:
    """Count the 10-week PIP deadline of municipality CODE from EVENT (Besluit inburgering art. 5.3).

    kennisgeving_brp: DUO's notice or the BRP registration, whichever is later; "default": the
    portal's PORTAL_PIP_DEADLINE_START. Cases opened from now on, and deadlines moved by a recorded
    date, count this way; deadlines already set stay as they are.
    """
    from sqlalchemy import select

    from portal.audit.services import record
    from portal.auth.models import Municipality

    found = db.session.scalar(select(Municipality).where(Municipality.code == code))
    if found is None:
        raise click.ClickException(f"no municipality with code {code}")
    found.pip_deadline_start = None if event == "default" else event
    record("write", "municipality:pip_deadline_start", "cli.municipality", detail={"code": code, "event": event})
    db.session.commit()
    click.echo(f"{code}: the PIP deadline counts from {event}")


@click.group("municipalities")
def municipalities() -> None:
    """The municipalities this portal serves."""


@municipalities.command("add")
@click.argument("code")
@click.argument("name")
@with_appcontext
def municipalities_add(code: str, name: str) -> None:
    """Add municipality CODE (the CBS code, e.g. 0344) named NAME."""
    import re

    from portal.audit.services import record
    from portal.auth.accounts import municipality_by_code
    from portal.auth.models import Municipality

    code, name = code.strip(), name.strip()
    if not re.fullmatch(r"\d{4}", code):
        raise click.ClickException(f"a municipality code is the 4-digit CBS code (e.g. 0344), not {code!r}")
    if not name or len(name) > 120:
        raise click.ClickException("give the municipality's name (at most 120 characters)")
    if municipality_by_code(code) is not None:
        raise click.ClickException(f"municipality {code} exists already")
    found = Municipality(code=code, name=name)
    db.session.add(found)
    db.session.flush()
    record("write", f"municipality:{found.id}", "cli.municipalities.add", detail={"code": code, "name": name})
    db.session.commit()
    click.echo(f"added municipality {code} {name}")


@click.group("users")
def users() -> None:
    """Staff accounts."""


def _new_password(value: str) -> str:
    if len(value) < 10:
        raise click.UsageError("use at least 10 characters")
    return value


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, help="regisseur, teamleider, beheerder, fg, ontwerper or ketenpartner")
@click.option("--municipality", "codes", multiple=True,
              help="The municipality's CBS code (every role but ontwerper). Repeat it for a regional beheerder or "
                   "fg: the first is their own, the others they administer too (portal users grant).")
@click.option("--name", "display_name", default=None, help="Name shown on screens (default: the username).")
@click.option("--email", default=None)
@click.option("--activation-link", is_flag=True,
              help="Print a one-time link to set the password instead of asking for one.")
@with_appcontext
def users_create(username: str, role: str, codes: tuple[str, ...], display_name: str | None, email: str | None,
                 activation_link: bool) -> None:
    """Create staff account USERNAME: asks for its password twice, or prints a one-time link."""
    from portal.auth.accounts import REGIONAL_ROLES, AccountRefused, activation_token, new_staff_user

    found, *more = municipalities_by_code(codes) or [None]
    if more and role not in REGIONAL_ROLES:
        raise click.ClickException("only a beheerder or fg administers more than one municipality")
    password = None
    if not activation_link:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password",
                                value_proc=_new_password)
    try:
        user = new_staff_user(username, display_name or username, role, found, email=email, password=password,
                              purpose="cli.users.create")
    except AccountRefused as exc:
        raise click.ClickException(exc.reason) from exc
    grant_all(user, more, "cli.users.create")
    db.session.commit()
    click.echo(f"created {user.role} {user.username}" + (f" of {found.code} {found.name}" if found else "")
               + (f"; also administers {', '.join(m.code for m in more)}" if more else ""))
    if activation_link:
        base = current_app.config["PUBLIC_URL"].rstrip("/")
        hours = current_app.config["STAFF_ACTIVATION_HOURS"]
        click.echo(f"one-time link to set the password (valid {hours} hours):")
        with current_app.test_request_context(base_url=base):
            from flask import url_for

            click.echo(url_for("auth.activate_staff", token=activation_token(user), _external=True))


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load idempotent demo data and print the logins."""
    from portal.demo import load_demo

    for line in load_demo():
        click.echo(line)


def public_url_for_run(configured: str, host: str, port: int) -> str:
    """The portal's public address for ``portal run``: ``PORTAL_PUBLIC_URL`` when set, else the address the
    development server listens on (so activation letters and PDFs point where the portal really runs)."""
    if os.environ.get("PORTAL_PUBLIC_URL"):
        return configured
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"  # noqa: S104 - compared only


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-timers", is_flag=True, help="Do not run the worker (timers, documents, mail) in this process.")
@with_appcontext
def run(host: str, port: int, no_timers: bool) -> None:
    """Development server, with the worker (timers, documents, mail) in a background thread."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    app.config["PUBLIC_URL"] = public_url_for_run(app.config["PUBLIC_URL"], host, port)
    if not no_timers:
        threading.Thread(target=worker_module.run_forever, args=(app, app.config["TIMER_INTERVAL"]), daemon=True,
                         name="portal-worker").start()
    click.echo(f"portal on http://{host}:{port}/ (timers {'off' if no_timers else 'on'}); "
               f"letters and PDFs link to {app.config['PUBLIC_URL']}")
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


def _sweep_forever_or_once(sweep, report: str, once: bool, pause=None) -> None:
    """Run ``sweep`` once or every TIMER_INTERVAL seconds (or ``pause()`` seconds, when given);
    ``report`` formats its count as ``{n}``."""
    while True:
        done = sweep()
        click.echo(f"{utcnow().isoformat(timespec='seconds')} {report.format(n=done)}")
        if once:
            return
        time.sleep(pause() if pause else current_app.config["TIMER_INTERVAL"])


@click.group("timers")
def timers() -> None:
    """Timer events of running cases."""


@timers.command("run")
@click.option("--once", is_flag=True, help="Fire what is due now and exit.")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None,
              help="Demo and test only: act as if it is this moment (UTC), e.g. to watch months pass. Implies --once.")
@with_appcontext
def timers_run(once: bool, at) -> None:
    """Fire due timers (safe to run on several hosts at once on PostgreSQL)."""
    if at is not None:
        import time_machine

        if not current_app.config["ALLOW_CLOCK_TRAVEL"]:
            raise click.UsageError("--at is refused here: set PORTAL_ALLOW_CLOCK_TRAVEL=1 (never in production)")
        moment = at.replace(tzinfo=UTC)
        click.echo(f"simulated clock: {moment.isoformat()}")
        with time_machine.travel(moment, tick=False):
            _sweep_forever_or_once(worker_module.fire_due_timers, "fired timers of {n} case(s)", once=True)
        return
    _sweep_forever_or_once(worker_module.fire_due_timers, "fired timers of {n} case(s)", once)


@click.group("notifications")
def notifications() -> None:
    """The e-mail outbox."""


@notifications.command("send")
@click.option("--once", is_flag=True, help="Send what is due now and exit.")
@with_appcontext
def notifications_send(once: bool) -> None:
    """Send queued e-mails (retries with back-off; safe on several hosts on PostgreSQL)."""
    _sweep_forever_or_once(worker_module.send_due_mail, "handled {n} notification(s)", once)


@click.group("documents")
def documents() -> None:
    """Sealed PDFs queued by deciding and signing plans."""


@documents.command("produce")
@click.option("--once", is_flag=True, help="Produce what is queued now and exit.")
@with_appcontext
def documents_produce(once: bool) -> None:
    """Render and seal queued documents (retries with back-off; safe on several hosts)."""
    _sweep_forever_or_once(worker_module.produce_due_documents, "produced {n} document(s)", once)


@click.group("worker")
def worker() -> None:
    """The background worker: timers, documents and e-mail in one process."""


@worker.command("run")
@click.option("--once", is_flag=True, help="One round of every sweep, then exit.")
@with_appcontext
def worker_run(once: bool) -> None:
    """Fire timers, produce documents, send mail and carry out queued migrations of running cases, every
    TIMER_INTERVAL seconds (at once again while a migration has work left), or --once."""
    last: dict[str, int] = {}

    def sweep() -> int:
        last.clear()
        last.update(worker_module.sweep_all())
        return sum(last.values())

    _sweep_forever_or_once(sweep, "handled {n} item(s)", once,
                           pause=lambda: worker_module.pause_after(last, current_app.config["TIMER_INTERVAL"]))


@click.group("bpmn")
def bpmn() -> None:
    """Check and deploy the BPMN process set."""


@bpmn.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def bpmn_lint(paths: tuple[Path, ...]) -> None:
    """Check BPMN files (default: all of workflows/bpmn); exit 1 on any problem."""
    from portal.processes.services import lint

    files = [p for path in paths for p in (sorted(path.glob("**/*.bpmn")) if path.is_dir() else [path])]
    problems = lint(files or None)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo("no problems found")


def _designer_commands() -> None:
    from portal.designer.commands import diff, versions

    bpmn.add_command(versions)
    bpmn.add_command(diff)


@bpmn.command("deploy")
@click.option("--note", default=None, help="What changed, for the version history.")
@with_appcontext
def bpmn_deploy(note: str | None) -> None:
    """Lint, hash and store workflows/ as a new process version (no-op if unchanged)."""
    from portal.processes.services import DeployError, deploy

    try:
        version, created = deploy(note=note)
    except DeployError as exc:
        for message in exc.messages:
            click.echo(message)
        sys.exit(1)
    db.session.commit()
    click.echo(f"{'deployed' if created else 'unchanged'}: process version {version.id} ({version.digest[:12]})")


@bpmn.command("migrate")
@click.option("--to", "to_version", type=int, help="The process version to move running cases to.")
@click.option("--from", "from_version", type=int, help="Only cases on this version (default: every other version).")
@click.option("--case", "case_ids", type=int, multiple=True, help="Only this case (id); repeatable.")
@click.option("--dry-run", is_flag=True, help="Only report per case whether it can move and why not.")
@click.option("--rollback", "rollback_id", type=int, help="Put back every case that migration moved.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@with_appcontext
def bpmn_migrate(to_version: int | None, from_version: int | None, case_ids: tuple[int, ...], dry_run: bool,
                 rollback_id: int | None, as_json: bool) -> None:
    """Move running cases to another process version (waiting timers keep their due dates), or roll a
    migration back. Exit 1 when nothing could move."""
    import json

    from portal.processes.models import ProcessVersion
    from portal.tasks import migration

    def say(data: dict, text: str) -> None:
        click.echo(json.dumps(data) if as_json else text)

    if rollback_id is not None:
        try:
            run, restored, kept = migration.rollback(
                rollback_id, on_chunk=lambda done, total: (db.session.commit(), as_json or click.echo(
                    f"rollback: {done}/{total}", err=True)))
        except migration.MigrationRefused as exc:
            click.echo(exc.reason, err=True)
            sys.exit(1)
        db.session.commit()
        say({"migration": run.id, "restored": restored, "kept": kept},
            f"migration {run.id} rolled back: {restored} case(s) restored, {kept} kept (moved on since)")
        return
    target = db.session.get(ProcessVersion, to_version) if to_version else None
    source = db.session.get(ProcessVersion, from_version) if from_version else None
    if target is None or (from_version and source is None):
        click.echo(f"unknown process version: {to_version if target is None else from_version}", err=True)
        sys.exit(2)
    if dry_run:
        verdicts = list(migration.dry_run(target, source, list(case_ids) or None))
        movable = sum(v.verdict.movable for v in verdicts)
        if as_json:
            click.echo(json.dumps({"target": target.id, "movable": movable, "not_movable": len(verdicts) - movable,
                                   "cases": [{"case": v.case_id, "reference": v.reference, "from": v.from_version,
                                              "movable": v.verdict.movable, "blockers": list(v.verdict.blockers),
                                              "notes": list(v.verdict.notes), "active": list(v.verdict.active)}
                                             for v in verdicts]}))
        else:
            for v in verdicts:
                state = "movable" if v.verdict.movable else "NOT movable"
                click.echo(f"{v.reference} (case {v.case_id}, version {v.from_version}): {state} "
                           f"at {', '.join(v.verdict.active) or '-'}")
                for line in [*v.verdict.blockers, *v.verdict.notes]:
                    click.echo(f"    {line}")
            click.echo(f"{movable} of {len(verdicts)} case(s) can move to version {target.id}")
        sys.exit(0 if movable else 1)
    run = migration.migrate_cases(target, source, list(case_ids) or None, on_chunk=lambda run, done, total: (
        db.session.commit(), as_json or click.echo(f"migrated {done}/{total}", err=True)))
    db.session.commit()
    say({"migration": run.id, "target": target.id, "moved": run.moved, "refused": run.refused, "failed": run.failed},
        f"migration {run.id}: {run.moved} moved, {run.refused} refused, {run.failed} failed "
        f"(undo with: portal bpmn migrate --rollback {run.id})")
    sys.exit(0 if run.moved else 1)


@click.group("seal")
def seal() -> None:
    """The certificate that seals the portal's PDFs (PAdES)."""


@seal.command("dev-cert")
@with_appcontext
def seal_dev_cert() -> None:
    """Create a self-signed development certificate at PORTAL_SEAL_KEY/PORTAL_SEAL_CERT (never overwrites)."""
    from portal.plans.seal import generate_dev_certificate

    key, cert = Path(current_app.config["SEAL_KEY"]), Path(current_app.config["SEAL_CERT"])
    existed = cert.exists()
    generate_dev_certificate(key, cert)
    click.echo(f"{'kept existing' if existed else 'created'} seal certificate {cert}")


@click.group("retention")
def retention() -> None:
    """Retention of closed cases and of the audit trail (docs/privacy.md)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Show what would be purged, change nothing.")
@with_appcontext
def retention_run(dry_run: bool) -> None:
    """Purge or anonymise cases closed longer than PORTAL_RETENTION_CASE_YEARS ago (keeping decided
    warnings and fines PORTAL_RETENTION_DECISION_YEARS), delete audit events older than
    PORTAL_AUDIT_RETENTION_YEARS and expired data copies. Every step is recorded in the audit trail."""
    from portal.retention.audit import purge_audit
    from portal.retention.services import due_cases, purge_expired_copies, retain_case

    config, now = current_app.config, utcnow()
    cases = due_cases(now, config["RETENTION_CASE_YEARS"])
    for case_id in cases:
        outcome = retain_case(case_id, now, config["RETENTION_DECISION_YEARS"])
        kept = f"; decisions and identity kept until {outcome.kept_until}" if outcome.kept_until else ""
        what = "anonymised" if outcome.anonymised else "purged"
        click.echo(f"{outcome.reference}: {what} ({sum(outcome.purged.values())} rows deleted){kept}")
    copies = purge_expired_copies(now, config["DATA_COPY_DAYS"])
    # Within this command's one transaction (a dry run rolls everything back): no commit per batch here;
    # `portal audit purge` is the command for a large backlog.
    purged = purge_audit(now, config["AUDIT_RETENTION_YEARS"], config["RETENTION_CASE_YEARS"],
                         dry_run=dry_run, purpose="retention.run")
    events = purged.deleted if purged else 0
    click.echo(f"{len(cases)} cases, {copies} expired data copies, {events} audit events older than "
               f"{config['AUDIT_RETENTION_YEARS']} years" + (" — dry run, nothing changed" if dry_run else ""))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()


@click.group("audit")
def audit() -> None:
    """The audit trail: its monthly partitions (PostgreSQL) and its retention (docs/privacy.md)."""


@audit.command("partitions")
@click.option("--months-ahead", type=click.IntRange(0, 120), default=None,
              help="Months after this one to create (default PORTAL_AUDIT_PARTITION_MONTHS_AHEAD).")
@with_appcontext
def audit_partitions(months_ahead: int | None) -> None:
    """Create the audit trail's partitions for this month and the coming ones (PostgreSQL; the worker
    does this every hour). Lists every partition. Nothing to do on SQLite."""
    from portal.audit import partitions

    if not partitions.is_partitioned():
        click.echo("audit_event is not partitioned on this database (SQLite): nothing to do")
        return
    ahead = current_app.config["AUDIT_PARTITION_MONTHS_AHEAD"] if months_ahead is None else months_ahead
    created = partitions.ensure_ahead(utcnow(), ahead)
    db.session.commit()
    for partition in partitions.partitions():
        span = (f"{partition.start:%Y-%m-%d} … {partition.end:%Y-%m-%d}" if partition.start
                else "default (no month of its own)")
        click.echo(f"{partition.name}: {span}{'  (created)' if partition.name in created else ''}")
    click.echo(f"{len(created)} partitions created")


@audit.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be purged, change nothing.")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Purge only events before this date (YYYY-MM-DD, UTC); never later than the retention rule.")
@with_appcontext
def audit_purge(dry_run: bool, before) -> None:
    """Delete audit events older than PORTAL_AUDIT_RETENTION_YEARS, except those of cases still within
    their own retention. On PostgreSQL whole old month partitions are dropped; other rows are deleted
    in batches of PORTAL_AUDIT_PURGE_BATCH, each committed. The purge is recorded in the audit trail."""
    from portal.audit import partitions
    from portal.retention.audit import PurgeRefused, purge_audit

    config, now = current_app.config, utcnow()
    if not dry_run and partitions.is_partitioned():
        partitions.ensure_ahead(now, config["AUDIT_PARTITION_MONTHS_AHEAD"])
        db.session.commit()
    try:
        result = purge_audit(now, config["AUDIT_RETENTION_YEARS"], config["RETENTION_CASE_YEARS"],
                             before=before.replace(tzinfo=UTC) if before else None,
                             batch=config["AUDIT_PURGE_BATCH"], dry_run=dry_run,
                             commit=(lambda: None) if dry_run else db.session.commit)
    except PurgeRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    if result is None:
        click.echo("PORTAL_AUDIT_RETENTION_YEARS is 0: the audit trail is kept for ever")
        return
    for name, rows in result.dropped:
        click.echo(f"{'would drop' if dry_run else 'dropped'} partition {name} ({rows} events)")
    click.echo(f"{result.deleted} audit events before {result.before:%Y-%m-%d %H:%M} UTC "
               + ("would be purged — dry run, nothing changed" if dry_run else "purged"))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()


@click.command("import-coa")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_coa(file: Path) -> None:
    """Open cases from a COA handover CSV. The whole file is checked first (encoding, separator, quoting,
    columns); then bad rows are reported by line and skipped, good rows imported. Messages in Dutch."""
    from flask_babel import gettext as _

    from portal.casefile.coa_import import import_coa_csv

    with file.open("rb") as handle:  # one byte past the limit is enough to refuse a too large file
        report = import_coa_csv(handle.read(current_app.config["COA_IMPORT_MAX_BYTES"] + 1))
    db.session.commit()
    for ref in report.imported:
        click.echo(_("geïmporteerd: %(reference)s", reference=ref))
    for line in report.skipped:
        click.echo(_("overgeslagen: %(reason)s", reason=line))
    for line in report.errors:
        click.echo(_("fout: %(problem)s", problem=line), err=True)
    click.echo(_("%(imported)s geïmporteerd, %(skipped)s overgeslagen, %(errors)s fout(en)",
                 imported=len(report.imported), skipped=len(report.skipped), errors=len(report.errors)))
    if report.errors:
        sys.exit(1)


