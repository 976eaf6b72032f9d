"""Organisers' tools, calendar files and feeds, and the reminder the day before."""

import csv
import io
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from coopol import mail
from coopol.events import rsvps, service
from coopol.events.models import CalendarFeed, Event, Rsvp
from coopol.extensions import db
from coopol.mail import OutboxMail
from coopol.profile.models import AuditLog
from tests.conftest import CERGY, login, make_member, make_section, reload
from tests.events_factories import join, make_event, make_organiser

HX = {"HX-Request": "true"}


@pytest.fixture
def running(section):
    """An event with its organiser and three people going."""
    organiser = make_organiser(section)
    event = make_event(section, organiser)
    people = [make_member(name=f"Personne {n}") for n in range(3)]
    answers = [join(event, person) for person in people]
    return event, organiser, people, answers


def test_participant_list_shows_status_and_figures(client, running):
    event, organiser, people, _ = running
    login(client, people[2])
    client.post(f"/events/{event.id}/rsvp/cancel")
    login(client, organiser)
    html = client.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert "2 viennent, 0 en attente, 0 à confirmer, 1 annulé·es, 0 présent·es" in html
    assert html.index("Personne 0") < html.index("Personne 2")
    assert "ne vient plus" in html
    fragment = client.get(f"/events/{event.id}/participants", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="participants"' in fragment


def test_csv_export_is_written_to_the_audit_log(client, running):
    event, organiser, people, answers = running
    login(client, organiser)
    response = client.get(f"/events/{event.id}/participants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["Nom", "E-mail", "Statut"]
    assert {row[1] for row in rows[1:]} == {p.email for p in people}
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "event.export"))
    assert entry.actor_id == organiser.id and entry.details == {"event_id": event.id, "rows": 3}


@pytest.mark.parametrize("htmx", [False, True])
def test_check_in_toggle_per_person(client, running, htmx):
    event, organiser, _, answers = running
    login(client, organiser)
    url = f"/events/{event.id}/rsvps/{answers[0].id}/checkin"
    response = client.post(url, data={"present": "1"}, headers=HX if htmx else {})
    assert reload(Rsvp, answers[0].id).checked_in_at is not None
    if htmx:
        html = response.get_data(as_text=True)
        assert "<html" not in html and f'id="rsvp-{answers[0].id}"' in html
        assert "Présent·e" in html and 'value="0"' in html
    else:
        assert response.status_code == 303
    client.post(url, data={"present": "0"}, headers=HX if htmx else {})
    assert reload(Rsvp, answers[0].id).checked_in_at is None


def test_check_in_refuses_cancelled_people_and_crafted_ids(client, running, section):
    event, organiser, people, answers = running
    other = make_event(section, organiser)
    elsewhere = join(other, make_member())
    rsvps.leave(event.id, people[1])
    db.session.commit()
    login(client, organiser)
    response = client.post(f"/events/{event.id}/rsvps/{answers[1].id}/checkin",
                           data={"present": "1"}, headers=HX)
    assert response.status_code == 409 and "pas inscrite" in response.get_data(as_text=True)
    assert client.post(f"/events/{event.id}/rsvps/{elsewhere.id}/checkin",
                       data={"present": "1"}).status_code == 404
    login(client, people[0])
    assert client.post(f"/events/{event.id}/rsvps/{answers[0].id}/checkin",
                       data={"present": "1"}).status_code == 403
    assert db.session.scalar(select(func.count(Rsvp.checked_in_at))) == 0


def test_check_in_by_short_code(client, running):
    event, organiser, _, answers = running
    login(client, organiser)
    code = answers[2].code
    response = client.post(f"/events/{event.id}/checkin-code", data={"code": code.lower()})
    assert response.status_code == 303
    assert reload(Rsvp, answers[2].id).checked_in_at is not None
    response = client.post(f"/events/{event.id}/checkin-code", data={"code": "ZZZZZZ"})
    assert response.status_code == 422
    assert "Aucune inscription avec ce code" in response.get_data(as_text=True)


def test_qr_code_on_my_rsvp_opens_check_in_with_my_code(client, running):
    event, organiser, people, answers = running
    login(client, people[0])
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html and answers[0].code in html
    login(client, organiser)
    page = client.get(f"/events/{event.id}/participants?code={answers[0].code}")
    assert re.search(f'name="code"[^>]*value="{answers[0].code}"', page.get_data(as_text=True))


