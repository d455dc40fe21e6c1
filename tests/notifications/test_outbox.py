"""The e-mail outbox: queued with the change, in the recipient's language, sent with retries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.services import MAX_ATTEMPTS
from portal.tasks.workflow import advance_due_instance
from portal.worker import send_one_mail as send_one_pending
from tests.factories import complete, walk_to_signing


def outbox():
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def clear_outbox():
    for notification in outbox():
        db.session.delete(notification)
    db.session.flush()


@pytest.fixture
def team(create_user):
    ria = create_user("ria")
    ria.email = "ria@gemeente.example"
    tom = create_user("tom", role="teamleider", locale="en")
    tom.email = "tom@gemeente.example"
    return ria, tom


def test_no_mail_for_your_own_next_step(create_case, team):
    ria, _tom = team
    case = create_case(ria)  # opened by an import (no user): Ria hears of her new case
    [mail] = outbox()
    assert mail.email == ria.email and mail.subject.startswith("Nieuwe taak: Kennismakingsgesprek")
    complete(case, "kennismakingsgesprek", ria)
    assert len(outbox()) == 1  # she opened the next conversations herself: no mail for that


def test_escalation_mails_the_teamleaders_in_their_language(create_case, team):
    ria, tom = team
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        case = create_case(ria)
        complete(case, "kennismakingsgesprek", ria)
        clear_outbox()
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False):
        advance_due_instance(datetime.now(UTC))
    [mail] = outbox()
    assert mail.email == tom.email and mail.locale == "en" and mail.status == "pending"
    assert mail.subject.startswith("New task")
    assert case.reference in mail.body and "/tasks/" in mail.body


def test_newcomer_gets_a_plain_message_without_details(create_case, team, create_user):
    ria, _tom = team
    amina = create_user("amina", role="inburgeraar", locale="ar")
    amina.email = "amina@example.org"
    case = create_case(ria)
    walk_to_signing(case, ria, amina)
    [mail] = [m for m in outbox() if m.email == amina.email]
    assert mail.locale == "ar" and "/mijn/" in mail.body
    assert "PIP" not in mail.subject and case.reference not in mail.body  # no case details in an e-mail


def test_sent_to_the_file_backend(app, create_case, team, tmp_path):
    ria, tom = team
    app.config["MAIL_DIR"] = str(tmp_path)
    from portal.notifications.services import queue

    queue(tom, "task_assigned", task=_any_task(create_case, ria))
    sent = send_one_pending()
    assert sent.status == "sent" and sent.sent_at is not None
    [eml] = list(tmp_path.glob("*.eml"))
    assert "To: tom@gemeente.example" in eml.read_text()


def test_failures_retry_with_backoff_then_give_up(app, create_case, team, monkeypatch):
    ria, tom = team
    from portal.notifications import services
    from portal.notifications.services import queue

    def broken(message):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "deliver", broken)
    queue(tom, "task_assigned", task=_any_task(create_case, ria))
    now = utcnow()
    first = send_one_pending(now)
    assert first.status == "pending" and first.attempts == 1 and "smtp down" in first.last_error
    assert first.next_attempt_at == now + timedelta(minutes=5)
    assert send_one_pending(now) is None  # not due again yet: the case work never waits for mail
    for attempt in range(2, MAX_ATTEMPTS + 1):
        send_one_pending(now + timedelta(days=attempt))
    assert first.status == "failed" and first.attempts == MAX_ATTEMPTS


def _any_task(create_case, ria):
    from tests.factories import open_tasks

    task = open_tasks(create_case(ria))[0]
    clear_outbox()
    return task
