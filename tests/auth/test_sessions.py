"""Sessions that end: logout and a password change end them on the server; idle and absolute limits."""

from datetime import timedelta

from flask_login.utils import encode_cookie
from sqlalchemy import select

from portal.auth.models import UserSession
from portal.extensions import db
from tests.conftest import csrf_token


def _copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _logout(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(app, client, create_user, login):
    """Finding 3: a copied cookie still opened staff pages after logout."""
    login(create_user("ria"))
    thief = _copy_of(app, client)
    assert thief.get("/tasks/").status_code == 200  # the copy works while the session lives
    assert _logout(client).status_code == 302
    response = thief.get("/tasks/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    row = db.session.scalar(select(UserSession))
    assert row.revoked_at is not None and len(row.token_hash) == 64


def test_a_forged_remember_cookie_does_not_bring_a_session_back(app, client, create_user, login):
    user = create_user("ria")
    login(user)
    _logout(client)
    other = app.test_client()
    other.set_cookie("remember_token", encode_cookie(str(user.id)))
    assert other.get("/tasks/").status_code == 302
    assert client.get_cookie("remember_token") is None  # never set at login


def test_a_staff_session_ends_after_30_idle_minutes(clock, client, create_user, login):
    login(create_user("ria"))
    clock.shift(timedelta(minutes=20))
    assert client.get("/tasks/").status_code == 200
    clock.shift(timedelta(minutes=29))  # 49 minutes after login, but used 29 minutes ago
    assert client.get("/tasks/").status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get("/tasks/?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/tasks/?page%3D2"
    assert "Je sessie is verlopen" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/tasks/").status_code == 302  # logged out, not just bounced once


def test_a_post_after_the_idle_timeout_changes_nothing(clock, client, create_user, login):
    user = create_user("ria", locale="nl")
    login(user)
    token = csrf_token(client, "/tasks/")
    clock.shift(timedelta(minutes=31))
    response = client.post("/language", data={"language": "en", "next": "/tasks/", "csrf_token": token},
                           follow_redirects=True)
    assert user.locale == "nl"
    assert "Je sessie is verlopen" in response.get_data(as_text=True) or "session has expired" in \
        response.get_data(as_text=True)


def test_a_session_ends_after_12_hours_however_busy(clock, client, create_user, login):
    login(create_user("ria"))
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        clock.shift(timedelta(minutes=20))
        assert client.get("/tasks/").status_code == 200
    clock.shift(timedelta(minutes=21))
    assert client.get("/tasks/").status_code == 302


def test_newcomers_may_be_idle_longer(clock, app, client, create_user, login):
    login(create_user("amina", role="inburgeraar"))
    clock.shift(timedelta(minutes=90))
    assert client.get("/account").status_code == 200
    clock.shift(timedelta(minutes=app.config["NEWCOMER_SESSION_IDLE_MINUTES"] + 1))
    assert client.get("/account").status_code == 302


def test_a_new_password_ends_the_other_sessions(app, client, create_case, create_user, login):
    from portal.newcomer.activation import activate
    from portal.newcomer.recovery import decide_reset, issue_code, request_reset

    ria, tom = create_user("ria"), create_user("tom", role="teamleider")
    case = create_case(ria)
    code, _ = issue_code(case, ria)
    amina = activate(code, "eerste-wachtwoord-1", "nl")
    db.session.flush()
    login(amina, password="eerste-wachtwoord-1")
    assert client.get("/mijn/").status_code == 200
    decide_reset(case, request_reset(case, ria, "Wachtwoord kwijt").id, tom, True, None)  # four eyes
    code, _ = issue_code(case, ria)
    activate(code, "tweede-wachtwoord-2", "nl")  # e.g. on another device, with a new letter
    db.session.flush()
    assert client.get("/mijn/").status_code == 302
    login(amina, password="tweede-wachtwoord-2", new_client=True)


def test_session_lifetime_is_not_31_days(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=12)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, client, create_user, login):
    ria = create_user("ria")
    login(ria)
    laptop = login(ria, new_client=True)
    token = csrf_token(client, "/account/wachtwoord")
    wrong = client.post("/account/wachtwoord", data={"password": "fout", "new_password": "nieuw-geheim-456",
                                                     "new_password_again": "nieuw-geheim-456", "csrf_token": token})
    assert wrong.status_code == 422 and laptop.get("/tasks/").status_code == 200
    response = client.post("/account/wachtwoord", data={"password": "geheim-123", "new_password": "nieuw-geheim-456",
                                                        "new_password_again": "nieuw-geheim-456", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/tasks/").status_code == 200
    assert laptop.get("/tasks/").status_code == 302
    login(ria, password="nieuw-geheim-456", new_client=True)
