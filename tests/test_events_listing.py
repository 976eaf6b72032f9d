"""The events-near-me list as plain rows and cached cards: never stale, never leaking."""

from datetime import timedelta

import pytest
from flask import render_template_string
from flask_babel import refresh

from coopol.events import listing
from coopol.extensions import db
from coopol.fragments import FragmentCache, form_key
from coopol.profile import blocking
from tests.conftest import GRENOBLE, login, make_member, make_theme
from tests.events_factories import join, make_event, make_organiser
from tests.groups_factories import add_member, make_group

HX = {"HX-Request": "true"}


def test_a_card_shows_a_new_head_count_title_and_time_at_once(client, section):
    event = make_event(section, title="Tractage au marché")
    login(client, make_member())
    assert "0 personnes viennent" in client.get("/events/").get_data(as_text=True)
    join(event, make_member())
    html = client.get("/events/").get_data(as_text=True)
    assert "1 personne vient" in html and "0 personnes viennent" not in html
    event.title, event.capacity = "Porte-à-porte Mistral", 12
    event.starts_at += timedelta(days=1)
    db.session.commit()
    html = client.get("/events/").get_data(as_text=True)
    assert "Porte-à-porte Mistral" in html and "Tractage au marché" not in html
    assert "1 / 12 places prises" in html
    assert event.starts_at.isoformat() in html


def test_organiser_name_shows_to_members_only_even_once_cached(client, app, section):
    organiser = make_organiser(section, name="Nadia Dufour")
    make_event(section, organiser=organiser)
    login(client, make_member())
    assert "Par Nadia Dufour" in client.get("/events/").get_data(as_text=True)
    visitor = app.test_client()
    html = visitor.get("/events/?place=38000").get_data(as_text=True)
    assert "Tractage au marché" in html and "Nadia Dufour" not in html


def test_cards_follow_the_readers_language(client, section):
    make_event(section)
    login(client, make_member())
    assert "Tractage" in client.get("/events/").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/events/"})
    html = client.get("/events/").get_data(as_text=True)
    assert "Leafleting" in html and "0 people coming" in html


def test_filters_keep_what_was_chosen_and_say_what_is_wrong(client, section):
    theme = make_theme("Logement")
    make_event(section, title="Formation", kind="formation", theme_id=theme.id)
    login(client, make_member())
    first = client.get("/events/?kind=formation").get_data(as_text=True)
    assert '<option selected value="formation">' in first
    second = client.get(f"/events/?kind=tractage&theme={theme.id}").get_data(as_text=True)
    assert '<option selected value="tractage">' in second
    assert f'<option selected value="{theme.id}">' in second
    assert '<option selected value="formation">' not in second
    wrong = client.get("/events/?place=99999")
    assert wrong.status_code == 422
    assert 'aria-invalid="true"' in wrong.get_data(as_text=True)
    right = client.get("/events/?place=38000").get_data(as_text=True)
    assert 'aria-invalid="true"' not in right and '<option value="38185"' in right


def test_my_groups_are_offered_as_filters_of_my_list_only(app, client, section):
    group = make_group("Quartiers populaires", section=section)
    mine = make_member()
    add_member(group, mine)
    login(client, mine)
    assert ">Quartiers populaires</option>" in client.get("/events/").get_data(as_text=True)
    other = app.test_client()
    login(other, make_member())
    assert "Quartiers populaires" not in other.get("/events/").get_data(as_text=True)


def test_pages_count_only_the_events_that_show(app, client, section):
    organiser = make_organiser(section)
    blocked = make_organiser(section)
    for n in range(3):
        make_event(section, organiser=organiser, title=f"Visible {n}",
                   starts_in=timedelta(days=n + 1))
    make_event(section, organiser=blocked, title="Caché")
    blocking.block(make_member(roles=[("admin", None)]), blocked, "spam")
    db.session.commit()
    login(client, make_member())
    app.config["PAGE_SIZE"] = 2
    try:
        first = client.get("/events/").get_data(as_text=True)
        second = client.get("/events/?page=2").get_data(as_text=True)
        beyond = client.get("/events/?page=9")
    finally:
        app.config["PAGE_SIZE"] = 20
    assert "Page 1 sur 2" in first and "Visible 0" in first and "Visible 1" in first
    assert "Page 2 sur 2" in second and "Visible 2" in second and "Visible 0" not in second
    assert "Caché" not in first + second
    assert beyond.status_code == 200
    assert "Aucun événement à venir" in beyond.get_data(as_text=True)


