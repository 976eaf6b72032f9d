"""Issue 5's journeys: what is on near a Grenoble member, RSVP, waiting list, calendar; a guest
who comes without an account; an organiser who publishes an event, and one whose event of 3
places fills up, sees the waiting list promote and checks people in.

Run in every browsing mode (see tests/e2e/journeys.py): with JavaScript the RSVP and the
guest's form are swapped in place, and so is a check-in tap.
"""

import re
from datetime import datetime, time, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from coopol.database import utcnow
from coopol.events.models import Event, Rsvp
from coopol.events.service import to_paris
from coopol.profile.models import Member
from tests.e2e.journeys import flash, log_out
from tests.e2e.journeys_groups import in_place, log_in_as, nav
from tests.e2e.seed import FULL_EVENT, LEAFLETING, NAMES, member_email
from tests.e2e.seed_animateur_organiser import TAKEN_BY, WAITING, small_event

NEAR_ME = "Événements près de chez toi"


def rsvp_box(v):
    return v.page.locator("#rsvp")


def add_to_calendar(v, title: str) -> None:
    """The calendar link downloads the event as text/calendar."""
    link = v.page.get_by_role("link", name="Ajouter à mon agenda", exact=True)
    with v.page.expect_download() as download:
        v.link("Ajouter à mon agenda")
    body = download.value.path().read_text(encoding="utf-8")
    assert body.startswith("BEGIN:VCALENDAR") and title in body.replace("\r\n ", ""), body[:400]
    assert download.value.suggested_filename.endswith(".ics")
    answer = v.page.request.get(v.base_url + link.get_attribute("href"))  # the page's cookies
    assert answer.headers["content-type"].startswith("text/calendar"), answer.headers


def rsvp_near_me(v, server) -> None:
    """Find the leafleting in my commune, come, add it to my calendar, no longer come; join
    the waiting list of a full meeting and leave it."""
    log_in_as(v, member_email(v.mode), NAMES[v.mode])
    nav(v, "Événements")
    v.expect_page(NEAR_ME)
    ring = v.page.locator("#results h3.ring").first
    expect(ring).to_have_text("Dans ta commune")
    expect(v.page.locator("#results .event-card").first).to_contain_text("Grenoble")
    v.check("events near me")

    v.link(LEAFLETING)
    v.expect_page(LEAFLETING)
    v.check("event")
    box = rsvp_box(v)
    in_place(v, lambda: v.button("Je viens", box),
             lambda: expect(box).to_contain_text("Tu viens."))
    flash(v, "C'est noté : tu viens !")
    expect(box).to_contain_text(re.compile(r"Ton code : \w+"))
    v.check("event, coming")
    add_to_calendar(v, LEAFLETING)
    in_place(v, lambda: v.button("Je ne viens plus", box),
             lambda: expect(box.get_by_role("button", name="Je viens")).to_be_visible())
    flash(v, "C'est noté : tu ne viens plus.")

    nav(v, "Événements")
    v.expect_page(NEAR_ME)
    v.link(FULL_EVENT)
    v.expect_page(FULL_EVENT)
    box = rsvp_box(v)
    expect(box).to_contain_text("1 / 1 places prises")
    expect(box).to_contain_text("C'est complet")
    v.check("full event")
    in_place(v, lambda: v.button("Je m'inscris sur la liste d'attente", box),
             lambda: expect(box).to_contain_text("Tu es sur la liste d'attente."))
    flash(v, "tu es sur la liste d'attente")
    v.check("event, waiting list")
    in_place(v, lambda: v.button("Je ne viens plus", box),
             lambda: expect(box).to_contain_text("C'est complet"))
    expect(box).to_contain_text("1 / 1 places prises")


def confirm_link(server, email: str) -> str:
    """The confirmation link of the last mail sent to a guest."""
    for message in reversed(server.deliver_mail()):
        text = message.get_body(("plain",)).get_content()
        found = re.search(r"\S+/events/guest/confirm/\S+", text)
        if message["To"] == email and found:
            return found.group(0)
    raise AssertionError(f"no confirmation mail for {email}")


def guest_comes_without_an_account(v, server) -> None:
    """A visitor looks for what is on near 38000, says they come, confirms from the mail."""
    email = f"voisine.{v.mode}@exemple.fr"
    v.goto("/events/")
    v.expect_page(NEAR_ME)
    v.check("events, visitor")
    v.fill("Code postal ou commune", "38000")
    if v.js:  # the commune is found while typing
        expect(v.page.locator("#commune_field select option:checked")).to_have_text(
            re.compile("Grenoble"))
    v.button("Chercher")
    expect(v.page.locator("#results h3.ring").first).to_have_text("Dans ta commune")
    expect(v.page.locator("#results")).to_contain_text(LEAFLETING)
    v.check("events near 38000")

    v.link(LEAFLETING)
    v.expect_page(LEAFLETING)
    v.check("event, visitor")
    guest = v.page.locator("#guest")
    v.fill("Ton nom", "Mireille")
    v.fill("Ton adresse e-mail", email)
    in_place(v, lambda: v.button("Je viens", guest),
             lambda: flash(v, f"clique sur le lien que nous venons d'envoyer à {email}"))
    if v.js:  # the form is emptied, ready for someone else on the same phone
        expect(guest.get_by_label("Ton adresse e-mail", exact=True)).to_have_value("")

    v.goto(confirm_link(server, email))
    v.expect_page("Ton inscription")
    expect(v.page.locator("main")).to_contain_text("C'est confirmé : tu viens.")
    v.check("guest confirmed")


