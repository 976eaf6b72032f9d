#!/usr/bin/env bash
# Load benchmark: gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1 against the scale database,
# wrk from a second process. Bounded: each run lasts DURATION, then everything stops.
#
#   COOPOL_DATABASE_URL=sqlite:///$PWD/instance/scale.sqlite3 bash bench/load.sh
#   COOPOL_DATABASE_URL=postgresql://postgres@127.0.0.1/coopol_scale bash bench/load.sh
#
# Prints, per scenario, requests per second, latency p50/p90/p99 (ms), errors, and the
# throughput as a share of the trivial route /healthz served by the same server.
# SCENARIOS="events group" runs only those (the floor always runs).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${COOPOL_DATABASE_URL:?Indique la base du jeu national dans COOPOL_DATABASE_URL}"
PORT=${PORT:-8765}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-50}
ELECTION_CONNECTIONS=${ELECTION_CONNECTIONS:-200}
# events, group, vote, mixed (at CONNECTIONS), election (mixed at ELECTION_CONNECTIONS)
SCENARIOS=${SCENARIOS:-events group vote mixed election}
export WRK_THREADS=${WRK_THREADS:-2}
export COOPOL_WORKERS=${COOPOL_WORKERS:-4} COOPOL_BIND="127.0.0.1:$PORT"
# wrk opens all its connections at once and keeps them: gunicorn's workers race to accept
# them and one may get them all (seen: one worker busy, three idle, half the machine unused).
# Closed after each answer, connections are accepted by whichever worker is free, request by
# request; each request, the floor's as the pages', then pays for a new loopback connection.
export GUNICORN_CMD_ARGS=${GUNICORN_CMD_ARGS:---keep-alive 0}
# Every benchmark member logs in from 127.0.0.1: let the login limit allow them.
export COOPOL_LOGIN_RATE_LIMIT="1000 per minute"
command -v wrk >/dev/null || { echo "wrk manque : apt-get install wrk" >&2; exit 1; }
base="http://127.0.0.1:$PORT"
work=$(mktemp -d)

.venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app 2>"$work/gunicorn.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  curl -fs "$base/healthz" >/dev/null && break
  sleep 0.2
done
curl -fs "$base/healthz" >/dev/null || { cat "$work/gunicorn.log" >&2; exit 1; }

echo "Connexion de $ELECTION_CONNECTIONS membres…"
.venv/bin/python bench/sessions.py "$base" "$ELECTION_CONNECTIONS" >"$work/sessions.tsv"

run() {  # mode connections
  wrk -t "$WRK_THREADS" -c "$2" -d "$DURATION" --timeout 10s -s bench/load.lua "$base" \
    -- "$1" "$work/sessions.tsv" | awk '/^RESULT/ {print $2, $3, $4, $5, $6, $7}'
}

server_p95() {  # p95 of the server time the app logged (one line a request) since line $1
  tail -n +"$(($1 + 1))" "$work/gunicorn.log" | grep -o ' [0-9.]*ms id=' | tr -d 'msid= ' \
    | sort -n | awk '{v[NR] = $1} END {if (NR) printf "%.1f", v[int(NR * 0.95 + 0.5)]; else print "—"}'
}

echo "database: ${COOPOL_DATABASE_URL%%:*}, workers: $COOPOL_WORKERS, duration: $DURATION," \
  "gunicorn: $GUNICORN_CMD_ARGS, machine: $(nproc) cores"
# Latencies are seen by the clients (queueing included); "server p95" is the time the app
# itself spent on a request, from its log line, whatever the queue in front of it.
echo "| scenario | connections | req/s | p50 ms | p90 ms | p99 ms | server p95 ms | errors | requests | of floor |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
mark=$(wc -l <"$work/gunicorn.log")
read -r floor p50 p90 p99 errors requests < <(run floor "$CONNECTIONS")
echo "| /healthz (floor) | $CONNECTIONS | $floor | $p50 | $p90 | $p99 | $(server_p95 "$mark") | $errors | $requests | 100 % |"
for scenario in $SCENARIOS; do
  if [ "$scenario" = election ]; then set -- mixed "$ELECTION_CONNECTIONS"
  else set -- "$scenario" "$CONNECTIONS"; fi
  # Members' RSVPs and ballots as the previous run left them (bench/load.lua starts from them).
  .venv/bin/python bench/sessions.py --refresh "$work/sessions.tsv" 2>/dev/null
  mark=$(wc -l <"$work/gunicorn.log")
  read -r rps p50 p90 p99 errors requests < <(run "$1" "$2")
  share=$(awk -v a="$rps" -v b="$floor" 'BEGIN {printf "%.0f %%", 100 * a / b}')
  echo "| $1 | $2 | $rps | $p50 | $p90 | $p99 | $(server_p95 "$mark") | $errors | $requests | $share |"
done
# What the errors were, as the app answered them (timeouts and refused connections are not here).
echo
echo "answers of 400 and above, by status and route:"
grep -oE '(GET|POST) [^ ]+ [45][0-9][0-9] ' "$work/gunicorn.log" \
  | sed -E 's#/[0-9]+#/<id>#g; s#\?[^ ]*##' | sort | uniq -c | sort -rn | head -10 || echo "  none"

