"""The capacity holds under many simultaneous RSVPs: real parallel requests to a live server.

Runs on SQLite and, with COOPOL_TEST_DATABASE_URL, on PostgreSQL.
"""

import threading
from http.client import HTTPConnection

from sqlalchemy import func, select

from coopol.events.models import Event, Rsvp
from coopol.extensions import db
from tests.conftest import make_member, reload
from tests.events_factories import make_event

PEOPLE = 60
PLACES = 10


def session_cookie(app, member) -> str:
    """Sign the session cookie a logged-in member's browser would send."""
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": member.get_id(), "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def post_all_at_once(server, app, members, path) -> list[int]:
    """POST `path` as every member at the same moment; return the status codes."""
    barrier = threading.Barrier(len(members))
    statuses = [0] * len(members)
    cookies = [session_cookie(app, m) for m in members]

    def one(index):
        connection = HTTPConnection("127.0.0.1", server.port, timeout=60)
        barrier.wait()
        connection.request("POST", path, body="", headers={
            "Host": app.config["SERVER_NAME"], "Cookie": cookies[index],
            "Content-Type": "application/x-www-form-urlencoded"})
        statuses[index] = connection.getresponse().status
        connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(members))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def counts(event_id) -> dict:
    db.session.expire_all()
    return dict(db.session.execute(
        select(Rsvp.status, func.count()).where(Rsvp.event_id == event_id)
        .group_by(Rsvp.status)).all())


def test_parallel_rsvps_never_exceed_capacity(app, live_server, section):
    event = make_event(section, capacity=PLACES)
    members = [make_member() for _ in range(PEOPLE)]
    statuses = post_all_at_once(live_server, app, members, f"/events/{event.id}/rsvp")
    assert statuses == [303] * PEOPLE
    assert counts(event.id) == {"going": PLACES, "waitlisted": PEOPLE - PLACES}
    assert reload(Event, event.id).going_count == PLACES

    # Everyone going leaves at once: each freed place goes to exactly one waiting person.
    going = set(db.session.scalars(
        select(Rsvp.member_id).where(Rsvp.event_id == event.id, Rsvp.status == "going")))
    leavers = [m for m in members if m.id in going]
    statuses = post_all_at_once(live_server, app, leavers, f"/events/{event.id}/rsvp/cancel")
    assert statuses == [303] * PLACES
    assert counts(event.id) == {"going": PLACES, "waitlisted": PEOPLE - 2 * PLACES,
                                "cancelled": PLACES}
    assert reload(Event, event.id).going_count == PLACES


def test_the_same_member_tapping_many_times_at_once_gets_one_place(app, live_server, section):
    event = make_event(section, capacity=PLACES)
    member = make_member()
    statuses = post_all_at_once(live_server, app, [member] * 20, f"/events/{event.id}/rsvp")
    assert sorted(statuses) == [303] + [409] * 19
    assert counts(event.id) == {"going": 1}
    assert reload(Event, event.id).going_count == 1
