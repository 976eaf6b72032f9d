"""Events: create, edit, cancel and duplicate; who may; what is on near me."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from coopol import mail
from coopol.events import service
from coopol.events.models import Event
from coopol.extensions import db
from tests.conftest import (
    CERGY,
    ECHIROLLES,
    GRENOBLE,
    login,
    make_member,
    make_section,
    make_theme,
    reload,
)
from tests.events_factories import event_form, join, make_event, make_organiser, paris_input

HX = {"HX-Request": "true"}
SAINT_MARTIN = "38421"
VIENNE = "38544"


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


# --- create ----------------------------------------------------------------------------------


def test_organiser_creates_event_with_paris_time_stored_in_utc(client, section):
    organiser = make_organiser(section)
    login(client, organiser)
    assert client.get("/events/new").status_code == 200
    data = event_form(section, capacity="3", visibility="members",
                      online_url="https://visio.exemple.fr/ag")
    response = client.post("/events/new", data=data)
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    assert response.location.endswith(f"/events/{event.id}")
    local = datetime.strptime(data["starts_at"], "%Y-%m-%dT%H:%M")
    assert service.to_paris(event.starts_at) == local
    assert event.starts_at != local  # Paris is never at UTC
    assert (event.capacity, event.visibility, event.organiser_id) == (3, "members", organiser.id)
    assert event.commune_insee == GRENOBLE and event.section_id == section.id
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<strong>le journal</strong>" in page
    assert local.strftime("%H:%M") in page


def test_admin_may_create_for_any_section(admin_client):
    other = make_section("Cergy", "95", [CERGY])
    data = event_form(other, place="95000", commune=CERGY)
    assert admin_client.post("/events/new", data=data).status_code == 303
    assert db.session.scalar(select(Event.section_id)) == other.id


def test_member_without_organiser_role_cannot_create(member_client, section):
    assert member_client.get("/events/new").status_code == 403
    assert member_client.post("/events/new", data=event_form(section)).status_code == 403
    assert event_count() == 0


def test_organiser_cannot_host_for_another_section(client, section):
    other = make_section("Cergy", "95", [CERGY])
    login(client, make_organiser(section))
    response = client.post("/events/new", data=event_form(other))
    assert response.status_code == 422
    assert "Tu ne peux pas organiser pour cette section." in response.get_data(as_text=True)
    assert event_count() == 0


def test_anonymous_is_sent_to_login_to_create(client, section):
    response = client.post("/events/new", data=event_form(section))
    assert response.status_code == 302 and "/auth/login" in response.location
    response = client.post("/events/new", data=event_form(section), headers=HX)
    assert response.status_code == 401 and "/auth/login" in response.headers["HX-Redirect"]
    assert event_count() == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Donne un titre"),
    ({"ends_at": paris_input(timedelta(days=4))}, "La fin doit venir après le début."),
    ({"starts_at": paris_input(timedelta(days=-1)), "ends_at": paris_input(timedelta(hours=1))},
     "Cette date est passée"),
    ({"starts_at": "demain"}, "Début"),
    ({"capacity": "0"}, "Indique au moins 1 place."),
    ({"place": "99999", "commune": ""}, "Aucune commune ne correspond"),
    ({"online_url": "javascript:alert(1)"}, "est pas valide (https"),
    ({"kind": "fete"}, "Le formulaire contient des erreurs"),
    ({"theme_id": "999999"}, "existe pas."),
])
def test_create_bad_input_is_refused_and_nothing_saved(client, section, overrides, message):
    login(client, make_organiser(section))
    response = client.post("/events/new", data=event_form(section, **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Le formulaire contient des erreurs" in html
    assert event_count() == 0


# --- edit, cancel, duplicate -----------------------------------------------------------------


def test_edit_keeps_capacity_above_attendance_and_promotes_when_raised(client, section,
                                                                        sent_mail):
    organiser = make_organiser(section)
    event = make_event(section, organiser, capacity=2)
    people = [make_member() for _ in range(3)]
    for person in people:
        join(event, person)
    login(client, organiser)
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert service.to_paris(event.starts_at).strftime("%Y-%m-%dT%H:%M") in form
    data = event_form(section, capacity="1",
                      starts_at=service.to_paris(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
                      ends_at=service.to_paris(event.ends_at).strftime("%Y-%m-%dT%H:%M"))
    response = client.post(f"/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert "2 personnes viennent déjà" in response.get_data(as_text=True)
    assert reload(Event, event.id).capacity == 2
    data["capacity"] = "5"
    data["title"] = "Tractage, on double"
    assert client.post(f"/events/{event.id}/edit", data=data).status_code == 303
    event = reload(Event, event.id)
    assert (event.title, event.capacity, event.going_count) == ("Tractage, on double", 5, 3)
    mail.work_once()
    assert [m["To"] for m in sent_mail] == [people[2].email]


def test_past_event_keeps_its_start_when_edited(client, section):
    organiser = make_organiser(section)
    event = make_event(section, organiser, starts_in=timedelta(hours=-1), hours=3)
    login(client, organiser)
    data = event_form(section, title="Déjà commencé",
                      starts_at=service.to_paris(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
                      ends_at=service.to_paris(event.ends_at).strftime("%Y-%m-%dT%H:%M"))
    assert client.post(f"/events/{event.id}/edit", data=data).status_code == 303
    assert reload(Event, event.id).title == "Déjà commencé"


@pytest.mark.parametrize("path", ["/edit", "/cancel", "/participants", "/participants.csv",
                                  "/message", "/report"])
def test_other_members_cannot_run_an_event(client, section, path):
    event = make_event(section, make_organiser(section))
    other_section = make_section("Cergy", "95", [CERGY])
    for intruder in (make_member(), make_organiser(other_section)):
        login(client, intruder)
        method = client.post if path == "/cancel" else client.get
        assert method(f"/events/{event.id}{path}").status_code == 403
    assert reload(Event, event.id).status == "scheduled"


def test_cancel_tells_participants_and_page_says_cancelled(client, section, sent_mail):
    organiser = make_organiser(section)
    event = make_event(section, organiser, capacity=1)
    going, waiting = make_member(), make_member()
    join(event, going)
    join(event, waiting)
    login(client, organiser)
    response = client.post(f"/events/{event.id}/cancel")
    assert response.status_code == 303
    assert reload(Event, event.id).status == "cancelled"
    mail.work_once()
    assert sorted(m["To"] for m in sent_mail) == sorted([going.email, waiting.email])
    assert all("Annulé" in m["Subject"] for m in sent_mail)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Cet événement est annulé." in page
    again = client.post(f"/events/{event.id}/cancel")
    assert again.status_code == 409
    assert "déjà annulé ou passé" in again.get_data(as_text=True)


def test_duplicate_prefills_everything_but_dates(client, section):
    organiser = make_organiser(section)
    event = make_event(section, organiser, title="Porte-à-porte Mistral", kind="porte_a_porte",
                       capacity=8, address="Place des Géants")
    login(client, organiser)
    html = client.get(f"/events/new?from={event.id}").get_data(as_text=True)
    assert 'value="Porte-à-porte Mistral"' in html and 'value="Place des Géants"' in html
    assert 'selected value="porte_a_porte"' in html
    assert re.search(r'name="starts_at"[^>]*value=""', html)
    login(client, make_member())
    assert client.get(f"/events/new?from={event.id}").status_code == 403


# --- near me ---------------------------------------------------------------------------------


def test_near_me_lists_rings_soonest_first_and_each_event_once(client):
    section = make_section("Grenoble", "38", [GRENOBLE, SAINT_MARTIN])
    echirolles = make_section("Échirolles", "38", [ECHIROLLES])
    cergy = make_section("Cergy", "95", [CERGY])
    vienne = make_section("Vienne", "38", [VIENNE])
    days = timedelta(days=1)
    made = [
        make_event(cergy, commune=CERGY, title="Loin", starts_in=1 * days),
        make_event(vienne, commune=VIENNE, title="Département", starts_in=2 * days),
        make_event(echirolles, commune=ECHIROLLES, title="Métropole", starts_in=3 * days),
        make_event(section, commune=SAINT_MARTIN, title="Section", starts_in=4 * days),
        make_event(section, title="Commune tard", starts_in=6 * days),
        make_event(section, title="Commune tôt", starts_in=5 * days),
        make_event(section, title="Passé", starts_in=-3 * days),
        make_event(section, title="Annulé", status="cancelled"),
    ]
    assert made
    login(client, make_member(commune=GRENOBLE))
    html = client.get("/events/").get_data(as_text=True)
    order = ["Dans ta commune", "Commune tôt", "Commune tard", "Dans ta section", "Section",
             "Dans ton intercommunalité", "Métropole", "Dans ton département", "Département",
             "Ailleurs", "Loin"]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Passé" not in html and "Annulé</a>" not in html
    assert html.count("Commune tôt") == 1


def test_visitor_types_a_postal_code_and_sees_only_public_events(client):
    grenoble = make_section("Grenoble", "38", [GRENOBLE])
    cergy = make_section("Cergy", "95", [CERGY])
    make_event(grenoble, title="Tractage public", starts_in=timedelta(days=3))
    make_event(grenoble, title="Réunion interne", visibility="members")
    make_event(cergy, commune=CERGY, title="À Cergy", starts_in=timedelta(days=1))
    response = client.get("/events/?place=38000")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Réunion interne" not in html
    assert html.index("Dans ta commune") < html.index("Tractage public") < html.index("À Cergy")
    assert "openstreetmap" not in html  # the map link is on the event page
    fragment = client.get("/events/?place=38000", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'id="results"' in fragment.get_data(as_text=True)


def test_unknown_commune_is_a_clear_422(client):
    response = client.get("/events/?place=99999")
    assert response.status_code == 422
    assert "Aucune commune ne correspond" in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("kind=formation", "Formation", "Tractage"),
    ("when=today", "Tractage", "Formation"),
    ("theme=THEME", "Formation", "Tractage"),
])
def test_filters_by_kind_date_and_theme(client, section, query, shown, hidden):
    theme = make_theme("Logement")
    make_event(section, title="Tractage", starts_in=timedelta(minutes=5), hours=1)
    make_event(section, title="Formation", kind="formation", theme_id=theme.id,
               starts_in=timedelta(days=40))
    html = client.get("/events/?" + query.replace("THEME", str(theme.id))).get_data(as_text=True)
    assert f">{shown}</a>" in html and f">{hidden}</a>" not in html


def test_event_page_has_open_graph_and_map_link(client, section):
    event = make_event(section, address="Place Victor Hugo", description="Viens *nombreux*")
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert '<meta property="og:title" content="Tractage au marché">' in html
    assert f'content="http://coopol.test/events/{event.id}"' in html
    assert "https://www.openstreetmap.org/search?query=Place%20Victor%20Hugo%20Grenoble" in html
    assert "<em>nombreux</em>" in html


def test_members_only_event_asks_visitor_to_log_in(client, section):
    event = make_event(section, visibility="members", description="<script>x</script>")
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 302 and "/auth/login" in response.location
    login(client, make_member())
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<script>x</script>" not in html and "og:title" not in html
    assert client.get("/events/999999").status_code == 404


def test_home_page_shows_events_near_me_and_my_rsvps(client, section):
    near = make_event(section, title="Près de chez moi")
    mine = make_event(section, title="J'y vais", starts_in=timedelta(days=9))
    member = make_member()
    join(mine, member)
    login(client, member)
    html = client.get("/").get_data(as_text=True)
    assert near.title in html
    assert html.count("J&#39;y vais") == 1  # near me and in my RSVPs: once in the feed
