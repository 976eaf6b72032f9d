"""Events hosted by groups: animateurs run them, the group page, the list and a feed show them."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from coopol.events.models import Event
from coopol.extensions import db
from tests.conftest import CERGY, GRENOBLE, login, make_section, reload
from tests.events_factories import event_form, make_event, make_organiser
from tests.groups_factories import HX, add_member, make_group, new_member, text


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


@pytest.fixture
def world():
    """A Grenoble section, a local group and a national one with the same animateur (who has
    no organiser role), and a plain member of the local group."""
    section = make_section()
    animateur, member = new_member(), new_member()
    group = make_group("Quartier Berriat", creator=animateur, section=section)
    national = make_group("Jeunes pour le climat", creator=animateur)
    add_member(group, member)
    return {"section": section, "animateur": animateur, "member": member, "group": group,
            "national": national}


def _events() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Event))


def _group_form(section, group, **overrides):
    data = event_form(section, group_id=str(group.id), **overrides)
    data.pop("section_id")
    return data


def test_animateur_creates_an_event_for_their_group(client, world):
    login(client, world["animateur"])
    page = text(client.get(f"/events/new?group={world['group'].id}"))
    assert "Groupe qui organise" in page and "Quartier Berriat" in page
    assert f'selected value="{world["group"].id}"' in page
    response = client.post("/events/new", data=_group_form(world["section"], world["group"]))
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    assert (event.group_id, event.section_id, event.organiser_id) == (
        world["group"].id, world["section"].id, world["animateur"].id)
    html = text(client.get(response.location))
    assert "Quartier Berriat" in html and f"/events/groups/{world['group'].slug}/calendar.ics" \
        in html


def test_a_national_groups_event_belongs_to_the_section_of_its_commune(client, world):
    login(client, world["animateur"])
    response = client.post("/events/new", data=_group_form(world["section"], world["national"]))
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    assert (event.group_id, event.section_id) == (world["national"].id, world["section"].id)


def test_a_national_group_cannot_host_where_there_is_no_section(client, world):
    login(client, world["animateur"])
    response = client.post("/events/new", data=_group_form(
        world["section"], world["national"], place="95000", commune=CERGY))
    assert response.status_code == 422
    assert "Cette commune n'a pas encore de section" in text(response)
    assert _events() == 0


@pytest.mark.parametrize("who", ["member", "other_animateur"])
def test_only_the_groups_animateurs_host_for_it(client, world, who):
    person = world["member"] if who == "member" else new_member()
    if who == "other_animateur":
        make_group("Autre", creator=person)
    login(client, person)
    response = client.post("/events/new", data=_group_form(world["section"], world["group"]))
    assert response.status_code == (403 if who == "member" else 422)
    if who == "other_animateur":
        assert "Tu n'animes pas ce groupe." in text(response)
    assert _events() == 0


def test_an_archived_group_hosts_no_new_event(client, world):
    world["group"].archived_at = world["group"].created_at
    db.session.commit()
    login(client, world["animateur"])
    response = client.post("/events/new", data=_group_form(world["section"], world["group"]))
    assert response.status_code == 422
    assert _events() == 0


def test_an_organiser_still_hosts_for_the_section_only(client, world):
    organiser = make_organiser(world["section"])
    login(client, organiser)
    assert "Groupe qui organise" not in text(client.get("/events/new"))
    response = client.post("/events/new", data=event_form(world["section"]))
    assert response.status_code == 303
    assert db.session.scalar(select(Event.group_id)) is None


@pytest.mark.parametrize("path", ["/edit", "/participants", "/message"])
def test_animateurs_run_their_groups_events_and_others_do_not(client, world, path):
    event = make_event(world["section"], group_id=world["group"].id)
    login(client, world["animateur"])
    assert client.get(f"/events/{event.id}{path}").status_code == 200
    for outsider in (world["member"], new_member()):
        login(client, outsider)
        assert client.get(f"/events/{event.id}{path}").status_code == 403


def test_animateur_cancels_their_groups_event_and_a_member_cannot(client, world):
    event = make_event(world["section"], group_id=world["group"].id)
    login(client, world["member"])
    assert client.post(f"/events/{event.id}/cancel").status_code == 403
    assert reload(Event, event.id).status == "scheduled"
    login(client, world["animateur"])
    assert client.post(f"/events/{event.id}/cancel").status_code == 303
    assert reload(Event, event.id).status == "cancelled"


def test_group_page_shows_its_next_events_only(client, world):
    section, group = world["section"], world["group"]
    make_event(section, group_id=group.id, title="Porte-à-porte Berriat")
    make_event(section, group_id=group.id, title="Réunion interne", visibility="members")
    make_event(section, group_id=group.id, title="Annulé", status="cancelled")
    make_event(section, group_id=group.id, title="Passé", starts_in=timedelta(days=-3))
    make_event(section, group_id=world["national"].id, title="Marche climat")
    make_event(section, title="Tractage de section")
    login(client, world["member"])
    html = text(client.get(f"/groups/{group.slug}"))
    assert "Prochains événements du groupe" in html
    assert "Porte-à-porte Berriat" in html and "Réunion interne" in html
    for absent in ("Annulé", "Passé", "Marche climat", "Tractage de section",
                   "Organiser un événement", "Tous ses événements"):
        assert absent not in html
    login(client, world["animateur"])
    html = text(client.get(f"/groups/{group.slug}"))
    assert f"/events/new?group={group.id}" in html


def test_group_page_events_are_bounded_and_cost_constant_queries(client, world):
    section, group = world["section"], world["group"]
    slug = group.slug  # read now: the test's own session must not query inside the count
    login(client, world["member"])

    def measure():
        with counted() as statements:
            assert client.get(f"/groups/{slug}").status_code == 200
        return len(statements)

    make_event(section, group_id=group.id)
    measure()  # the first visit of the hour also records when the member was last seen
    few = measure()
    for i in range(12):
        make_event(section, group_id=group.id, title=f"Action {i}",
                   starts_in=timedelta(days=4 + i))
    assert measure() == few
    html = text(client.get(f"/groups/{group.slug}"))
    assert html.count('href="/events/') - html.count("/events/new") - html.count(
        "/events/groups/") - html.count("/events/?") <= 5 + 1
    assert "Tous ses événements" in html and f"/events/?group={group.slug}" in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_events_list_filters_by_group(client, world, headers):
    section, group = world["section"], world["group"]
    make_event(section, group_id=group.id, title="Porte-à-porte Berriat")
    make_event(section, group_id=group.id, title="Réunion interne", visibility="members")
    make_event(section, title="Tractage de section")
    response = client.get(f"/events/?group={group.slug}", headers=headers)
    assert response.status_code == 200
    html = text(response)
    assert ("<html" in html) != bool(headers)
    assert "Porte-à-porte Berriat" in html
    assert "Réunion interne" not in html and "Tractage de section" not in html
    login(client, world["member"])
    html = text(client.get(f"/events/?group={group.slug}", headers=headers))
    assert "Porte-à-porte Berriat" in html and "Réunion interne" in html
    assert "Tractage de section" not in html
    page = text(client.get("/events/"))
    assert "Tractage de section" in page and f'value="{group.slug}"' in page


def test_unknown_group_filter_is_404(client, world):
    assert client.get("/events/?group=pas-un-groupe").status_code == 404


def test_group_calendar_feed_has_its_public_events(client, world):
    section, group = world["section"], world["group"]
    make_event(section, group_id=group.id, title="Porte-à-porte Berriat")
    make_event(section, group_id=group.id, title="Réunion interne", visibility="members")
    make_event(section, title="Tractage de section")
    response = client.get(f"/events/groups/{group.slug}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "Porte-à-porte Berriat" in body and "X-WR-CALNAME:Quartier Berriat" in body
    assert "Réunion interne" not in body and "Tractage de section" not in body
    assert client.get("/events/groups/pas-un-groupe/calendar.ics").status_code == 404


def test_duplicate_keeps_the_host_group(client, world):
    event = make_event(world["section"], group_id=world["group"].id)
    login(client, world["animateur"])
    page = text(client.get(f"/events/new?from={event.id}"))
    assert f'selected value="{world["group"].id}"' in page


def test_event_cards_name_the_host_group(client, world):
    make_event(world["section"], group_id=world["group"].id, title="Porte-à-porte Berriat",
               commune=GRENOBLE)
    login(client, world["member"])
    html = text(client.get("/events/"))
    assert "Quartier Berriat · Grenoble" in html
