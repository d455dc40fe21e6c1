"""Time the audit trail pages on a large audit table: the privacy officer's list (first page, a deep
keyset page, filtered by user, by case, health reads only), the CSV's first 10,000 rows, and the
newcomer's "who read my file"; and a regional fg's (Utrecht + Zeist) list over both municipalities.

Fills ``--rows`` audit events (spread over 20 staff, ``--cases`` cases, two municipalities, one year)
with one INSERT … SELECT, then requests the pages over the real WSGI app (login, templates, SQL) and
prints medians in ms. A fresh SQLite file, or PORTAL_DATABASE_URL (a scratch database).

    python bench/audit_trail.py --rows 1000000 [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from common import PASSWORD, bench_app, logged_in

from portal.auth.accounts import grant_municipality
from portal.auth.models import Municipality, User
from portal.cases.models import Case
from portal.extensions import db
from portal.security import hash_password


def fill(rows: int, cases: int) -> tuple[str, int]:
    utrecht, zeist = Municipality(code="0344", name="Utrecht"), Municipality(code="0355", name="Zeist")
    db.session.add_all([utrecht, zeist])
    db.session.flush()
    staff = [User(username=f"staff{n}", display_name=f"Staff {n}", role="regisseur" if n % 4 else "teamleider",
                  municipality_id=(utrecht if n < 15 else zeist).id, password_hash=hash_password(PASSWORD))
             for n in range(20)]
    staff.append(User(username="fg", display_name="FG", role="fg", municipality_id=utrecht.id,
                      password_hash=hash_password(PASSWORD)))
    regional = User(username="fgregio", display_name="FG regio", role="fg", municipality_id=utrecht.id,
                    password_hash=hash_password(PASSWORD))
    newcomer = User(username="amina", display_name="Amina", role="inburgeraar", municipality_id=utrecht.id,
                    password_hash=hash_password(PASSWORD))
    db.session.add_all([*staff, newcomer, regional])
    db.session.flush()
    grant_municipality(regional, zeist)
    db.session.add_all([Case(reference=f"BENCH-{n:06d}", municipality_id=(utrecht if n % 4 else zeist).id,
                             regisseur_id=staff[n % 20].id, first_name="N", last_name=str(n),
                             birth_date=date(1990, 1, 1), v_number=f"{n:010d}", country_of_origin="X",
                             language="x", koppeling_date=date(2026, 1, 1),
                             newcomer_user_id=newcomer.id if n == 1 else None) for n in range(cases)])
    db.session.flush()
    first_case = db.session.query(Case.id).order_by(Case.id).first()[0]
    first_user = staff[0].id
    dialect = db.engine.dialect.name
    series = ("SELECT g AS n FROM generate_series(0, :rows - 1) AS g" if dialect == "postgresql" else
              "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < :rows) SELECT n FROM s")
    moment = ("TIMESTAMPTZ '2026-01-01 00:00:00+00' + (s.n * INTERVAL '31 seconds')" if dialect == "postgresql"
              else "strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || (s.n * 31) || ' seconds')")
    db.session.execute(db.text(
        f"INSERT INTO audit_event (at, user_id, case_id, action, subject, purpose, municipality_id) "
        f"SELECT {moment}, :u + (s.n % 20), :c + (s.n % :cases), CASE WHEN s.n % 5 = 0 THEN 'write' ELSE 'read' END, "
        f"CASE WHEN s.n % 97 = 0 THEN 'case.health' ELSE 'case' END, 'casefile.show', "
        f"(SELECT municipality_id FROM inburgering_case WHERE id = :c + (s.n % :cases)) "
        f"FROM ({series}) AS s"), {"rows": rows, "u": first_user, "c": first_case, "cases": cases})
    db.session.commit()
    if dialect == "postgresql":
        db.session.execute(db.text("ANALYZE audit_event"))
        db.session.commit()
    return "BENCH-000005", staff[3].id


def timed(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        if url.endswith("csv"):
            for _chunk in zip(range(11), response.response, strict=False):
                pass
            response.close()
        assert response.status_code == 200, (url, response.status_code)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    app = bench_app()
    with app.app_context():  # requests below push their own contexts (a shared one would share flask.g)
        start = time.perf_counter()
        reference, user_id = fill(args.rows, args.cases)
        filled = time.perf_counter() - start
    fg = logged_in(app, "fg")
    first = fg.get("/beheer/audit").get_data(as_text=True)
    deep = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    for _ in range(20):  # twenty pages further back
        page = fg.get(deep).get_data(as_text=True)
        deep = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    results = {
        "audit list, first page": timed(fg, "/beheer/audit", args.repeat),
        "audit list, 21 pages back": timed(fg, deep, args.repeat),
        "filtered by staff member": timed(fg, f"/beheer/audit?user={user_id}", args.repeat),
        "filtered by case": timed(fg, f"/beheer/audit?case={reference}", args.repeat),
        "health reads only": timed(fg, "/beheer/audit?sensitive=y", args.repeat),
        "CSV, first 10,000 rows": timed(fg, "/beheer/audit.csv", 3),
        "unusual access, 7 days": timed(fg, "/beheer/audit/ongewoon?since=2026-03-01&until=2026-03-07", 3),
        "newcomer: who read my file": timed(logged_in(app, "amina"), "/mijn/inzage", args.repeat),
    }
    regio = logged_in(app, "fgregio")
    first = regio.get("/beheer/audit").get_data(as_text=True)
    deep = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    for _ in range(20):
        deep = regio.get(deep).get_data(as_text=True).split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    results.update({
        "regional: both, first page": timed(regio, "/beheer/audit", args.repeat),
        "regional: both, 21 pages back": timed(regio, deep, args.repeat),
        "regional: one chosen": timed(regio, "/beheer/audit?gemeente=0355", args.repeat),
        "regional: unusual access, 7 days": timed(regio, "/beheer/audit/ongewoon?since=2026-03-01&until=2026-03-07",
                                                  3),
    })
    print(json.dumps({"rows": args.rows, "database": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0],
                      "fill_s": round(filled, 1), "median_ms": {k: round(v, 1) for k, v in results.items()}})
          if args.json else "\n".join([f"{args.rows} audit events ({filled:.0f} s to fill)",
                                       *(f"{name:32} {ms:8.1f} ms" for name, ms in results.items())]))


if __name__ == "__main__":
    main()
