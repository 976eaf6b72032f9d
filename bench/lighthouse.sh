#!/usr/bin/env bash
# Lighthouse (mobile) on the main pages of a demo Coopol: prints performance, accessibility,
# best-practices and SEO scores and the transfer size of each page. A benchmark, not a test.
#
#   bench/lighthouse.sh            # from the repository root, after ./dev.sh test (the .venv)
#
# Installs Lighthouse 12.2.3 (13 needs a newer Node) into bench/.lighthouse/ (git-ignored),
# runs a demo instance (`flask init --demo`) in a temporary folder on 127.0.0.1, and drives
# Debian's Chromium (CHROME_PATH, default /usr/bin/chromium). Logged-in pages are measured with
# the session cookie of a demo member, logged in through the login form.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LH_DIR=$ROOT/bench/.lighthouse
PORT=${PORT:-5077}
BASE=http://127.0.0.1:$PORT
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
VENV=$ROOT/.venv

[ -x "$VENV/bin/flask" ] || { echo "run ./dev.sh test first (it makes .venv)" >&2; exit 2; }
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
    mkdir -p "$LH_DIR"
    (cd "$LH_DIR" && npm i -E --no-audit --no-fund --silent lighthouse@12.2.3)
fi

WORK=$(mktemp -d)
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# A demo instance of its own: database, secret key and mails in the temporary folder.
export FLASK_APP=wsgi COOPOL_DATABASE_URL="sqlite:///$WORK/coopol.sqlite3"
export COOPOL_SECRET_KEY=bench-secret COOPOL_MAIL_BACKEND=console COOPOL_RATELIMIT_ENABLED=false
"$VENV/bin/flask" init --demo >/dev/null
# The production-like server: gunicorn if installed, else Werkzeug's threaded server.
if [ -x "$VENV/bin/gunicorn" ]; then
    "$VENV/bin/gunicorn" -w 2 -b "127.0.0.1:$PORT" wsgi:app 2>"$WORK/server.log" &
else
    "$VENV/bin/flask" run --host 127.0.0.1 --port "$PORT" \
        2>"$WORK/server.log" >&2 &
fi
SERVER=$!
for _ in $(seq 50); do curl -fs -o /dev/null "$BASE/" && break; sleep 0.2; done

# Log a demo member in through the form, as a browser would, and keep the session cookie.
login_cookie() {
    local jar=$WORK/$1.jar token
    token=$(curl -fs -c "$jar" "$BASE/auth/login" | grep -o 'name="csrf_token" type="hidden" value="[^"]*"' \
        | head -1 | sed 's/.*value="//; s/"$//')
    curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" \
        --data-urlencode "email=$1" --data-urlencode "password=coopol-demo" "$BASE/auth/login"
    awk '$6 == "session" { print "session=" $7 }' "$jar"
}
MEMBER=$(login_cookie lea@demo.coopol.fr)
ADMIN=$(login_cookie admin@demo.coopol.fr)
SECRETARY=$(login_cookie secretaire.grenoble@demo.coopol.fr)

# name  path  cookie (- for none)
PAGES="welcome / -
register /auth/register -
login /auth/login -
forgot-password /auth/forgot -
home / $MEMBER
profile /profile/ $MEMBER
profile-edit /profile/edit $MEMBER
sections /sections $MEMBER
section /sections/1 $MEMBER
admin-roles /admin/roles $ADMIN
groups /groups/ $MEMBER
group /groups/logement-a-grenoble $MEMBER
events /events/ $MEMBER
event /events/1 $MEMBER
events-visitor /events/?place=38000 -
consultations /consultations/ $MEMBER
consultation /consultations/1 $MEMBER
vote /consultations/1/vote $MEMBER
notifications /notify/ $MEMBER
dashboard /dashboards/sections/1 $SECRETARY
find-members /organize/ $SECRETARY"

printf '%-16s %5s %5s %5s %5s %9s\n' page perf a11y best seo transfer
while read -r name path cookie; do
    headers=()
    [ "$cookie" != "-" ] && headers=(--extra-headers "{\"Cookie\": \"$cookie\"}")
    "$LH_DIR/node_modules/.bin/lighthouse" "$BASE$path" --quiet --output=json \
        --output-path="$WORK/$name.json" --form-factor=mobile \
        --only-categories=performance,accessibility,best-practices,seo \
        --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
--disable-background-networking --disable-component-update --disable-sync" \
        "${headers[@]}" >/dev/null 2>>"$WORK/lighthouse.log" || {
        echo "$name: lighthouse failed, see below" >&2; tail -5 "$WORK/lighthouse.log" >&2; continue; }
    node -e '
        const r = require(process.argv[1]);
        const s = k => Math.round(r.categories[k].score * 100);
        const kb = r.audits["total-byte-weight"].numericValue / 1024;
        const fails = Object.values(r.audits)
            .filter(a => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
            .map(a => a.id);
        console.log(process.argv[2].padEnd(16), ...[s("performance"), s("accessibility"),
            s("best-practices"), s("seo")].map(v => String(v).padStart(5)),
            (kb.toFixed(1) + " KB").padStart(9), fails.length ? " flags: " + fails.join(",") : "");
    ' "$WORK/$name.json" "$name"
done <<< "$PAGES"
