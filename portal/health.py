"""``GET /healthz``: is this app process up and can it reach its database? For the load balancer,
systemd and monitoring. No sign-in, no personal data, no audit event, no session cookie."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.db import describe_error
from portal.extensions import db
from portal.security import public


@public
def healthz() -> Response:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable: %s", describe_error(exc))
        answer = jsonify(status="error", database="unreachable")
        answer.status_code = 503
        return answer
    return jsonify(status="ok", database="ok")


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", endpoint="healthz", view_func=healthz, methods=["GET"])
