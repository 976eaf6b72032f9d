#!/usr/bin/env bash
# The national instance in miniature, on one machine (docs/deploy-national.md):
# one PostgreSQL database, SERVERS gunicorn app servers on their own ports standing for hosts
# (same secret key, rate limits in Redis), one outbox worker, nginx as round-robin balancer;
# a wrk load of logged-in members through the balancer (replies, RSVPs, votes), one app server
# SIGKILLed in the middle, then SQL checks: no double vote, no overbooking, no acknowledged
# write lost. Everything it starts, and its database, goes away when it ends.
#
#   deploy/scale-out.sh                                 # from a checkout; ~3 minutes
#   MEMBERS=5000 USERS=200 DURATION=60s deploy/scale-out.sh
#
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres), Redis on 127.0.0.1:6379, Debian's nginx
# and wrk (apt-get install nginx wrk), python3-venv. Exit status 0 only when every check holds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MEMBERS=${MEMBERS:-3000}          # size of the seeded dataset (flask seed scale --members)
USERS=${USERS:-120}               # members logged in and driving the load
SERVERS=${SERVERS:-2}             # app servers
WORKERS=${WORKERS:-2}             # gunicorn workers per app server (× 2 threads)
DURATION=${DURATION:-30}          # seconds of load
KILL_AFTER=${KILL_AFTER:-12}      # seconds into the load when the last app server is SIGKILLed
CONNECTIONS=${CONNECTIONS:-40}    # wrk connections (fewer than USERS: a member never overlaps)
PLACES=${PLACES:-15}              # free places on the contested event
PORT=${PORT:-18400}               # the balancer; app servers on PORT+1 … PORT+SERVERS
PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
REDIS=${REDIS:-redis://127.0.0.1:6379/0}
export PGHOST PGUSER

for tool in psql nginx wrk redis-cli curl; do
    command -v "$tool" >/dev/null || { echo "$tool manque (apt-get install nginx wrk redis-tools postgresql-client curl)" >&2; exit 2; }
done

say() { printf '\n== %s\n' "$*"; }
DB=coopol_scaleout_$$
KEY_PREFIX=coopol-scaleout-$$
work=$(mktemp -d /tmp/coopol-scaleout.XXXXXX)
chmod 755 "$work"
declare -a servers=()
worker="" balancer=""

cleanup() {
    set +e
    for pid in "${servers[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
    for pid in $worker $balancer; do kill -TERM "$pid" 2>/dev/null; done
    wait 2>/dev/null
    psql -qc "DROP DATABASE IF EXISTS $DB" 2>/dev/null
    redis-cli -u "$REDIS" --scan --pattern "*$KEY_PREFIX*" 2>/dev/null \
        | xargs -r redis-cli -u "$REDIS" del >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x .venv/bin/gunicorn ]; then
    say "Installation dans .venv"
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e .
    .venv/bin/pybabel compile --use-fuzzy -d coopol/translations >/dev/null
fi

# What every app server and the worker share, as each host's /etc/coopol/coopol.env would.
export FLASK_APP=wsgi
export COOPOL_DATABASE_URL="postgresql://$PGUSER@$PGHOST:5432/$DB"
COOPOL_SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')
export COOPOL_SECRET_KEY
export COOPOL_RATELIMIT_STORAGE_URI=$REDIS COOPOL_RATELIMIT_KEY_PREFIX=$KEY_PREFIX
export COOPOL_PROXY_COUNT=1 COOPOL_MAIL_BACKEND=console COOPOL_WORKERS=$WORKERS COOPOL_THREADS=2
# Every load member logs in from 127.0.0.1; a low sign-up limit per mail domain to show sharing.
export COOPOL_LOGIN_RATE_LIMIT="2000 per minute" COOPOL_REGISTER_DOMAIN_LIMIT="5 per minute"
export PYTHONUNBUFFERED=1

say "Base PostgreSQL $DB"
psql -qc "CREATE DATABASE $DB"

say "$SERVERS serveurs démarrent en même temps (flask init sous le verrou, puis gunicorn)"
for n in $(seq "$SERVERS"); do
    # setsid: each server is its own process group, killed whole like a host going down.
    COOPOL_BIND="127.0.0.1:$((PORT + n))" setsid bash -c \
        'exec >"$0" 2>&1; .venv/bin/flask init && exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app' \
        "$work/app$n.log" &
    servers+=("$!")
done
for n in $(seq "$SERVERS"); do
    for _ in $(seq 300); do
        curl -fs "http://127.0.0.1:$((PORT + n))/healthz" >/dev/null && break
        kill -0 "${servers[$((n - 1))]}" 2>/dev/null || break
        sleep 0.5
    done
    curl -fs "http://127.0.0.1:$((PORT + n))/healthz" >/dev/null \
        || { echo "Le serveur $n ne répond pas :" >&2; cat "$work/app$n.log" >&2; exit 1; }
    printf 'serveur %s (port %s) : %s migrations appliquées ; %s\n' "$n" "$((PORT + n))" \
        "$(grep -c 'Running upgrade' "$work/app$n.log" || true)" \
        "$(grep -m1 -o 'migration lock: .*' "$work/app$n.log")"
done
migrators=$(grep -l 'Running upgrade' "$work"/app*.log | wc -l)
version=$(psql -d "$DB" -Atc "SELECT version_num FROM alembic_version")
communes=$(psql -d "$DB" -Atc "SELECT count(*) FROM commune")
echo "serveurs ayant migré : $migrators ; schéma : $version ; communes : $communes (une fois)"

say "Jeu de données ($MEMBERS membres)"
started=$(date +%s)
.venv/bin/flask seed scale --members "$MEMBERS" | sed 's/^/  /'
echo "  seed : $(( $(date +%s) - started )) s"

.venv/bin/flask outbox work --loop --interval 1 >"$work/worker.log" 2>&1 &
worker=$!

upstreams=""
for n in $(seq "$SERVERS"); do
    upstreams+="        server 127.0.0.1:$((PORT + n)) max_fails=1 fail_timeout=10s;"$'\n'
done
mkdir -p "$work/nginx-body" "$work/nginx-proxy"
sed -e "s|@WORK@|$work|g" -e "s|@ROOT@|$ROOT|g" -e "s|@PORT@|$PORT|g" \
    deploy/nginx/scale-out.conf.in | awk -v u="$upstreams" '{ if ($0 ~ /@UPSTREAMS@/) printf "%s", u; else print }' \
    >"$work/nginx.conf"
nginx -t -q -c "$work/nginx.conf"
nginx -c "$work/nginx.conf" -g 'daemon off;' &
balancer=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

say "Une session ouverte sur le serveur 1 vaut sur tous"
jar=$work/cookies
token() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
one="http://127.0.0.1:$((PORT + 1))"
csrf=$(curl -fs -c "$jar" -b "$jar" "$one/auth/login" | token)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "email=militant@scale.coopol.fr" --data-urlencode "password=coopol-scale" \
    "$one/auth/login"
sessions_ok=1
for n in $(seq "$SERVERS"); do
    code=$(curl -s -o "$work/page.html" -w '%{http_code}' -b "$jar" "http://127.0.0.1:$((PORT + n))/")
    if [ "$code" = 200 ] && grep -q 'auth/logout' "$work/page.html"; then
        echo "serveur $n : $code, connecté·e"
    else
        echo "serveur $n : $code, PAS connecté·e"; sessions_ok=0
        tail -5 "$work/app$n.log"
    fi
done

say "Limite partagée par Redis : 5 inscriptions par minute et par domaine, serveurs alternés"
jar=$work/visitor
csrf=$(curl -fs -c "$jar" -b "$jar" "$one/auth/register" | token)
limit_ok=1
for k in $(seq 7); do
    n=$(( (k - 1) % SERVERS + 1 ))
    code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" --data-urlencode "csrf_token=$csrf" \
        --data-urlencode "email=essai$k@limite-$$.example" "http://127.0.0.1:$((PORT + n))/auth/register")
    expected=$([ "$k" -le 5 ] && echo "<429" || echo 429)
    echo "essai $k sur le serveur $n : $code"
    if { [ "$k" -le 5 ] && [ "$code" = 429 ]; } || { [ "$k" -gt 5 ] && [ "$code" != 429 ]; }; then
        limit_ok=0; echo "  attendu : $expected"
    fi
done

say "Des mails partent par la file : 5 demandes de nouveau mot de passe via le répartiteur"
jar=$work/forgot
for k in $(seq 5); do
    csrf=$(curl -fs -c "$jar" -b "$jar" "$base/auth/forgot" | token)
    email=$(psql -d "$DB" -Atc "SELECT email FROM member WHERE email LIKE '%@exemple.fr' ORDER BY id DESC LIMIT 1 OFFSET $k")
    curl -fs -o /dev/null -w "demande $k : %{http_code}\n" -c "$jar" -b "$jar" \
        --data-urlencode "csrf_token=$csrf" --data-urlencode "email=$email" "$base/auth/forgot"
done

say "Charge : $USERS membres connectés, $CONNECTIONS connexions, ${DURATION} s, via nginx"
contested=$(psql -d "$DB" -qAtc "UPDATE event SET capacity = going_count + $PLACES
    WHERE id = (SELECT id FROM event WHERE status = 'scheduled' AND visibility = 'public'
                AND capacity IS NULL AND starts_at > now() AT TIME ZONE 'UTC' + interval '2 days'
                ORDER BY id LIMIT 1) RETURNING id")
echo "événement disputé : $contested ($PLACES places libres)"
.venv/bin/python bench/sessions.py "$base" "$USERS" "$contested" >"$work/sessions.tsv"
echo "$(wc -l <"$work/sessions.tsv") sessions ouvertes par le répartiteur"
export WRK_THREADS=2
wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s -s deploy/scale-out.lua \
    "$base" -- "$work/sessions.tsv" "$work/acked.txt" >"$work/wrk.out" 2>&1 &
load=$!
echo "machine : $(nproc) cœurs, charge moyenne au départ $(cut -d' ' -f1-3 /proc/loadavg)"
sleep "$KILL_AFTER"
victim=${servers[$((SERVERS - 1))]}
kill -KILL -- "-$victim"
wait "$victim" 2>/dev/null || true
echo "SIGKILL du serveur $SERVERS (groupe $victim) après ${KILL_AFTER} s"
wait "$load" || true
read -r rps p50 p90 p99 errors requests socket codes < <(awk '/^RESULT/ {print $2, $3, $4, $5, $6, $7, $8, $9}' "$work/wrk.out") || { cat "$work/wrk.out" >&2; exit 1; }
echo "charge moyenne à la fin : $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| req/s | p50 ms | p90 ms | p99 ms | erreurs | requêtes | sockets | statuts |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
echo "| $rps | $p50 | $p90 | $p99 | $errors | $requests | $socket | $codes |"
# The balancer's log: requests retried on another server, and what the members got back.
awk -F'\t' -v victim="127.0.0.1:$((PORT + SERVERS))" '
    { by[$4 ~ /,/ ? "relancées" : "directes"]++ }
    $4 ~ /,/ { retried[$1 " " $3]++ }
    $3 >= 500 { failed[$1 " " $3]++ }
    index($4, victim) { last = NR }
    END {
        printf "requêtes au répartiteur : %d directes, %d relancées sur un autre serveur (", by["directes"], by["relancées"]
        sep = ""; for (k in retried) { printf "%s%s : %d", sep, k, retried[k]; sep = ", " }
        printf ")\nréponses 5xx aux membres : "
        sep = ""; n = 0; for (k in failed) { printf "%s%s : %d", sep, k, failed[k]; sep = ", "; n++ }
        if (n == 0) printf "aucune"
        printf "\n"
    }' "$work/nginx-access.log"

say "Le serveur de mails (processus à part) vide la file"
for _ in $(seq 30); do
    pending=$(psql -d "$DB" -Atc "SELECT count(*) FROM outbox WHERE status = 'pending'")
    [ "$pending" = 0 ] && break
    sleep 1
done
echo "outbox : $(psql -d "$DB" -Atc "SELECT string_agg(status || ' ' || n, ', ') FROM
    (SELECT status, count(*) AS n FROM outbox GROUP BY status ORDER BY status) s")"
echo "journal du worker : $(grep -c '^Subject:' "$work/worker.log" || true) mails remis au transport (console)"

say "Vérifications en SQL"
awk '{print $1 "\t" $2 "\t" ($3 == "" ? "-" : $3)}' "$work/acked.txt" >"$work/acked.tsv"
psql -d "$DB" -q -v ON_ERROR_STOP=1 -At -F ' | ' -f - >"$work/checks.txt" <<SQL
CREATE TEMP TABLE acked (kind text, a text, b text);
\copy acked FROM '$work/acked.tsv'
CREATE TEMP TABLE result (name text, value bigint, ok boolean);
INSERT INTO result SELECT 'double votes (participations par membre > 1)', count(*), count(*) = 0
  FROM (SELECT 1 FROM participation GROUP BY consultation_id, member_id HAVING count(*) > 1) d;
INSERT INTO result SELECT 'bulletins sans participation (scrutin ouvert)', count(*), count(*) = 0
  FROM ballot b JOIN consultation c ON c.id = b.consultation_id AND c.closed_at IS NULL
  WHERE NOT EXISTS (SELECT 1 FROM participation p WHERE p.ballot_id = b.id);
INSERT INTO result SELECT 'choix en double dans un bulletin', count(*), count(*) = 0
  FROM (SELECT 1 FROM ballot_choice GROUP BY ballot_id, option_id HAVING count(*) > 1) d;
INSERT INTO result SELECT 'événements en surréservation', count(*), count(*) = 0
  FROM event WHERE capacity IS NOT NULL AND going_count > capacity;
INSERT INTO result SELECT 'compteurs de places faux', count(*), count(*) = 0
  FROM event e WHERE going_count <> (SELECT count(*) FROM rsvp r
                                     WHERE r.event_id = e.id AND r.status = 'going');
INSERT INTO result SELECT 'places libres et liste d''attente à la fois', count(*), count(*) = 0
  FROM event e WHERE capacity IS NOT NULL AND going_count < capacity
  AND EXISTS (SELECT 1 FROM rsvp r WHERE r.event_id = e.id AND r.status = 'waitlisted');
INSERT INTO result SELECT 'événement disputé : inscrits / capacité', going_count, going_count <= capacity
  FROM event WHERE id = $contested;
INSERT INTO result SELECT 'événement disputé : en attente', count(*), true
  FROM rsvp WHERE event_id = $contested AND status = 'waitlisted';
INSERT INTO result SELECT 'réponses acquittées : ' || kind, count(*), true FROM acked GROUP BY kind;
INSERT INTO result SELECT 'réponses acquittées perdues (post)', count(*), count(*) = 0
  FROM acked a WHERE kind = 'post' AND NOT EXISTS (
    SELECT 1 FROM post p WHERE p.body = 'Message de charge ' || a.a);
INSERT INTO result SELECT 'réponses acquittées perdues (rsvp)', count(*), count(*) = 0
  FROM (SELECT DISTINCT a, b FROM acked WHERE kind = 'rsvp') a WHERE NOT EXISTS (
    SELECT 1 FROM rsvp r WHERE r.member_id = a.a::int AND r.event_id = a.b::int
    AND r.status IN ('going', 'waitlisted'));
INSERT INTO result SELECT 'réponses acquittées perdues (vote)', count(*), count(*) = 0
  FROM (SELECT DISTINCT a, b FROM acked WHERE kind = 'vote') a WHERE NOT EXISTS (
    SELECT 1 FROM participation p JOIN ballot_choice c ON c.ballot_id = p.ballot_id
    WHERE p.member_id = a.a::int AND c.option_id = a.b::int);
INSERT INTO result SELECT 'messages écrits sans acquittement (en vol au SIGKILL)',
  count(*) - (SELECT count(*) FROM acked WHERE kind = 'post'),
  count(*) >= (SELECT count(*) FROM acked WHERE kind = 'post')
  FROM post WHERE body LIKE 'Message de charge %';
SELECT name, value, CASE WHEN ok THEN 'ok' ELSE 'ÉCHEC' END FROM result;
SQL
cat "$work/checks.txt"
failed=$(grep -c 'ÉCHEC' "$work/checks.txt" || true)
[ "$sessions_ok" = 1 ] || { echo "ÉCHEC : session non reconnue par un serveur"; failed=$((failed + 1)); }
[ "$limit_ok" = 1 ] || { echo "ÉCHEC : limite non partagée"; failed=$((failed + 1)); }
[ "$migrators" = 1 ] || { echo "ÉCHEC : $migrators serveurs ont migré"; failed=$((failed + 1)); }
if [ "$failed" = 0 ]; then
    say "Tout tient : $SERVERS serveurs, un tué pendant la charge, aucune écriture acquittée perdue."
else
    say "$failed vérification(s) en échec"; exit 1
fi
