#!/usr/bin/env bash
# Load test: 50 staff users for 60 s against gunicorn + PostgreSQL (docs/deployment.md, "Load test").
#
#   bench/loadtest.sh [USERS] [SECONDS] [CASES]          (defaults: 50 60 3000)
#
# Makes a scratch PostgreSQL database (127.0.0.1:5432, user postgres, as CI), migrates it, fills it
# (bench/load_setup.py: 40 regisseurs, 10 teamleiders with two-factor sign-in, CASES cases), serves it
# with gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1:8765, runs locust headless against it (installed
# in .venv-locust, apart from the app's venv), prints p50/p95/requests per second/errors and the load
# average, and drops the database. Traffic goes to 127.0.0.1 only; everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"   # this checkout's portal, whatever the venv has installed
USERS=${1:-50}; SECONDS_=${2:-60}; CASES=${3:-3000}
BIN=${BIN:-.venv/bin}
PORT=${LOAD_PORT:-8765}
DB="portal_load_$$"
OUT=$(mktemp -d)
PG="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"

LOCUST_VENV=${LOCUST_VENV:-.venv-locust}
test -x "$LOCUST_VENV/bin/locust" || { python3 -m venv "$LOCUST_VENV" && "$LOCUST_VENV/bin/pip" install -q "locust==2.47.0" "pyotp>=2.9,<3"; }

psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DB"
GUNICORN_PID=
cleanup() {
  [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
}
trap cleanup EXIT

export PORTAL_DATABASE_URL="$PG" PORTAL_SECRET_KEY="load-test-$$" PORTAL_SESSION_COOKIE_SECURE=0 \
       PORTAL_SEAL_KEY="$OUT/seal-key.pem" PORTAL_SEAL_CERT="$OUT/seal-cert.pem" PORTAL_MAIL_BACKEND=console \
       PORTAL_LOGIN_RATE_LIMIT="10000 per minute"   # all simulated users share 127.0.0.1
$BIN/python -m portal.command init-db 2>&1 | grep -v "^INFO" || true
$BIN/python -m portal.command seal dev-cert >/dev/null
$BIN/python bench/load_setup.py --cases "$CASES" --out "$OUT/users.json"

GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESSLOG=/dev/null $BIN/gunicorn -c deploy/gunicorn.conf.py \
  2>"$OUT/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/healthz"; echo

( while sleep 5; do echo "$(date +%s) $(cut -d' ' -f1 /proc/loadavg)"; done ) > "$OUT/load.txt" &
LOADPID=$!
# Users arrive 5 a second and sign in; once all are in, the statistics are reset and they browse for
# SECONDS_ seconds (bench/locustfile.py stops the run); -t is only a safety limit.
LOAD_USERS="$OUT/users.json" LOAD_USERS_N="$USERS" LOAD_SECONDS="$SECONDS_" LOAD_LOGINS="$OUT/logins.json" \
  "$LOCUST_VENV/bin/locust" -f bench/locustfile.py --headless -u "$USERS" -r 5 \
  -t "$((SECONDS_ + 600))s" --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --stop-timeout 5 \
  2>"$OUT/locust.log" || true
kill $LOADPID 2>/dev/null || true

$BIN/python - "$OUT" <<'PY'
import csv, json, statistics, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/locust_stats.csv")))
logins = json.load(open(f"{out}/logins.json"))
start = logins["browse_started"] or 0
samples = [line.split() for line in open(f"{out}/load.txt").read().splitlines()]
loads = [float(load) for at, load in samples if float(at) >= start]
seconds = sorted(logins["seconds"])
if seconds:
    print(f"sign-in (form + two-factor code for teamleiders), {len(seconds)} users arriving 5/s: "
          f"p50 {statistics.median(seconds) * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms; "
          f"failed sign-ins: {len(logins['errors'])} {logins['errors'][:5]}")
print(f"{'request':<22}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}")
for row in rows:
    print(f"{row['Name']:<22}{row['Request Count']:>8}{row['Failure Count']:>8}{row['50%']:>9}{row['95%']:>9}"
          f"{row['99%']:>9}{float(row['Requests/s']):>9.1f}")
print(f"load average (1 min) while browsing: max {max(loads):.1f}, mean {sum(loads)/len(loads):.1f} (2 cores)"
      if loads else "load average: no sample")
failures = open(f"{out}/locust_failures.csv").read().strip().splitlines()[1:]
for line in failures[:10]:
    print("failure:", line)
PY
grep -c " 500 \|Traceback" "$OUT/gunicorn.log" | sed 's/^/gunicorn errors logged: /' || true
