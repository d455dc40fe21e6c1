"""The background worker: fire due timers, send queued e-mails, produce queued documents, and keep
the audit trail's monthly partitions ahead of the clock (PostgreSQL).

Each item is its own transaction (one case, one mail, one document), committed here — the
worker's equivalent of "one commit per request". A database error never ends the worker: the
transaction is rolled back, the error logged, and the sweep backs off and goes on (a case whose
timers keep failing is set aside for an hour by :func:`portal.tasks.workflow.advance_due_instance`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from portal.audit import partitions as audit_partitions
from portal.db import describe_error, reading, utcnow
from portal.extensions import db
from portal.newcomer import data_copy
from portal.notifications import services as mail
from portal.notifications.models import Notification
from portal.plans.documents import claim_next, document_failed, render_document, store_document
from portal.tasks.migration_jobs import run_one_job
from portal.tasks.workflow import advance_due_instance

log = logging.getLogger("portal.worker")

#: Seconds to wait after a database error before the next attempt: doubles up to the maximum.
BACKOFF_START, BACKOFF_MAX = 0.5, 60.0
#: Give up on one sweep after this many database errors in a row (the next sweep starts afresh).
MAX_ERRORS_PER_SWEEP = 5


def drain(step: Callable[[], object | None], *, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run ``step`` until it finds nothing more to do, committing after each item.

    Database errors roll back the item, wait (exponential back-off) and try again; after
    ``MAX_ERRORS_PER_SWEEP`` errors in a row the sweep ends and returns what it did.
    """
    done, errors, backoff = 0, 0, BACKOFF_START
    while True:
        try:
            item = step()
            db.session.commit()
        except SQLAlchemyError as exc:
            db.session.rollback()
            errors += 1
            log.warning("worker: database error (%d in a row): %s", errors, describe_error(exc))
            if errors >= MAX_ERRORS_PER_SWEEP:
                return done
            sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
            continue
        if item is None:
            return done
        done, errors, backoff = done + 1, 0, BACKOFF_START


def fire_due_timers() -> int:
    return drain(lambda: advance_due_instance(utcnow()))


def send_one_mail(now: datetime | None = None) -> Notification | None:
    """Claim one due message (commit), send it without holding any lock, record the outcome."""
    claimed = mail.claim_next(now)
    db.session.commit()
    if claimed is None:
        return None
    return mail.record_delivery(claimed, mail.send(claimed))


def send_due_mail() -> int:
    return drain(send_one_mail)


def produce_one_document() -> int | None:
    """Claim, render and store one queued document; returns its id, or None if none is due.

    Three short steps, so that no lock is held while the PDF is made (a large plan takes a second):
    claim (lease it, commit) → render and seal, only reading → store the bytes (or the failure).
    A worker that dies while rendering leaves the document pending; its lease runs out and another
    worker takes it.
    """
    document_id = claim_next(utcnow())
    db.session.commit()
    if document_id is None:
        return None
    try:
        with reading():
            sealed = render_document(document_id)
            db.session.rollback()  # end the read transaction before writing
    except Exception as exc:  # a broken template, font or certificate: retried later, shown to the beheerder
        db.session.rollback()
        log.exception("worker: document %s could not be produced", document_id)
        document_failed(document_id, f"{type(exc).__name__}: {exc}", utcnow())
        return document_id
    store_document(document_id, sealed, utcnow())
    return document_id


def produce_due_documents() -> int:
    return drain(produce_one_document)


def produce_one_data_copy() -> int | None:
    """Claim, make and store one newcomer's copy of their data (AVG art. 15), in the same three short
    steps as a document: claim (commit) → collect and render, only reading → store (or the failure)."""
    copy_id = data_copy.claim_next(utcnow())
    db.session.commit()
    if copy_id is None:
        return None
    try:
        with reading():
            content, sha256 = data_copy.render_copy(copy_id)
            db.session.rollback()
    except Exception as exc:  # a broken template or font: retried later with back-off
        db.session.rollback()
        log.exception("worker: data copy %s could not be made", copy_id)
        data_copy.copy_failed(copy_id, f"{type(exc).__name__}: {exc}", utcnow())
        return copy_id
    data_copy.store_copy(copy_id, content, sha256, utcnow())
    return copy_id


def produce_due_data_copies() -> int:
    return drain(produce_one_data_copy)


def run_due_migrations() -> int:
    """Queued dry runs, migrations and rollbacks of running cases (``portal.tasks.migration_jobs``); each
    commits after every chunk of cases, so their pages show the progress."""
    return 0 if run_one_job() is None else 1  # one time slice per sweep: timers and mail go on in between


#: Seconds between two checks of the audit partitions (one catalog query; creating one is rare).
PARTITION_CHECK_SECONDS = 3600
_partitions_checked_at: float | None = None


def maintain_audit_partitions() -> int:
    """Create this month's and the coming months' audit partitions (PostgreSQL), at most once an hour
    per worker; several workers on several hosts are serialised by an advisory lock. Returns the
    number created. (Without it no write is lost: a month without a partition lands in the default
    partition, and creating the month later moves those rows into it.)"""
    global _partitions_checked_at
    if _partitions_checked_at is not None and time.monotonic() - _partitions_checked_at < PARTITION_CHECK_SECONDS:
        return 0
    created = 0
    if audit_partitions.is_partitioned():
        created = len(audit_partitions.ensure_ahead(utcnow(), current_app.config["AUDIT_PARTITION_MONTHS_AHEAD"]))
    db.session.commit()
    _partitions_checked_at = time.monotonic()
    if created:
        log.info("worker: created %d audit partitions", created)
    return created


#: Everything the worker does in one sweep, in order.
SWEEPS: tuple[Callable[[], int], ...] = (fire_due_timers, produce_due_documents, produce_due_data_copies,
                                         send_due_mail, run_due_migrations, maintain_audit_partitions)


def sweep_all() -> dict[str, int]:
    """One round of every sweep; an unexpected error in one never stops the others."""
    counts = {}
    for sweep in SWEEPS:
        try:
            counts[sweep.__name__] = sweep()
        except Exception:  # a bug in one sweep must not stop timers or mail
            log.exception("worker: %s failed", sweep.__name__)
            db.session.rollback()
            counts[sweep.__name__] = 0
    return counts


#: After a sweep that worked on a migration run (which stops after its time slice), the next sweep comes
#: after this many seconds instead of the interval: a batch of 10,000 cases is not spread over an hour.
BUSY_PAUSE = 1.0


def pause_after(counts: dict[str, int], interval: float) -> float:
    return BUSY_PAUSE if counts.get("run_due_migrations") else interval


def run_forever(app: Flask, interval: float) -> None:
    """The worker loop (``portal run`` starts it in a thread; ``portal worker run`` in its own process)."""
    while True:
        with app.app_context():
            counts = sweep_all()
        time.sleep(pause_after(counts, interval))
