#!/bin/sh
# Coopol for volunteers: `./dev.sh serve` installs and runs the site, `./dev.sh test` tests it
# (browser tests included: they need /usr/bin/chromium, `apt-get install chromium`),
# `./dev.sh e2e` runs only the browser tests; their screenshots land in screenshots/.
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
VENV=.venv

venv() {
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".$1"
    "$VENV/bin/pybabel" compile --use-fuzzy -d coopol/translations >/dev/null
}

case "${1:-}" in
serve)
    venv ""
    export FLASK_APP=wsgi
    "$VENV/bin/flask" init --demo
    # Mails (account confirmation, password reset) are sent by the outbox worker;
    # in development they are written to instance/mail/ and printed here.
    "$VENV/bin/flask" outbox work --loop &
    worker=$!
    trap 'kill $worker 2>/dev/null' EXIT INT TERM
    "$VENV/bin/flask" run --host 127.0.0.1 --port "${PORT:-5000}"
    ;;
test)
    venv "[test]"
    shift
    "$VENV/bin/ruff" check .
    "$VENV/bin/bandit" -c pyproject.toml -q -r coopol
    # Two workers (the machines have two cores); COOPOL_TEST_WORKERS=0 runs in one process.
    "$VENV/bin/python" -m pytest -q -n "${COOPOL_TEST_WORKERS:-2}" "$@"
    ;;
e2e)
    venv "[test]"
    shift
    "$VENV/bin/python" -m pytest -q tests/e2e "$@"
    ;;
*)
    echo "usage: ./dev.sh serve | ./dev.sh test [pytest arguments] | ./dev.sh e2e [pytest arguments]" >&2
    exit 2
    ;;
esac
