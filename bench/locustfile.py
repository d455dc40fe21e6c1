"""The load test's staff users (locust; run by bench/loadtest.sh, which installs locust in a venv of its own).

Each simulated user signs in through the real form (a teamleider also with a TOTP code, as two-factor
sign-in requires for the role), then keeps browsing the way staff do: the worklist, a search by name,
a case page and a task page from the worklist, with a short think time. Any answer other than 200
(or the 302 of the login) counts as an error.

Two phases: everybody signs in (argon2 makes a sign-in cost ~0.1 s of CPU on purpose, and 50 people
do not sign in within the same second in real life), then the statistics are reset and everybody
browses for LOAD_SECONDS (60) seconds, after which the run stops. The sign-in times are written to
LOAD_LOGINS (JSON) and reported apart; the sign-in requests' errors still count (they fail the run).
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time

import gevent.event
import pyotp
from locust import HttpUser, between, events, task

USERS = json.load(open(os.environ.get("LOAD_USERS", "load-users.json")))  # noqa: SIM115
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)"')
TASK_LINK = re.compile(r'href="/tasks/(\d+)"')
_accounts = ([("regisseur", name) for name in USERS["regisseurs"]]
             + [("teamleider", name) for name in USERS["teamleiders"]])
_lock = threading.Lock()
_next = iter(_accounts * 10)
EXPECTED = int(os.environ.get("LOAD_USERS_N", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
_signed_in: list[float] = []
_login_errors: list[str] = []
_all_in = gevent.event.Event()
_browse = {"start": None}


@events.test_stop.add_listener
def _write_logins(**_kwargs) -> None:
    with open(os.environ.get("LOAD_LOGINS", "load-logins.json"), "w") as out:
        json.dump({"seconds": _signed_in, "errors": _login_errors, "browse_started": _browse["start"]}, out)


class Staff(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        with _lock:
            self.role, self.username = next(_next)
        self.case_ids, self.task_ids = [], []  # (not self.tasks: that is locust's own task list)
        started = time.perf_counter()
        if self._sign_in():
            _signed_in.append(time.perf_counter() - started)
        else:
            _login_errors.append(self.username)
        if len(_signed_in) + len(_login_errors) >= EXPECTED and not _all_in.is_set():
            self.environment.runner.stats.reset_all()  # measure the browsing phase only
            _browse["start"] = time.time()
            _all_in.set()
            gevent.spawn_later(SECONDS, self.environment.runner.quit)
        _all_in.wait(timeout=600)

    def _sign_in(self) -> bool:
        page = self.client.get("/login", name="/login")  # the login pages are counted (and checked) too
        token = CSRF.search(page.text).group(1)
        with self.client.post("/login", data={"username": self.username, "password": USERS["password"],
                                                "csrf_token": token}, allow_redirects=False, name="/login POST",
                              catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"login {self.username}: {answer.status_code}")
                return False
        if self.role == "teamleider":
            page = self.client.get("/login/code", name="/login/code")
            token = CSRF.search(page.text).group(1)
            code = pyotp.TOTP(USERS["teamleiders"][self.username]).now()
            with self.client.post("/login/code", data={"code": code, "csrf_token": token}, allow_redirects=False,
                                  name="/login/code POST", catch_response=True) as answer:
                if answer.status_code != 302:
                    answer.failure(f"code {self.username}: {answer.status_code}")
                    return False
        return True

    def get(self, path: str, name: str, **params) -> str | None:
        """GET a page; anything but a 200 (a redirect to the login, a 403, a 500) is an error."""
        with self.client.get(path, params=params or None, name=name, allow_redirects=False,
                             catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} for {self.username} on {path}")
                return None
            return answer.text

    @task(4)
    def worklist(self) -> None:
        html = self.get("/tasks/", "worklist")
        if html:
            self.task_ids = TASK_LINK.findall(html)[:25]
            self.case_ids = CASE_LINK.findall(html)[:25] or self.case_ids
        if self.role == "teamleider":  # the team's worklist: cases of every regisseur (their tasks are theirs)
            html = self.get("/tasks/", "worklist (team)", scope="team")
            if html:
                self.case_ids = CASE_LINK.findall(html)[:25] or self.case_ids

    @task(2)
    def search(self) -> None:
        self.get("/tasks/", "worklist search", q=random.choice(USERS["search"]))

    @task(3)
    def case_page(self) -> None:
        if self.case_ids:
            self.get(f"/cases/{random.choice(self.case_ids)}", "case page")

    @task(3)
    def task_page(self) -> None:
        if self.task_ids:
            self.get(f"/tasks/{random.choice(self.task_ids)}", "task page")
