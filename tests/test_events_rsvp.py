"""RSVP in one tap, the waiting list and its promotions, guests confirmed by a mailed link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coopol import mail
from coopol.events.models import Event, Rsvp
from coopol.extensions import db
from tests.conftest import login, make_member, reload
from tests.events_factories import make_event, make_organiser

HX = {"HX-Request": "true"}


def rsvp_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Rsvp))


def text_of(message) -> str:
    """The plain-text part of a mail (a guest's confirmation also has an HTML part)."""
    return message.get_body(("plain",)).get_content()


def link_in(message) -> str:
    return re.search(r"http://coopol\.test(/\S+)", text_of(message)).group(1)


@pytest.mark.parametrize("htmx", [False, True])
def test_member_rsvps_and_cancels_in_one_tap(client, section, htmx):
    event = make_event(section)
    member = make_member()
    login(client, member)
    headers = HX if htmx else {}
    response = client.post(f"/events/{event.id}/rsvp", headers=headers)
    rsvp = db.session.scalar(select(Rsvp))
    assert rsvp.status == "going" and len(rsvp.code) == 6
    assert reload(Event, event.id).going_count == 1
    if htmx:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html
        assert 'id="rsvp"' in html and "Je ne viens plus" in html and rsvp.code in html
        assert 'hx-swap-oob="true"' in html and "tu viens" in html
    else:
        assert response.status_code == 303
        assert "Je ne viens plus" in client.get(response.location).get_data(as_text=True)
    response = client.post(f"/events/{event.id}/rsvp/cancel", headers=headers)
    assert response.status_code == (200 if htmx else 303)
    assert reload(Rsvp, rsvp.id).status == "cancelled"
    assert reload(Event, event.id).going_count == 0
    # Coming back reuses the same answer and code.
    client.post(f"/events/{event.id}/rsvp")
    assert (rsvp_count(), reload(Rsvp, rsvp.id).status) == (1, "going")


def test_full_event_waitlists_and_a_cancellation_promotes_the_first(client, section,
                                                                     sent_mail):
    """As an organiser would try it: 3 places, fill them, watch the waiting list move."""
    event = make_event(section, make_organiser(section), capacity=3)
    people = [make_member() for _ in range(5)]
    statuses = []
    for person in people:
        login(client, person)
        client.post(f"/events/{event.id}/rsvp")
        statuses.append(db.session.scalar(
            select(Rsvp.status).where(Rsvp.member_id == person.id)))
    assert statuses == ["going"] * 3 + ["waitlisted"] * 2
    assert reload(Event, event.id).going_count == 3
    login(client, people[1])
    client.post(f"/events/{event.id}/rsvp/cancel")
    by_member = dict(db.session.execute(select(Rsvp.member_id, Rsvp.status)).all())
    assert by_member[people[3].id] == "going" and by_member[people[4].id] == "waitlisted"
    assert reload(Event, event.id).going_count == 3
    mail.work_once()
    assert [m["To"] for m in sent_mail] == [people[3].email]
    assert "Une place s'est libérée" in sent_mail[0]["Subject"]
    # A waiting person who leaves frees nothing and promotes nobody.
    login(client, people[4])
    client.post(f"/events/{event.id}/rsvp/cancel")
    assert reload(Event, event.id).going_count == 3


def test_rsvping_twice_is_refused_and_changes_nothing(member_client, section):
    event = make_event(section)
    assert member_client.post(f"/events/{event.id}/rsvp").status_code == 303
    response = member_client.post(f"/events/{event.id}/rsvp", headers=HX)
    assert response.status_code == 409
    assert "Tu es déjà inscrit·e" in response.get_data(as_text=True)
    assert rsvp_count() == 1 and reload(Event, event.id).going_count == 1


@pytest.mark.parametrize(("values", "message"), [
    ({"status": "cancelled"}, "Cet événement est annulé."),
    ({"starts_in": timedelta(days=-2)}, "a déjà commencé ou est passé"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_rsvp_to_cancelled_or_past_event_is_refused(member_client, section, values, message,
                                                    htmx):
    event = make_event(section, **values)
    response = member_client.post(f"/events/{event.id}/rsvp", headers=HX if htmx else {})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert message in html and (("<html" in html) != htmx)
    assert rsvp_count() == 0 and reload(Event, event.id).going_count == 0


def test_cancelling_without_an_rsvp_is_refused(member_client, section):
    event = make_event(section)
    response = member_client.post(f"/events/{event.id}/rsvp/cancel")
    assert response.status_code == 409
    assert "pas inscrit·e à cet événement" in response.get_data(as_text=True)
    assert rsvp_count() == 0


@pytest.mark.parametrize("path", ["/rsvp", "/rsvp/cancel"])
def test_anonymous_rsvp_goes_to_login(client, section, path):
    event = make_event(section)
    response = client.post(f"/events/{event.id}{path}")
    assert response.status_code == 302 and "/auth/login" in response.location
    response = client.post(f"/events/{event.id}{path}", headers=HX)
    assert response.status_code == 401 and "HX-Redirect" in response.headers
    assert client.post(f"/events/999999{path}").status_code in (302, 404)
    assert rsvp_count() == 0


def test_rsvp_to_unknown_event_is_404(member_client):
    assert member_client.post("/events/999999/rsvp").status_code == 404


# --- guests ----------------------------------------------------------------------------------


def test_guest_rsvps_confirms_by_mail_and_cancels_from_the_mail(client, section, sent_mail):
    event = make_event(section, capacity=1)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Je viens, sans compte" in html
    response = client.post(f"/events/{event.id}/guest",
                           data={"name": "Sam", "email": "Sam@Exemple.org"})
    assert response.status_code == 303
    rsvp = db.session.scalar(select(Rsvp))
    assert (rsvp.status, rsvp.guest_email, rsvp.member_id) == ("pending", "sam@exemple.org", None)
    assert reload(Event, event.id).going_count == 0
    mail.work_once()
    confirm = link_in(sent_mail[0])
    page = client.get(confirm)
    assert page.status_code == 200 and rsvp.code in page.get_data(as_text=True)
    assert reload(Rsvp, rsvp.id).status == "going"
    assert client.get(confirm).status_code == 200  # a second click changes nothing
    assert reload(Event, event.id).going_count == 1
    mail.work_once()
    confirmed = sent_mail[1]
    assert "Inscription confirmée" in confirmed["Subject"] and rsvp.code in text_of(confirmed)
    # Its HTML part shows the QR code the organiser scans: an inline PNG named by the page.
    html_part = confirmed.get_body(("html",))
    assert 'src="cid:qr"' in html_part.get_content() and rsvp.code in html_part.get_content()
    qr = next(part for part in confirmed.walk() if part.get_content_type() == "image/png")
    assert qr["Content-ID"] == "<qr>" and qr.get_content().startswith(b"\x89PNG")
    cancel = link_in_last(confirmed)
    assert "Je ne viens plus" in client.get(cancel).get_data(as_text=True)
    assert reload(Rsvp, rsvp.id).status == "going"  # opening the link is not cancelling
    assert client.post(cancel).status_code == 200
    assert reload(Rsvp, rsvp.id).status == "cancelled"
    assert reload(Event, event.id).going_count == 0


def link_in_last(message) -> str:
    return re.findall(r"http://coopol\.test(/\S+)", text_of(message))[-1]


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "Sam", "email": "pas-une-adresse"}, "Cette adresse e-mail n"),
    ({"name": "", "email": "sam@exemple.org"}, "Indique ton nom."),
    ({"name": "Sam", "email": ""}, "Indique ton adresse e-mail."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_guest_bad_input_is_refused(client, section, data, message, htmx):
    event = make_event(section)
    response = client.post(f"/events/{event.id}/guest", data=data, headers=HX if htmx else {})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and (("<html" in html) != htmx)
    assert rsvp_count() == 0


def test_guest_cannot_rsvp_to_members_only_cancelled_or_past_events(client, section):
    hidden = make_event(section, visibility="members")
    assert client.post(f"/events/{hidden.id}/guest",
                       data={"name": "Sam", "email": "sam@exemple.org"}).status_code == 404
    for event in (make_event(section, status="cancelled"),
                  make_event(section, starts_in=timedelta(days=-1))):
        response = client.post(f"/events/{event.id}/guest",
                               data={"name": "Sam", "email": "sam@exemple.org"})
        assert response.status_code == 409
    assert rsvp_count() == 0


def test_guest_asking_twice_gets_their_links_again_without_a_second_place(client, section,
                                                                          sent_mail):
    event = make_event(section)
    data = {"name": "Sam", "email": "sam@exemple.org"}
    client.post(f"/events/{event.id}/guest", data=data)
    mail.work_once()
    client.get(link_in(sent_mail[0]))
    client.post(f"/events/{event.id}/guest", data=data)
    assert rsvp_count() == 1 and reload(Event, event.id).going_count == 1
    mail.work_once()
    assert "Inscription confirmée" in sent_mail[-1]["Subject"]


@pytest.mark.parametrize("path", ["/events/guest/confirm/forged", "/events/guest/cancel/forged"])
def test_forged_guest_links_are_refused(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "plus valable" in response.get_data(as_text=True)


def test_cancelled_guest_link_does_not_confirm_again(client, section, sent_mail):
    event = make_event(section)
    client.post(f"/events/{event.id}/guest", data={"name": "Sam", "email": "sam@exemple.org"})
    mail.work_once()
    confirm = link_in(sent_mail[0])
    client.get(confirm)
    mail.work_once()
    client.post(link_in_last(sent_mail[1]))
    response = client.get(confirm)
    assert response.status_code == 409
    assert db.session.scalar(select(Rsvp.status)) == "cancelled"
    assert reload(Event, event.id).going_count == 0