def test_message_all_participants_through_the_outbox(client, running, sent_mail):
    event, organiser, people, _ = running
    login(client, organiser)
    response = client.post(f"/events/{event.id}/message",
                           data={"subject": "Rendez-vous", "body": "On se retrouve à 9 h."})
    assert response.status_code == 303
    assert sent_mail == []
    mail.work_once()
    assert sorted(m["To"] for m in sent_mail) == sorted(p.email for p in people)
    assert "On se retrouve à 9 h." in sent_mail[0].get_content()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "event.message"))
    assert entry.details == {"event_id": event.id, "recipients": 3}
    bad = client.post(f"/events/{event.id}/message", data={"subject": "", "body": ""})
    assert bad.status_code == 422 and "Indique un objet." in bad.get_data(as_text=True)


def test_report_after_the_event_with_attendance(client, section):
    organiser = make_organiser(section)
    event = make_event(section, organiser, starts_in=timedelta(hours=-3))
    login(client, organiser)
    assert client.get(f"/events/{event.id}/report").status_code == 200
    response = client.post(f"/events/{event.id}/report",
                           data={"report": "Bonne matinée, **200 tracts**.", "attendance": "7"})
    assert response.status_code == 303
    event = reload(Event, event.id)
    assert (event.attendance, event.report) == (7, "Bonne matinée, **200 tracts**.")
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "7 personnes étaient là." in html and "<strong>200 tracts</strong>" in html
    bad = client.post(f"/events/{event.id}/report", data={"report": "", "attendance": "-1"})
    assert bad.status_code == 422 and reload(Event, event.id).attendance == 7


def test_report_waits_for_the_event_to_start(client, section):
    organiser = make_organiser(section)
    event = make_event(section, organiser)
    login(client, organiser)
    response = client.post(f"/events/{event.id}/report", data={"report": "Trop tôt"})
    assert response.status_code == 409
    assert reload(Event, event.id).report == ""


# --- calendar --------------------------------------------------------------------------------


def test_event_ics_is_a_calendar_in_utc(client, section):
    event = make_event(section, title="Formation au porte-à-porte")
    response = client.get(f"/events/{event.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    item = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(item["SUMMARY"]) == "Formation au porte-à-porte"
    assert item.decoded("DTSTART").replace(tzinfo=None) == event.starts_at
    hidden = make_event(section, visibility="members")
    assert client.get(f"/events/{hidden.id}/calendar.ics").status_code == 302


def test_section_feed_lists_only_its_public_events(client, section):
    other = make_section("Cergy", "95", [CERGY])
    make_event(section, title="Public")
    make_event(section, title="Interne", visibility="members")
    make_event(other, commune=CERGY, title="Ailleurs")
    response = client.get(f"/events/sections/{section.id}/calendar.ics")
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT")]
    assert titles == ["Public"]
    assert client.get("/events/sections/999999/calendar.ics").status_code == 404


def test_private_feed_of_my_rsvps_with_a_revocable_token(client, section):
    member = make_member()
    mine = make_event(section, title="J'y vais", visibility="members")
    make_event(section, title="Pas moi")
    join(mine, member)
    login(client, member)
    assert client.post("/events/calendar/renew").status_code == 303
    token = db.session.scalar(select(CalendarFeed.token))
    assert token in client.get("/events/calendar").get_data(as_text=True)
    client.post("/auth/logout")
    feed = client.get(f"/events/calendar/{token}.ics")
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert titles == ["J'y vais"]
    login(client, member)
    client.post("/events/calendar/renew")
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404
    new_token = reload(CalendarFeed, db.session.scalar(select(CalendarFeed.id))).token
    assert client.get(f"/events/calendar/{new_token}.ics").status_code == 200
    client.post("/events/calendar/revoke")
    assert client.get(f"/events/calendar/{new_token}.ics").status_code == 404


def test_calendar_page_needs_login(client):
    assert client.get("/events/calendar").status_code == 302
    assert client.post("/events/calendar/renew").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 0


# --- reminders -------------------------------------------------------------------------------


def test_remind_mails_tomorrows_participants_exactly_once(app, section, sent_mail):
    tomorrow = service.paris_midnight(1) + timedelta(hours=10)
    soon = make_event(section, title="Demain", starts_in=tomorrow - service.utcnow())
    later = make_event(section, title="Plus tard", starts_in=timedelta(days=5))
    going, waiting = make_member(), make_member()
    soon.capacity = 1
    db.session.commit()
    join(soon, going)
    join(soon, waiting)
    join(later, going)
    result = app.test_cli_runner().invoke(args=["events", "remind"])
    assert result.exit_code == 0 and "1 rappel(s)" in result.output
    again = app.test_cli_runner().invoke(args=["events", "remind"])
    assert "0 rappel(s)" in again.output
    mail.work_once()
    assert [m["To"] for m in sent_mail] == [going.email]
    assert sent_mail[0]["Subject"] == "C'est demain : Demain"
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 1