def fill_datetime(v, label: str, value: datetime) -> None:
    """Type a date and time in a datetime-local field, as the phone's keyboard would."""
    field = v.page.get_by_label(label, exact=True)
    if v.keyboard:
        # Headless Chromium lays the field out in its own language, en-US, whatever the
        # page's: month, day, year; Tab to the time; hours, minutes, AM/PM.
        v.tab_to(field)
        v.page.keyboard.type(value.strftime("%m%d%Y"))
        v.page.keyboard.press("Tab")
        v.page.keyboard.type(value.strftime("%I%M") + value.strftime("%p")[0])
    else:
        field.fill(value.strftime("%Y-%m-%dT%H:%M"))
    expect(field).to_have_value(value.strftime("%Y-%m-%dT%H:%M"))


def organiser_publishes_an_event(v, server) -> None:
    """An organiser of the Grenoble section publishes a training and finds it in the list."""
    title = f"Formation au porte-à-porte ({NAMES[v.mode]})"
    day = to_paris(utcnow()).date() + timedelta(days=4)
    log_in_as(v, member_email(v.mode), NAMES[v.mode])
    nav(v, "Événements")
    v.link("Créer un événement")
    v.expect_page("Créer un événement")
    v.check("new event")
    v.choose("Type", "Formation")
    v.fill("Titre", title)
    v.fill("Description", "On apprend à **frapper aux portes**.")
    fill_datetime(v, "Début", datetime.combine(day, time(18, 30)))
    fill_datetime(v, "Fin", datetime.combine(day, time(20, 0)))
    v.fill("Lieu", "Maison des associations")
    v.fill("Nombre de places (vide : sans limite)", "3")
    v.button("Publier")
    v.expect_page(title)
    flash(v, "L'événement est publié.")
    expect(rsvp_box(v)).to_contain_text("0 / 3 places prises")
    expect(v.page.locator("main")).to_contain_text("Participant·es et pointage")
    v.check("event, organiser")

    nav(v, "Événements")
    v.expect_page(NEAR_ME)
    card = v.page.locator(".event-card", has_text=title)
    expect(card).to_contain_text("Formation")
    expect(card).to_contain_text("0 / 3 places prises")


def rsvp_code(server, event_id: int, name: str) -> str:
    return server.query(select(Rsvp.code).join(Member, Rsvp.member_id == Member.id).where(
        Rsvp.event_id == event_id, Member.display_name == name))


def waiting_list_promotes_and_check_in(v, server) -> None:
    """An event of 3 places is full; Julie waits. The organiser gives up her own place, Julie
    gets it; at the door the organiser checks Paul in by a tap and Sofia by her code."""
    name, title = NAMES[v.mode], small_event(NAMES[v.mode])
    event_id = server.query(select(Event.id).where(Event.title == title))
    log_in_as(v, *WAITING)
    v.goto(f"/events/{event_id}")
    v.expect_page(title)
    box = rsvp_box(v)
    expect(box).to_contain_text("3 / 3 places prises")
    in_place(v, lambda: v.button("Je m'inscris sur la liste d'attente", box),
             lambda: expect(box).to_contain_text("Tu es sur la liste d'attente."))
    log_out(v)

    log_in_as(v, member_email(v.mode), name)
    v.goto(f"/events/{event_id}")
    v.expect_page(title)
    v.link("Participant·es et pointage")
    v.expect_page("Participant·es")
    rows = v.page.locator("#participants li")
    expect(rows.filter(has_text=WAITING[1])).to_contain_text("en attente")
    v.check("participants, full")
    v.link(f"← {title}")
    v.expect_page(title)
    box = rsvp_box(v)
    in_place(v, lambda: v.button("Je ne viens plus", box),  # Julie takes the place at once
             lambda: expect(box).to_contain_text("C'est complet"))
    expect(box).to_contain_text("3 / 3 places prises")
    flash(v, "C'est noté : tu ne viens plus.")

    v.link("Participant·es et pointage")
    v.expect_page("Participant·es")
    main = v.page.locator("main")
    expect(main).to_contain_text("3 viennent, 0 en attente")
    expect(rows.filter(has_text=WAITING[1])).to_contain_text(re.compile(r"— vient ·"))
    expect(rows.filter(has_text=name)).to_contain_text("ne vient plus")
    v.check("participants, promoted")
    told = [m for m in server.deliver_mail() if m["To"] == WAITING[0]
            and title in m.get_body(("plain",)).get_content()]
    assert told, "the promoted member is told by mail"

    paul = rows.filter(has_text=TAKEN_BY[0])
    in_place(v, lambda: v.button("Pointer présent·e", paul),
             lambda: expect(paul).to_contain_text("Présent·e"))
    if not v.js:
        flash(v, f"{TAKEN_BY[0]} : présence enregistrée.")
    expect(paul.get_by_role("button", name="Annuler")).to_be_visible()
    v.check("participant checked in")

    v.fill("Code d'inscription", rsvp_code(server, event_id, TAKEN_BY[1]))
    v.button("Pointer avec ce code")
    v.expect_page("Participant·es")
    flash(v, f"{TAKEN_BY[1]} est enregistré·e présent·e.")
    expect(rows.filter(has_text=TAKEN_BY[1])).to_contain_text("Présent·e")
    expect(main).to_contain_text("2 présent·es")
    v.check("participant checked in by code")


JOURNEYS = [rsvp_near_me, guest_comes_without_an_account, organiser_publishes_an_event,
            waiting_list_promotes_and_check_in]
