"""Every setting of the portal, read from ``PORTAL_*`` environment variables in one place.

A deployment sets environment variables; tests pass a mapping to ``create_app``. Nothing else
reads ``os.environ``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The signing key used when PORTAL_SECRET_KEY is unset: fine for a laptop, never for real data.
DEV_SECRET_KEY = "dev-only-change-me"  # noqa: S105 - a published development default, warned about


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PORTAL_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from the environment.

    :param instance_path: Flask's instance folder; the default SQLite file lives there.
    """
    default_db = f"sqlite:///{Path(instance_path) / 'portal.sqlite3'}"
    return {
        # Signing key for sessions and CSRF tokens. Must be set in production.
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET_KEY),
        # SQLite by default (embedded, single machine); PostgreSQL in production, e.g.
        # postgresql+psycopg://portal@db/portal
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", default_db),
        # hide_parameters: a database error never prints the statement's values (names, birth dates,
        # V-numbers) into a log, a stack trace or the CLI's output.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # PostgreSQL connection pool per process (SQLAlchemy's QueuePool; create_app applies it): DB_POOL_SIZE
        # connections kept open and DB_MAX_OVERFLOW more at peaks. A gunicorn process with N threads uses at
        # most N at once; add it all up against PostgreSQL's max_connections (docs/deployment.md).
        "DB_POOL_SIZE": int(_env("DB_POOL_SIZE", "5") or 5),
        "DB_MAX_OVERFLOW": int(_env("DB_MAX_OVERFLOW", "5") or 0),
        # Where the process designer's BPMN files and form schemas live.
        "WORKFLOWS_DIR": _env("WORKFLOWS_DIR", str(PROJECT_ROOT / "workflows")),
        # Four-eyes for new process versions until the beheerder switches it on the designer's settings
        # page (portal.designer.deploying): a deploy from the browser becomes a request a second person approves.
        "DEPLOY_FOUR_EYES": _env_bool("DEPLOY_FOUR_EYES", False),
        # Staff UI languages; newcomer languages are added by the newcomer room.
        "STAFF_LOCALES": ("nl", "en"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", "Europe/Amsterdam"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        # Cookies are Secure unless explicitly turned off (plain-HTTP development and load tests).
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", True),
        # The session cookie never outlives the absolute session lifetime (Flask's default is 31 days).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(_env("SESSION_MAX_HOURS", "12") or 12)),
        "FORCE_HTTPS": _env_bool("FORCE_HTTPS", False),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (portal.headers);
        # 1 behind one TLS-terminating proxy, 0 when clients connect directly.
        "TRUSTED_PROXIES": int(_env("TRUSTED_PROXIES", "0") or 0),
        # CSRF tokens are valid for the whole session; a long intake conversation must not expire them.
        "WTF_CSRF_TIME_LIMIT": None,
        # Rate limiting of the login form; use redis://… when several app servers run.
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "10 per minute"),
        # Activation codes tried per client address (POST /activeren), and documents or codes checked
        # on the public verification page (/verify; the empty page itself is not counted).
        "ACTIVATION_RATE_LIMIT": _env("ACTIVATION_RATE_LIMIT", "10 per minute"),
        "VERIFY_RATE_LIMIT": _env("VERIFY_RATE_LIMIT", "30 per minute"),
        # Per account (whatever the address): after this many failed passwords (or two-factor codes)
        # within the window, the account's sign-in is refused until the window has passed.
        "LOGIN_FAILURES_ALLOWED": int(_env("LOGIN_FAILURES_ALLOWED", "5") or 5),
        "LOGIN_FAILURE_WINDOW_MINUTES": int(_env("LOGIN_FAILURE_WINDOW_MINUTES", "15") or 15),
        # A session ends after this many idle minutes (staff; newcomers read long letters and plans
        # on a phone, so theirs lasts longer) and in any case this many hours after signing in.
        "SESSION_IDLE_MINUTES": int(_env("SESSION_IDLE_MINUTES", "30") or 30),
        "NEWCOMER_SESSION_IDLE_MINUTES": int(_env("NEWCOMER_SESSION_IDLE_MINUTES", "120") or 120),
        "SESSION_MAX_HOURS": int(_env("SESSION_MAX_HOURS", "12") or 12),
        # Roles that must sign in with a second factor (TOTP), comma-separated; add "regisseur" to
        # require it for regisseurs too. Empty turns the requirement off (the demo of `make run`).
        "TWO_FACTOR_ROLES": tuple(role.strip() for role in (_env("TWO_FACTOR_ROLES", "teamleider,beheerder,fg") or "")
                                  .split(",") if role.strip()),
        # How often one newcomer may raise a concern (each one gives the teamleider a task).
        "CONCERN_RATE_LIMIT": _env("CONCERN_RATE_LIMIT", "5 per hour"),
        # Largest request body (the COA file or a PDF to verify), in bytes.
        "MAX_CONTENT_LENGTH": int(_env("MAX_CONTENT_LENGTH", str(20 * 1024 * 1024)) or 0),
        # The COA handover CSV (`portal import-coa`): largest file in bytes and most data rows.
        "COA_IMPORT_MAX_BYTES": int(_env("COA_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)) or 0),
        "COA_IMPORT_MAX_ROWS": int(_env("COA_IMPORT_MAX_ROWS", "5000") or 0),
        # SQLite only: how long a writer waits for another's write lock before giving up (ms).
        "SQLITE_BUSY_TIMEOUT_MS": int(_env("SQLITE_BUSY_TIMEOUT_MS", "30000") or 30000),
        # Largest task draft (what was typed so far, as JSON), in bytes; far below MAX_CONTENT_LENGTH.
        "DRAFT_MAX_BYTES": int(_env("DRAFT_MAX_BYTES", str(256 * 1024)) or 256 * 1024),
        # Page size of worklists and case lists.
        "PAGE_SIZE": int(_env("PAGE_SIZE", "25") or 25),
        # How long an app process reuses the filter choices of long lists (a team's worklist, a teamleider's
        # thousands of escalations, the stages of a municipality with more than 1,000 cases), in seconds; 0:
        # read them on every page view (portal.kept). Reading them cost 3-18 ms a page at 100,000 cases
        # (bench/scale.py); a step or stage that newly appears in such a list is offered this much later.
        "LIST_CHOICES_SECONDS": int(_env("LIST_CHOICES_SECONDS", "30") or 0),
        # Worklist urgency (three levels, always with text: "Te laat", "Binnenkort", "Op tijd"). A step is
        # "Binnenkort" from this many days before its deadline: the dueIn of most steps is 1-3 weeks, so a
        # week ahead is the moment to plan it in.
        "URGENCY_SOON_DAYS": int(_env("URGENCY_SOON_DAYS", "7") or 7),
        # The 10-week PIP deadline is "Binnenkort" from this many days before it: drafting (3 weeks) and
        # deciding (1 week) take about 4 weeks, so a PIP 21 days away needs attention; one 56 days away not yet.
        "URGENCY_PIP_SOON_DAYS": int(_env("URGENCY_PIP_SOON_DAYS", "28") or 28),
        # The 10-week PIP deadline (Besluit inburgering art. 5.3) counts from this event:
        # "koppeling" (the handover to the municipality), "verhuizing" (moving into the house; the
        # koppeling until the move is recorded) or "kennisgeving_brp" (DUO's notice of the obligation
        # or the BRP registration, whichever is later; the koppeling until one is recorded). The exact
        # legal start is unsettled (DOMAIN.md §2.3); a municipality may choose its own
        # (municipality.pip_deadline_start), this is the default for the others.
        "PIP_DEADLINE_START": _env("PIP_DEADLINE_START", "koppeling"),
        "PIP_DEADLINE_WEEKS": int(_env("PIP_DEADLINE_WEEKS", "10") or 10),
        # Escalation deadlines handed to every new case's process (ISO-8601 durations; BPMN timers
        # read them from the case data, so a change applies to cases started after it).
        "ESCALATION": {
            # Teamleider task when the kennismakingsgesprek has not happened N weeks after the koppeling.
            "intake_start": _env("ESCALATE_INTAKE_NOT_STARTED", "P4W"),
            # Teamleider task when the plan is still unsigned this long after the decision (the
            # regisseur's reminder task comes after 14 days).
            "ondertekening": _env("ESCALATE_SIGNATURE_MISSING", "P28D"),
            # Teamleider task when a progress meeting is this long past its planned date.
            "gesprek_te_laat": _env("ESCALATE_MEETING_OVERDUE", "P14D"),
            # A changed plan (after a progress meeting) must be decided within this period.
            "pip_wijziging": _env("ESCALATE_PLAN_CHANGE", "P8W"),
            # Days before a progress meeting that the newcomer's self-assessment opens.
            "zelfbeoordeling_dagen": int(_env("SELF_ASSESSMENT_DAYS", "7") or 7),
        },
        # Attendance (hours attended / hours offered, in %) below which a progress meeting signals stagnation.
        "ATTENDANCE_THRESHOLD": int(_env("ATTENDANCE_THRESHOLD", "80") or 80),
        # Progress meetings in a row whose ladder rungs show no rise before a case conference (MDO) is called.
        # The MDO guidance of the voortgang process names two meetings; no legal rule exists (DOMAIN.md §3).
        "STAGNATION_MEETINGS": int(_env("STAGNATION_MEETINGS", "2") or 2),
        # The onderwijsroute is meant for newcomers younger than this (DOMAIN.md §2.2, Schulinck); an older
        # newcomer can still get it, but only with a recorded reason in the plan.
        "ONDERWIJSROUTE_AGE_LIMIT": int(_env("ONDERWIJSROUTE_AGE_LIMIT", "28") or 28),
        # Days a newcomer's one-time activation code stays valid.
        "ACTIVATION_CODE_DAYS": int(_env("ACTIVATION_CODE_DAYS", "30") or 30),
        # Hours a staff member's one-time link to set their first password stays valid (portal users create
        # --activation-link, and an account a beheerder makes).
        "STAFF_ACTIVATION_HOURS": int(_env("STAFF_ACTIVATION_HOURS", "72") or 72),
        # The municipality's organisation certificate and key (PEM) that seal PDFs (PAdES). When
        # unset, `portal seal dev-cert` makes a self-signed development pair under instance/seal/.
        "SEAL_KEY": _env("SEAL_KEY", str(Path(instance_path) / "seal" / "dev-key.pem")),
        "SEAL_CERT": _env("SEAL_CERT", str(Path(instance_path) / "seal" / "dev-cert.pem")),
        # The portal's public address (no trailing slash): the one setting for every address printed for
        # people outside the portal: the activation letter, its QR code, the verification link in PDFs.
        # `portal run --port N` uses http://127.0.0.1:N when PORTAL_PUBLIC_URL is not set.
        "PUBLIC_URL": _env("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Where notification e-mails go: "smtp", "file" (one .eml per message in MAIL_DIR, for
        # development) or "console" (the log).
        "MAIL_BACKEND": _env("MAIL_BACKEND", "file"),
        "MAIL_DIR": _env("MAIL_DIR", str(Path(instance_path) / "mail")),
        "MAIL_FROM": _env("MAIL_FROM", "Inburgeringsportaal <noreply@gemeente.example>"),
        "SMTP_HOST": _env("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(_env("SMTP_PORT", "25") or 25),
        "SMTP_STARTTLS": _env_bool("SMTP_STARTTLS", False),
        "SMTP_USER": _env("SMTP_USER"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        # Lets `portal timers run --at DATE` pretend it is another moment (demo and tests only).
        "ALLOW_CLOCK_TRAVEL": _env_bool("ALLOW_CLOCK_TRAVEL", False),
        # Limits of every BPMN script, condition and timer expression evaluation (portal.engine.limits):
        # the time it may run (ms) and the memory it may allocate (MB). Exceeding one keeps the task
        # open and shows the user a message; raise them only for a reviewed, known script.
        "SCRIPT_TIME_BUDGET_MS": int(_env("SCRIPT_TIME_BUDGET_MS", "100") or 100),
        "SCRIPT_MEMORY_BUDGET_MB": int(_env("SCRIPT_MEMORY_BUDGET_MB", "16") or 16),
        # -- privacy: the audit trail, the newcomer's view of it, retention (docs/privacy.md) -------------
        # The unusual-access report (/beheer/audit/ongewoon): a staff member who read more than this many
        # different cases they are not the regisseur of within the chosen period is listed; reads outside
        # office hours (local time; weekdays Monday=1 … Friday=5) are listed per user.
        "AUDIT_UNUSUAL_CASES": int(_env("AUDIT_UNUSUAL_CASES", "20") or 20),
        "AUDIT_OFFICE_HOURS": _env("AUDIT_OFFICE_HOURS", "07:00-19:00"),
        "AUDIT_OFFICE_DAYS": _env("AUDIT_OFFICE_DAYS", "1,2,3,4,5"),
        # Longest period (days) the unusual-access report scans at once.
        "AUDIT_REPORT_MAX_DAYS": int(_env("AUDIT_REPORT_MAX_DAYS", "92") or 92),
        # Retention (`portal retention run`). A case is purged this many years after it was closed: the
        # Wet inburgering 2021 sets 5 years, which goes before the Selectielijst gemeenten 2020 (proces
        # 8.1: 10 years) — docs/privacy.md gives the sources. Enforcement decisions (warnings, fines) and
        # the case's identifying data they need are kept RETENTION_DECISION_YEARS after the decision.
        "RETENTION_CASE_YEARS": int(_env("RETENTION_CASE_YEARS", "5") or 5),
        "RETENTION_DECISION_YEARS": int(_env("RETENTION_DECISION_YEARS", "7") or 7),
        # Audit events older than this many years are deleted by `portal audit purge` and `portal retention
        # run` (0: never) — but never those of a case still within its own retention (open, closed less than
        # RETENTION_CASE_YEARS ago, or keeping a decided fine). No statute sets this period for access logs
        # of an inburgering file: 5 years matches the case's period (docs/privacy.md; an assumption [U]).
        "AUDIT_RETENTION_YEARS": int(_env("AUDIT_RETENTION_YEARS", "5") or 0),
        # PostgreSQL: months ahead for which the audit trail's monthly partitions exist (the worker and
        # `portal audit partitions` create them), and rows per committed batch of the purge's DELETEs.
        "AUDIT_PARTITION_MONTHS_AHEAD": int(_env("AUDIT_PARTITION_MONTHS_AHEAD", "3") or 0),
        "AUDIT_PURGE_BATCH": int(_env("AUDIT_PURGE_BATCH", "10000") or 10000),
        # Days a newcomer's data copy (AVG art. 15) can be downloaded before it is deleted.
        "DATA_COPY_DAYS": int(_env("DATA_COPY_DAYS", "30") or 30),
        # Seconds between timer sweeps of the in-process worker started by `portal run`.
        "TIMER_INTERVAL": int(_env("TIMER_INTERVAL", "30") or 30),
    }
