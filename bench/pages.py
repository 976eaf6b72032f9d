"""Time every main page and action on the national dataset, as real members see them.

Run `flask seed scale` first, on the database that COOPOL_DATABASE_URL names, then:

    COOPOL_DATABASE_URL=sqlite:///$PWD/instance/scale.sqlite3 .venv/bin/python bench/pages.py
    COOPOL_DATABASE_URL=postgresql://postgres@127.0.0.1/coopol_scale .venv/bin/python bench/pages.py

Each row is requested `--repeat` times (after one warm-up) through Flask's test client, logged
in as one of the seeded accounts: p50 and p95 of the server time, the queries of one request
(counted on the engine) and the HTML size once gzipped. Budgets (DESIGN.md): p95 ≤ 50 ms on
SQLite, a query count that does not grow with the data, HTML ≤ 15 KB gzip.
"""

import argparse
import gzip
import logging
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coopol import create_app  # noqa: E402
from coopol.consultations.models import Consultation, Option  # noqa: E402
from coopol.database import utcnow  # noqa: E402
from coopol.events.models import Event  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.geo.models import Section  # noqa: E402
from coopol.groups.models import Group, Post  # noqa: E402
from coopol.profile.models import Member, Role  # noqa: E402
from coopol.seed_scale import ACCOUNTS, SCALE_PASSWORD  # noqa: E402

BUDGET_MS, BUDGET_KB = 50, 15
HTMX = {"HX-Request": "true"}


def targets():
    """Find what the rows point at: the biggest group, a thread, an event, consultations."""
    group = db.session.scalar(select(Group).order_by(Group.member_count.desc()).limit(1))
    thread = db.session.scalar(select(Post.id).where(Post.group_id == group.id,
                                                     Post.parent_id.is_(None))
                               .order_by(Post.last_activity_at.desc()).limit(1))
    militant = db.session.scalar(select(Member).where(Member.email == ACCOUNTS[3]))
    event_ = db.session.scalar(
        select(Event.id).where(Event.section_id == militant.section_id,
                               Event.status == "scheduled", Event.capacity.is_(None),
                               Event.starts_at > utcnow())
        .order_by(Event.starts_at.desc()).limit(1))
    closed = db.session.scalar(select(Consultation.id).where(Consultation.closed_at.is_not(None))
                               .order_by(Consultation.id).limit(1))
    open_ = db.session.scalar(select(Consultation.id).where(Consultation.closed_at.is_(None))
                              .order_by(Consultation.id).limit(1))
    option = db.session.scalar(select(Option.id).where(Option.consultation_id == open_)
                               .order_by(Option.id).limit(1))
    section = db.session.scalar(select(Role.section_id).join(Member).where(
        Member.email == ACCOUNTS[1], Role.role == "secretary"))
    return {"slug": group.slug, "thread": thread, "event": event_, "closed": closed,
            "open": open_, "option": option, "section": section,
            "federation": db.session.get(Section, section).federation_code}


