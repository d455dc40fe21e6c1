"""Fill a scratch database for the load test (bench/loadtest.sh): staff who sign in through the real
login form, and cases opened through the real process.

    PORTAL_DATABASE_URL=… PORTAL_SECRET_KEY=… python bench/load_setup.py --cases 3000 --out users.json

Creates municipality 0344 with ``--regisseurs`` regisseurs (load-r01 …) and ``--teamleiders``
teamleiders (load-t01 …), every teamleider enrolled in two-factor sign-in with a TOTP secret of its
own (encrypted with PORTAL_SECRET_KEY, as the enrolment page stores it), and ``--cases`` cases spread
over the regisseurs (each waits at its first step: its kennismakingsgesprek task is open). Writes the
usernames, the password and the TOTP secrets to ``--out`` for the load generator.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, date, datetime, timedelta

import pyotp
from sqlalchemy import select

from portal import create_app
from portal.auth.models import Municipality, TwoFactor, User
from portal.auth.two_factor import encrypt
from portal.casefile.services import open_case
from portal.demo import sample_koppeling
from portal.extensions import db
from portal.processes.services import current_version, deploy
from portal.security import hash_password

PASSWORD = "load-wachtwoord-1"
LAST_NAMES = ["Haddad", "Yilmaz", "Tesfay", "Ahmadi", "Kovalenko", "Demir", "Mahmoud", "Bakr", "Nour", "Ghebre"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--regisseurs", type=int, default=40)
    parser.add_argument("--teamleiders", type=int, default=10)
    parser.add_argument("--out", default="load-users.json")
    args = parser.parse_args()
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        if current_version() is None:
            deploy()
        municipality = db.session.scalar(select(Municipality).where(Municipality.code == "0344"))
        if municipality is None:
            municipality = Municipality(code="0344", name="Utrecht")
            db.session.add(municipality)
        password_hash = hash_password(PASSWORD)
        regisseurs, teamleiders, secrets = [], [], {}
        for n in range(1, args.regisseurs + 1):
            regisseurs.append(User(username=f"load-r{n:02d}", display_name=f"Regisseur {n}", role="regisseur",
                                   municipality=municipality, password_hash=password_hash, locale="nl"))
        for n in range(1, args.teamleiders + 1):
            teamleiders.append(User(username=f"load-t{n:02d}", display_name=f"Teamleider {n}", role="teamleider",
                                    municipality=municipality, password_hash=password_hash, locale="nl"))
        db.session.add_all(regisseurs + teamleiders)
        db.session.flush()
        for user in teamleiders:
            secrets[user.username] = pyotp.random_base32()
            db.session.add(TwoFactor(user_id=user.id, secret_encrypted=encrypt(secrets[user.username]),
                                     confirmed_at=datetime.now(UTC)))
        db.session.commit()
        today = date.today()
        for n in range(args.cases):
            regisseur = regisseurs[n % len(regisseurs)]
            koppeling = today - timedelta(days=n % 60)  # cases of the last two months
            data = sample_koppeling(n, koppeling, first="Test", last=f"{LAST_NAMES[n % len(LAST_NAMES)]} {n}")
            open_case(data, municipality, regisseur.id, None, "load-setup")
            if n % 100 == 99:
                db.session.commit()
        db.session.commit()
        names = [user.username for user in regisseurs]
    with open(args.out, "w") as out:
        json.dump({"password": PASSWORD, "regisseurs": names,
                   "teamleiders": secrets, "search": LAST_NAMES}, out)
    print(f"{args.regisseurs} regisseurs, {args.teamleiders} teamleiders (two-factor), {args.cases} cases "
          f"in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
