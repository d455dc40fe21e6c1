"""The inburgering portal: a Flask application factory that only wires things together."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import traceback
from typing import Any

from flask import Blueprint, Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from portal import headers, health, transaction
from portal.audit import partitions as audit_partitions
from portal.cases.models import SEARCH_INDEX_TABLES
from portal.config import DEV_SECRET_KEY, load_config
from portal.db import configure_sqlite, describe_error, local_today
from portal.engine import configure_script_limits
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate, talisman
from portal.forms.bounds import RecordIdConverter

#: Content Security Policy: no inline scripts, nothing from other hosts. The BPMN modeler page needs
#: nothing more: bpmn-js sets styles through the CSSOM and its properties panel is plain DOM
#: (static/js/modeler.js); tests/e2e/test_modeler_browser.py fails on any CSP violation.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path))
    if config:
        app.config.from_mapping(config)

    if app.config["SECRET_KEY"] == DEV_SECRET_KEY and not (app.debug or app.testing):
        app.logger.warning("PORTAL_SECRET_KEY is not set: sessions use the development key. "
                           "Set it before this portal holds real data.")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # jit off: PostgreSQL compiles a query whose estimated cost passes jit_above_cost, which costs a
        # list page ~50 ms and never pays back on the portal's short queries (a teamleider's worklist at
        # 100,000 cases: 164 -> 116 ms).
        pool = {"pool_size": app.config["DB_POOL_SIZE"], "max_overflow": app.config["DB_MAX_OVERFLOW"],
                "pool_recycle": 3600, "connect_args": {"options": "-c jit=off"}}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**pool, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])  # no query at start-up
    configure_script_limits(app.config["SCRIPT_TIME_BUDGET_MS"], app.config["SCRIPT_MEMORY_BUDGET_MB"])
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True, compare_type=True,
                     include_name=compared_by_migrations)
    csrf.init_app(app)
    headers.init_app(app)  # before the transaction: its after_request runs last, on the final response
    transaction.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    _init_i18n(app)
    talisman.init_app(
        app,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=True,  # sent only on requests that came in over HTTPS
    )
    discover_registrations()
    app.url_map.converters["int"] = RecordIdConverter  # before the routes: /cases/<int:case_id> and all
    _register_blueprints(app)
    health.init_app(app)
    _register_error_pages(app)
    from portal.cli import register_commands

    register_commands(app)
    return app


def compared_by_migrations(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook (autogenerate, tests/test_schema.py): every table but the audit trail's
    monthly partitions (PostgreSQL storage) and SQLite's FTS5 search index with its shadow tables (made by
    DDL, portal.cases.models.SEARCH_INDEX_DDL: no model describes them)."""
    if type_ == "table" and name in SEARCH_INDEX_TABLES:
        return False
    return audit_partitions.include_name(name, type_, parent_names)


def _init_login(app: Flask) -> None:
    from flask_login import user_logged_in

    from portal.auth.sessions import load_user, on_login

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    # A session is a server-side row (portal.auth.sessions): logout and a password change end it.
    login_manager.user_loader(load_user)
    user_logged_in.connect(on_login)


def _init_i18n(app: Flask) -> None:
    from portal.i18n import (
        KeptDomain,
        format_day,
        format_moment,
        select_locale,
        template_context,
        translated_text,
    )
    from portal.security import role_label

    babel.init_app(app, locale_selector=select_locale)
    # the translations kept per request, for Python code and templates alike (portal.i18n)
    babel.domain_instance = KeptDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    app.context_processor(template_context)
    app.jinja_env.globals["today"] = local_today
    app.jinja_env.filters["tr"] = translated_text
    # Every date and moment on a page, letter or PDF is shown by these two (portal.i18n): dd-mm-jjjj in
    # Dutch, the day and month name elsewhere, moments to the minute. They replace Flask-Babel's filters
    # of the same name, so no template can show a date another way by accident.
    app.jinja_env.filters["dateformat"] = format_day
    app.jinja_env.filters["datetimeformat"] = format_moment
    app.jinja_env.filters["role_label"] = role_label


def _room_modules(name: str):
    """Each room's module ``name`` (``actions``: portal actions, task panels, hooks; ``views``: ``bp``)."""
    for room in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if room.ispkg and importlib.util.find_spec(f"{__name__}.{room.name}.{name}") is not None:
            yield importlib.import_module(f"{__name__}.{room.name}.{name}")


def discover_registrations() -> None:
    """Import every room's ``actions`` module: registration by discovery, not by a list of imports.

    Importing is idempotent; rooms register into registries of the rooms below them.
    """
    list(_room_modules("actions"))


def _register_blueprints(app: Flask) -> None:
    """Every room's ``views.bp``, found by discovery."""
    for module in _room_modules("views"):
        blueprint = getattr(module, "bp", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)


def _register_error_pages(app: Flask) -> None:
    from portal.cases.services import NoAccess

    messages = {
        400: (lambda: _("Ongeldig verzoek"), lambda: _("Het verzoek kon niet worden verwerkt.")),
        403: (lambda: _("Geen toegang"), lambda: _("Je hebt geen toegang tot deze pagina.")),
        404: (lambda: _("Pagina niet gevonden"), lambda: _("Deze pagina bestaat niet (meer).")),
        405: (lambda: _("Niet toegestaan"), lambda: _("Deze actie kan hier niet.")),
        409: (lambda: _("Conflict"), lambda: _("Iemand anders heeft dit intussen gewijzigd.")),
        413: (lambda: _("Bestand te groot"), lambda: _("Het bestand is te groot. Kies een kleiner bestand.")),
        429: (lambda: _("Te veel pogingen"), lambda: _("Wacht even en probeer het dan opnieuw.")),
        500: (lambda: _("Er ging iets mis"), lambda: _("Er ging bij ons iets mis. Probeer het later opnieuw.")),
    }

    def render(code: int, message: str | None = None):
        title, default = messages.get(code, messages[500])
        return render_template("errors/error.html", code=code, title=title(), message=message or default()), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        app.logger.warning("CSRF failure: %s", error.description)
        return render(400, _("Het formulier was verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog "
                             "eens; je invoer is niet opgeslagen."))

    @app.errorhandler(NoAccess)
    def no_access(_error):
        return render(404)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render(error.code if error.code in messages else 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, SQLAlchemyError):  # where it happened, but not the message: it can quote values
            app.logger.error("unhandled database error: %s\n%s", describe_error(error),
                             "".join(traceback.format_tb(error.__traceback__)))
        else:
            app.logger.exception("unhandled error")
        db.session.rollback()
        return render(500)