def rows(t):
    """Name each measured request: (label, account, method, path, form, headers[, undo]).

    An action is measured from the same state each time: a POST run unmeasured before it
    (cancel: RSVP first) or after it (RSVP: cancel after) puts the state back.
    """
    g, c, o = f"/groups/{t['slug']}", f"/consultations/{t['closed']}", f"/consultations/{t['open']}"
    tap = {"option": t["option"]}
    rsvp, cancel = f"/events/{t['event']}/rsvp", f"/events/{t['event']}/rsvp/cancel"
    v = f"{o}/vote/tap"
    add, remove = {**tap, "action": "add"}, {**tap, "action": "remove"}
    return [
        ("home", 3, "GET", "/", None, {}),
        ("my feed, page 2 (htmx)", 3, "GET", "/notify/feed?page=2", None, HTMX),
        ("notifications", 3, "GET", "/notify/", None, {}),
        ("events near me", 3, "GET", "/events/", None, {}),
        ("event page", 3, "GET", f"/events/{t['event']}", None, {}),
        ("RSVP (htmx)", 3, "POST", rsvp, {}, HTMX, None, (cancel, {})),
        ("cancel RSVP (htmx)", 3, "POST", cancel, {}, HTMX, (rsvp, {}), None),
        ("group directory", 3, "GET", "/groups/", None, {}),
        ("group search", 3, "GET", "/groups/?q=logement", None, {}),
        ("my groups", 3, "GET", "/groups/mine", None, {}),
        ("group page (2,315)", 3, "GET", g, None, {}),
        ("group members", 3, "GET", f"{g}/members", None, {}),
        ("group members, search", 3, "GET", f"{g}/members?q=mar", None, {}),
        ("group discussion", 3, "GET", f"{g}/threads", None, {}),
        ("group thread", 3, "GET", f"{g}/threads/{t['thread']}", None, {}),
        ("group members (animateur)", 2, "GET", f"{g}/members", None, {}),
        ("group requests (animateur)", 2, "GET", f"{g}/requests", None, {}),
        ("consultations", 3, "GET", "/consultations/", None, {}),
        ("vote page", 3, "GET", f"{o}/vote", None, {}),
        ("vote tap add (htmx)", 3, "POST", v, add, HTMX, None, (v, remove)),
        ("vote tap remove (htmx)", 3, "POST", v, remove, HTMX, (v, add), None),
        ("participation", 3, "GET", f"{o}/participation", None, {}),
        ("results", 3, "GET", f"{c}/results", None, {}),
        ("home (secretary)", 1, "GET", "/", None, {}),
        ("section results (secretary)", 1, "GET", f"{c}/sections/{t['section']}", None, {}),
        ("fédération page (admin)", 0, "GET", f"{c}/federations/{t['federation']}", None, {}),
        ("national report (admin)", 0, "GET", f"{c}/report", None, {}),
        ("sections (admin)", 0, "GET", "/sections", None, {}),
        ("dashboard: section (secretary)", 1, "GET", f"/dashboards/sections/{t['section']}",
         None, {}),
        ("dashboard: fédération (admin)", 0, "GET", f"/dashboards/federations/{t['federation']}",
         None, {}),
        ("dashboard: national (admin)", 0, "GET", "/dashboards/national", None, {}),
        ("dashboard: national sorted (htmx)", 0, "GET", "/dashboards/national?sort=rate",
         None, HTMX),
        ("member search: count (secretary)", 1, "GET", "/organize/?themes=1", None, {}),
        ("member search: count (htmx)", 1, "GET", "/organize/?themes=1&seen=30", None, HTMX),
        ("member search: names (secretary)", 1, "GET", "/organize/members?themes=1", None, {}),
        ("member search: national count (admin)", 0, "GET", "/organize/?themes=1", None, {}),
        ("healthz (floor)", 3, "GET", "/healthz", None, {}),
    ]


def login(app, email):
    client = app.test_client()
    answer = client.post("/auth/login", data={"email": email, "password": SCALE_PASSWORD})
    if answer.status_code != 303:
        sys.exit(f"Connexion impossible pour {email} : lance d'abord « flask seed scale ».")
    return client


def measure(client, counter, request, repeat):
    """Run one row `repeat` times after a warm-up: p50, p95, CPU p50, queries, size, status.

    The CPU time is this process's (Python and SQLite, not PostgreSQL's server): unlike the
    wall-clock time it does not grow when other programs share the cores.
    """
    method, path, form, headers, *undo = request
    before, after = (undo + [None, None])[:2]
    times, cpu = [], []
    for n in range(repeat + 1):
        if before:
            client.post(before[0], data=before[1], headers=headers)
        counter[0] = 0
        started, used = time.perf_counter(), time.process_time()
        answer = client.open(path, method=method, data=form, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        used = (time.process_time() - used) * 1000
        queries = counter[0]
        if after:
            client.post(after[0], data=after[1], headers=headers)
        if n:  # the first request warms the caches up
            times.append(elapsed)
            cpu.append(used)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    size = len(gzip.compress(answer.get_data()))
    return (statistics.median(times), p95, statistics.median(cpu), queries, size,
            answer.status_code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", help="Only the rows whose label contains this text.")
    parser.add_argument("--cold", action="store_true",
                        help="Compute dashboards on every request (no DASHBOARD_CACHE_SECONDS).")
    args = parser.parse_args()
    url = os.environ.get("COOPOL_DATABASE_URL")
    if not url:
        sys.exit("Indique la base du jeu national dans COOPOL_DATABASE_URL.")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False,
                      **({"DASHBOARD_CACHE_SECONDS": 0} if args.cold else {})})
    logging.getLogger("coopol.request").setLevel(logging.WARNING)  # one line per request
    counter = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *_a: counter.__setitem__(0, counter[0] + 1))
        found = targets()
        db.session.remove()
    clients = {n: login(app, email) for n, email in enumerate(ACCOUNTS)}
    print(f"database: {url.split(':')[0]}, repeat: {args.repeat}, "
          f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| page | as | p50 ms | p95 ms | CPU p50 ms | queries | KB gzip | status | budget |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    who = ("admin", "secretary", "animateur", "member")
    for label, account, *request in rows(found):
        if args.only and args.only not in label:
            continue
        p50, p95, cpu, queries, size, status = measure(clients[account], counter, request,
                                                  args.repeat)
        ok = p95 <= BUDGET_MS and size <= BUDGET_KB * 1024 and status < 400
        print(f"| {label} | {who[account]} | {p50:.1f} | {p95:.1f} | {cpu:.1f} | {queries} | "
              f"{size / 1024:.1f} | {status} | {'ok' if ok else 'OVER'} |", flush=True)


if __name__ == "__main__":
    main()
