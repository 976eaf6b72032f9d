"""Nothing acknowledged is lost: kill the server (SIGKILL) in the middle of a write load of
RSVPs, votes and posts, then check that every write it acknowledged is there and that the
database is consistent (counters, capacity). On SQLite and PostgreSQL."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import func, select

from coopol.consultations.models import Participation
from coopol.events.models import Event, Rsvp
from coopol.extensions import db
from coopol.groups.models import Group, Post
from tests.conftest import PASSWORD, make_member, make_section
from tests.consultations_factories import make_consultation, option_ids
from tests.events_factories import make_event
from tests.groups_factories import add_member, make_group

CYCLES = 3
WORKERS = 6
ROOT = Path(__file__).resolve().parent.parent


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 303 is the acknowledgement; do not follow it


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(url: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own test server
        [sys.executable, str(ROOT / "tests" / "crash_server.py"), url, str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def _opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                       NoRedirect)


def _post(opener, url: str, data: dict) -> int:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    try:
        with opener.open(url, body, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _worker(base, email, member_id, targets, acked, stop):
    """Log in, then write until the server dies; note every write the server acknowledged."""
    opener = _opener()
    try:
        if _post(opener, f"{base}/auth/login", {"email": email, "password": PASSWORD}) != 303:
            return
        n = 0
        while not stop.is_set():
            n += 1
            title = f"crash-{member_id}-{n}"
            if _post(opener, f"{base}/groups/{targets['slug']}/threads/new",
                     {"title": title, "body": "Message écrit pendant le test."}) == 303:
                acked["posts"].append(title)
            event_id = targets["events"][n % len(targets["events"])]
            if _post(opener, f"{base}/events/{event_id}/rsvp", {}) in (200, 303):
                acked["rsvps"].append((event_id, member_id))
            ranking = {f"rank-{oid}": rank for rank, oid in enumerate(targets["options"], 1)}
            if _post(opener, f"{base}/consultations/{targets['consultation']}/vote",
                     ranking) == 303:
                acked["votes"].append(member_id)
    except (OSError, urllib.error.URLError):
        return  # the server was killed mid-request: that write was never acknowledged


def test_acknowledged_writes_survive_sigkill(app):
    section = make_section()
    members = [make_member() for _ in range(WORKERS)]
    group = make_group(section=section)
    for member in members:
        add_member(group, member)
    events = [make_event(section, capacity=3).id for _ in range(2)]
    consultation = make_consultation()
    targets = {"slug": group.slug, "events": events, "consultation": consultation.id,
               "options": list(option_ids(consultation).values())[:3]}
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    people = [(m.email, m.id) for m in members]
    acked = {"posts": [], "rsvps": [], "votes": []}
    for _cycle in range(CYCLES):
        port = _port()
        server = _start(url, port)
        stop = threading.Event()
        threads = [threading.Thread(target=_worker, args=(
            f"http://127.0.0.1:{port}", email, member_id, targets, acked, stop))
            for email, member_id in people]
        for thread in threads:
            thread.start()
        # Kill once the load is under way: some writes acknowledged in this cycle, at most 60 s.
        before = sum(len(v) for v in acked.values())
        deadline = time.monotonic() + 60
        while sum(len(v) for v in acked.values()) < before + 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(server.pid, signal.SIGKILL)  # no clean shutdown, mid-write
        server.wait()
        stop.set()
        for thread in threads:
            thread.join(10)
    db.session.remove()
    titles = set(db.session.scalars(select(Post.title).where(Post.group_id == group.id)))
    assert acked["posts"] and set(acked["posts"]) <= titles
    print(f"{CYCLES} kills; acknowledged and found again: {len(acked['posts'])} posts, "
          f"{len(acked['rsvps'])} RSVPs, {len(acked['votes'])} votes")
    rsvps = set(db.session.execute(select(Rsvp.event_id, Rsvp.member_id).where(
        Rsvp.status.in_(("going", "waitlisted")))).all())
    assert acked["rsvps"] and set(acked["rsvps"]) <= rsvps
    voters = set(db.session.scalars(select(Participation.member_id).where(
        Participation.consultation_id == consultation.id)))
    assert acked["votes"] and set(acked["votes"]) <= voters
    for event in db.session.scalars(select(Event).where(Event.id.in_(events))):
        going = db.session.scalar(select(func.count()).select_from(Rsvp).where(
            Rsvp.event_id == event.id, Rsvp.status == "going"))
        assert event.going_count == going <= event.capacity
    assert db.session.get(Group, group.id).member_count == WORKERS + 1
