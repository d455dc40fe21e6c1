"""The load test's staff users (locust; run by bench/loadtest.sh, which installs locust in a venv of its own).

Each simulated user signs in through the real form (a teamleider also with a TOTP code, as two-factor
sign-in requires for the role), then keeps browsing the way staff do: the worklist, a search by name,
a case page and a task page from the worklist, with a short think time. Any answer other than 200
(or the 302 of the login) counts as an error.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading

import pyotp
from locust import HttpUser, between, task

USERS = json.load(open(os.environ.get("LOAD_USERS", "load-users.json")))  # noqa: SIM115
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)"')
TASK_LINK = re.compile(r'href="/tasks/(\d+)"')
_accounts = ([("regisseur", name) for name in USERS["regisseurs"]]
             + [("teamleider", name) for name in USERS["teamleiders"]])
_lock = threading.Lock()
_next = iter(_accounts * 10)


class Staff(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        with _lock:
            self.role, self.username = next(_next)
        self.cases, self.tasks = [], []
        page = self.client.get("/login", name="/login")  # the login pages are counted (and checked) too
        token = CSRF.search(page.text).group(1)
        with self.client.post("/login", data={"username": self.username, "password": USERS["password"],
                                                "csrf_token": token}, allow_redirects=False, name="/login POST",
                              catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"login {self.username}: {answer.status_code}")
                return
        if self.role == "teamleider":
            page = self.client.get("/login/code", name="/login/code")
            token = CSRF.search(page.text).group(1)
            code = pyotp.TOTP(USERS["teamleiders"][self.username]).now()
            with self.client.post("/login/code", data={"code": code, "csrf_token": token}, allow_redirects=False,
                                  name="/login/code POST", catch_response=True) as answer:
                if answer.status_code != 302:
                    answer.failure(f"code {self.username}: {answer.status_code}")
                    return
        self.worklist()

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
            self.tasks = TASK_LINK.findall(html)[:25]
            self.cases = CASE_LINK.findall(html)[:25] or self.cases
        if self.role == "teamleider":  # the team's worklist: cases of every regisseur (their tasks are theirs)
            html = self.get("/tasks/", "worklist (team)", scope="team")
            if html:
                self.cases = CASE_LINK.findall(html)[:25] or self.cases

    @task(2)
    def search(self) -> None:
        self.get("/tasks/", "worklist search", q=random.choice(USERS["search"]))

    @task(3)
    def case_page(self) -> None:
        if self.cases:
            self.get(f"/cases/{random.choice(self.cases)}", "case page")

    @task(3)
    def task_page(self) -> None:
        if self.tasks:
            self.get(f"/tasks/{random.choice(self.tasks)}", "task page")
