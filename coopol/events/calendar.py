"""Calendar files: one event, a section's or a group's public events, a member's private feed."""

import secrets
from datetime import UTC, timedelta

from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..database import utcnow
from ..extensions import db
from .models import CalendarFeed, Event, Rsvp
from .service import shown

FEED_LIMIT = 300
# Feeds keep a month of past events, so a phone calendar does not lose them at once.
FEED_HISTORY = timedelta(days=31)


def _aware(stored):
    return stored.replace(tzinfo=UTC)


def to_ics(events, name: str, url_of, host: str) -> bytes:
    """Write events as an iCalendar file; `url_of(event)` gives each event's page."""
    calendar = Calendar()
    calendar.add("prodid", "-//Coopol//Evenements//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = _aware(utcnow())
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.id}@{host}")
        item.add("dtstamp", stamp)
        item.add("dtstart", _aware(event.starts_at))
        item.add("dtend", _aware(event.ends_at))
        item.add("summary", event.title)
        place = ", ".join(p for p in (event.place_name, event.address, event.commune.name) if p)
        item.add("location", place)
        item.add("description", f"{event.description}\n\n{url_of(event)}".strip())
        item.add("url", url_of(event))
        item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
        calendar.add_component(item)
    return calendar.to_ical()


def _public_events(host) -> list[Event]:
    query = (
        select(Event)
        .where(host, Event.visibility == "public", Event.starts_at >= utcnow() - FEED_HISTORY,
               shown())
        .options(selectinload(Event.commune)).order_by(Event.starts_at).limit(FEED_LIMIT)
    )
    return list(db.session.scalars(query))


def section_events(section_id: int) -> list[Event]:
    """Return a section's public events, recent and to come, for its feed."""
    return _public_events(Event.section_id == section_id)


def group_events(group_id: int) -> list[Event]:
    """Return the public events a group hosts, recent and to come, for its feed."""
    return _public_events(Event.group_id == group_id)


def member_events(member_id: int) -> list[Event]:
    """Return the events a member is going to or waiting for, recent and to come."""
    query = (
        select(Event).join(Rsvp, Rsvp.event_id == Event.id)
        .where(Rsvp.member_id == member_id, Rsvp.status.in_(("going", "waitlisted")),
               Event.starts_at >= utcnow() - FEED_HISTORY, shown())
        .options(selectinload(Event.commune)).order_by(Event.starts_at).limit(FEED_LIMIT)
    )
    return list(db.session.scalars(query))


def feed_of(member) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.member_id == member.id))


def renew_feed(member) -> CalendarFeed:
    """Give the member a new secret feed address; the old one stops working."""
    feed = feed_of(member) or CalendarFeed(member_id=member.id)
    feed.token = secrets.token_urlsafe(24)
    feed.created_at = utcnow()
    db.session.add(feed)
    return feed


def revoke_feed(member) -> bool:
    feed = feed_of(member)
    if feed is None:
        return False
    db.session.delete(feed)
    return True


def member_for_token(token: str) -> int | None:
    return db.session.scalar(select(CalendarFeed.member_id).where(CalendarFeed.token == token))