def test_upcoming_condition_matches_the_general_one(app, section):
    """For events still to come, `upcoming_shown` keeps exactly the events `shown` keeps."""
    from sqlalchemy import select

    from coopol.database import utcnow
    from coopol.events.models import Event
    from coopol.events.service import shown, upcoming_shown

    kept = make_organiser(section)
    blocked = make_organiser(section)
    events = [make_event(section, organiser=who, starts_in=timedelta(days=d))
              for who in (kept, blocked, None) for d in (1, 2)]
    blocking.block(make_member(roles=[("admin", None)]), blocked, "spam")
    db.session.commit()
    now = utcnow()
    ids = [e.id for e in events]
    general = set(db.session.scalars(select(Event.id).where(
        Event.id.in_(ids), Event.ends_at >= now, shown())))
    upcoming = set(db.session.scalars(select(Event.id).where(
        Event.id.in_(ids), upcoming_shown(now))))
    assert general == upcoming == {e.id for e in events if e.organiser_id != blocked.id}


def test_fragment_cache_is_bounded_and_keyed_by_language(app):
    cache = FragmentCache("events/_card.html", maxsize=2)
    card = listing.Card(1, "tractage", "Un", listing.utcnow(), "", "scheduled", None, 0,
                        GRENOBLE, "Grenoble", None, "38", 1, "Grenoble", None, None)
    with app.test_request_context("/events/"):
        for n in range(3):
            one = card._replace(id=n + 1, title=f"Titre {n}")
            assert f"Titre {n}" in cache.render(one, event=one)
        assert len(app.extensions["coopol.fragments"][cache]) == 2
    with app.test_request_context("/events/", headers={"Accept-Language": "en"}):
        refresh()  # the test's app context outlives a request's: forget its language
        assert "Leafleting" in cache.render(card, event=card)


@pytest.mark.parametrize("kind", ["formation", "reunion"])
def test_form_key_changes_with_data_choices_and_errors(app, kind):
    from coopol.events.forms import FilterForm

    with app.test_request_context(f"/events/?kind={kind}"):
        from flask import request
        form = FilterForm(request.args, meta={"csrf": False})
        form.theme.choices = []
        key = form_key(form)
        form.theme.choices = [("1", "Logement")]
        assert form_key(form) != key
        key = form_key(form)
        form.place.errors = ["Aucune commune"]
        assert form_key(form) != key
        assert render_template_string("{{ filters_html(form) }}", form=form).count(
            f'<option selected value="{kind}">') == 1


def test_create_button_shows_to_those_who_may_host(app, client, section):
    """Organisers, admins and animateurs of an active group see it; others do not, also a
    member in more groups than the filter offers who animates none of them, nor one of them
    beyond the list (then the look-up decides)."""
    from coopol.events import views

    def sees_button(member) -> bool:
        visitor = app.test_client()
        login(visitor, member)
        return "Créer un événement" in visitor.get("/events/").get_data(as_text=True)

    animateur = make_member()
    add_member(make_group(section=section), animateur, role="animateur")
    archived = make_member()
    old = make_group(section=section)
    add_member(old, archived, role="animateur")
    old.archived_at = listing.utcnow()
    many, many_animates = make_member(), make_member()
    for n in range(views.MY_GROUPS_OFFERED + 2):
        group = make_group(section=section)
        add_member(group, many)
        add_member(group, many_animates, role="animateur" if n == 0 else "member")
    db.session.commit()
    assert sees_button(make_organiser(section))
    assert sees_button(make_member(roles=[("admin", None)]))
    assert sees_button(animateur)
    assert sees_button(many_animates)
    assert not sees_button(make_member())
    assert not sees_button(archived)
    assert not sees_button(many)
    assert "Créer un événement" not in client.get("/events/").get_data(as_text=True)
