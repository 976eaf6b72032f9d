"""The near-me list, an event page and the RSVP action run a constant number of queries."""

import gzip
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event as sa_event

from coopol.extensions import db
from tests.conftest import CERGY, ECHIROLLES, login, make_member, make_section, make_theme
from tests.events_factories import join, make_event, make_organiser


@contextmanager
def counted():
    """Count the SQL statements run inside the block."""
    statements = []

    def record(*_args):
        statements.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)


def add_events(section, theme, organiser, n, commune):
    for i in range(n):
        make_event(section, organiser, commune=commune, theme_id=theme.id,
                   starts_in=timedelta(days=1 + i), capacity=5)


def test_queries_do_not_grow_with_events_or_participants(client, section):
    other = make_section("Cergy", "95", [CERGY])
    near = make_section("Échirolles", "38", [ECHIROLLES])
    theme = make_theme()
    organiser = make_organiser(section)
    event = make_event(section, organiser, capacity=50)
    member = make_member()
    login(client, member)
    rsvp_url = f"/events/{event.id}/rsvp"  # read now: the test's own queries are not counted
    pages = ["/events/", "/events/?place=95000&commune=95127", f"/events/{event.id}", "/"]

    def measure():
        costs = []
        for page in pages:
            with counted() as statements:
                assert client.get(page).status_code == 200
            costs.append(len(statements))
        with counted() as statements:
            client.post(rsvp_url)
            client.post(rsvp_url + "/cancel")
        return costs + [len(statements)]

    def grow(n):
        add_events(section, theme, organiser, n, ECHIROLLES)
        add_events(other, theme, make_organiser(other), n, CERGY)
        add_events(near, theme, make_organiser(near), n, ECHIROLLES)
        for _ in range(n):
            join(event, make_member())

    grow(1)
    measure()  # the first RSVP creates the answer that later taps reuse
    before = measure()
    grow(8)
    assert measure() == before


def test_event_pages_stay_small(client, section):
    event = make_event(section, description="Un texte. " * 300)
    for i in range(20):
        make_event(section, title=f"Tractage numéro {i}", starts_in=timedelta(days=1 + i))
    for page in ("/events/", f"/events/{event.id}"):
        html = client.get(page).data
        assert len(gzip.compress(html)) <= 15_000
