"""Event rules: who may organise, times in Paris, saving and cancelling, the near-me rings."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from .. import mail, signals
from ..database import utcnow
from ..extensions import db
from ..geo.models import Commune, Section
from ..groups import service as groups_service
from ..groups.models import Group, GroupMembership
from ..profile import service as profile_service
from ..profile.blocking import not_blocked_since
from .models import Event, Rsvp

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
# Rings of the near-me list, nearest first; the last one is "everywhere else".
RINGS = ("commune", "section", "epci", "departement", "ailleurs")
WHENS = ("today", "week", "month")


# --- time ------------------------------------------------------------------------------------


def to_utc(local: datetime) -> datetime:
    """Turn a naive Paris wall-clock time into the naive UTC time we store."""
    return local.replace(tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def to_paris(stored: datetime) -> datetime:
    """Turn a stored naive UTC time into a naive Paris wall-clock time (for forms)."""
    return stored.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)


def paris_midnight(days_from_today: int = 0, now: datetime | None = None) -> datetime:
    """Return, in stored UTC, the Paris midnight that starts the day `days_from_today` away."""
    today = to_paris(now or utcnow()).date()
    return to_utc(datetime.combine(today + timedelta(days=days_from_today), time()))


def when_bound(when: str | None, now: datetime | None = None) -> datetime | None:
    """Return the UTC end of today, this week (to Sunday night) or this month, in Paris."""
    now = now or utcnow()
    today = to_paris(now).date()
    if when == "today":
        return paris_midnight(1, now)
    if when == "week":
        return paris_midnight(7 - today.weekday(), now)
    if when == "month":
        first_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return to_utc(datetime.combine(first_next, time()))
    return None


# --- who may do what -------------------------------------------------------------------------


def shown():
    """Return the condition of events that show: not run by a member blocked before their end.

    Blocking hides an organiser's events still to come rather than cancelling them: a
    cancellation mails every participant and cannot be taken back, a block can.
    """
    return not_blocked_since(Event.organiser_id, Event.ends_at)


def is_hidden(event: Event) -> bool:
    """Tell whether the event is hidden because its organiser was blocked before its end."""
    organiser = event.organiser
    return bool(organiser is not None and organiser.blocked_at is not None
                and organiser.blocked_at < event.ends_at)


def can_organise(member, section: Section | None) -> bool:
    """Tell whether the member may host events for this section (organiser there, or admin)."""
    return section is not None and profile_service.has_role(member, "organiser", section=section)


def can_manage(member, event: Event) -> bool:
    """Tell whether the member may edit, cancel and run this event."""
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    if event.organiser_id == member.id or can_organise(member, event.section):
        return True
    return event.group is not None and can_host_for(member, event.group)


def can_host_for(member, group: Group) -> bool:
    """A group's animateurs (and those who may step in for them) run the group's events."""
    return groups_service.can_animate(member, group, groups_service.membership_of(member, group))


def host_groups(member, limit: int = 50) -> list[Group]:
    """Return the groups, still active, that the member animates and may host events for."""
    if not getattr(member, "is_authenticated", False):
        return []
    query = (select(Group).join(GroupMembership, GroupMembership.group_id == Group.id)
             .where(GroupMembership.member_id == member.id, GroupMembership.status == "active",
                    GroupMembership.role == "animateur", Group.archived_at.is_(None))
             .order_by(Group.name, Group.id).limit(limit))
    return list(db.session.scalars(query))


def group_event_section(group: Group, commune: Commune | None) -> int | None:
    """Return the section of a group's event: the group's own, or for a national group the
    section of the commune where it happens (None when that commune has none)."""
    if group.section_id is not None:
        return group.section_id
    return commune.section_id if commune is not None else None


def can_see(viewer, event: Event) -> bool:
    """A public event is open to everyone; a members-only one to logged-in members."""
    return event.is_public or bool(getattr(viewer, "is_authenticated", False))


def host_sections(member) -> list[Section]:
    """Return the sections the member may host events for."""
    if not getattr(member, "is_authenticated", False):
        return []
    query = select(Section).order_by(Section.name)
    if not profile_service.is_admin(member):
        roles = [r for r in member.roles if r.role == "organiser"]
        if any(r.section_id is None and r.federation_code is None for r in roles):
            pass  # a national organiser hosts anywhere
        else:
            ids = [r.section_id for r in roles if r.section_id]
            feds = [r.federation_code for r in roles if r.federation_code and not r.section_id]
            query = query.where(Section.id.in_(ids or [0]) | Section.federation_code.in_(feds))
    return list(db.session.scalars(query))


# --- saving ----------------------------------------------------------------------------------

FIELDS = ("kind", "title", "description", "place_name", "address", "capacity", "visibility",
          "online_url", "theme_id", "section_id", "group_id", "commune_insee", "starts_at",
          "ends_at")


def save_event(event: Event, organiser, **values) -> Event:
    """Fill an event from checked values (times in UTC) and add it to the session."""
    for name in FIELDS:
        if name in values:
            setattr(event, name, values[name])
    if event.id is None:
        event.organiser_id = organiser.id
        db.session.add(event)
        db.session.flush()
        signals.event_published.send(event)
    return event


def copy_values(event: Event) -> dict:
    """Return what a duplicate keeps of an event: everything but its dates and participants."""
    return {name: getattr(event, name) for name in FIELDS if name not in ("starts_at", "ends_at")}


def active_rsvps(event: Event) -> list[Rsvp]:
    query = (select(Rsvp).where(Rsvp.event_id == event.id,
                                Rsvp.status.in_(("going", "waitlisted")))
             .options(selectinload(Rsvp.member)).order_by(Rsvp.id))
    return list(db.session.scalars(query))


def describe(event: Event, locale: str = "fr") -> dict:
    """Return what mails say about an event (the date already in words, in Paris time)."""
    when = format_datetime(event.starts_at.replace(tzinfo=UTC), "EEEE d MMMM y, HH:mm",
                           tzinfo=PARIS, locale=locale)
    return {"event_id": event.id, "title": event.title, "when": when,
            "online": event.online_url,
            "place": ", ".join(p for p in (event.place_name, event.address,
                                           event.commune.name if event.commune else "") if p)}


def cancel_event(event: Event) -> int:
    """Cancel the event and tell every participant by mail; return how many were told."""
    event.status = "cancelled"
    signals.event_cancelled.send(event)
    told = 0
    for rsvp in active_rsvps(event):
        mail.queue(rsvp.email, "event_cancelled", name=rsvp.name, **describe(event))
        told += 1
    return told


# --- near me ---------------------------------------------------------------------------------


@dataclass
class Origin:
    """Where the list starts from: a commune and what surrounds it."""

    commune: Commune | None = None
    section_id: int | None = None

    @property
    def epci_code(self):
        return self.commune.epci_code if self.commune else None

    @property
    def federation_code(self):
        return self.commune.federation_code if self.commune else None


def origin_of(member=None, commune: Commune | None = None) -> Origin:
    """Start from a typed commune, else from the member's commune and section."""
    if commune is not None:
        return Origin(commune, commune.section_id)
    if member is not None and getattr(member, "is_authenticated", False):
        return Origin(member.commune, member.section_id)
    return Origin()


def ring_order(origin: Origin):
    """Return the SQL ring number of an event; it matches `ring_of` below."""
    whens = []
    if origin.commune is not None:
        whens.append((Event.commune_insee == origin.commune.insee, 0))
    if origin.section_id is not None:
        whens.append((Event.section_id == origin.section_id, 1))
    if origin.epci_code:
        whens.append((Commune.epci_code == origin.epci_code, 2))
    if origin.federation_code:
        whens.append((Commune.federation_code == origin.federation_code, 3))
    return case(*whens, else_=4) if whens else None


def ring_of(event: Event, origin: Origin) -> str:
    """Name the ring an event falls in, as the list's ordering put it there."""
    commune = event.commune
    if origin.commune is not None and event.commune_insee == origin.commune.insee:
        return RINGS[0]
    if origin.section_id is not None and event.section_id == origin.section_id:
        return RINGS[1]
    if origin.epci_code and commune.epci_code == origin.epci_code:
        return RINGS[2]
    if origin.federation_code and commune.federation_code == origin.federation_code:
        return RINGS[3]
    return RINGS[4]


def upcoming_query(origin: Origin, members_too: bool, kind: str | None = None,
                   when: str | None = None, theme_id: int | None = None,
                   group_id: int | None = None):
    """Return the query of events still to come, nearest ring first, soonest first in each."""
    now = utcnow()
    query = (
        select(Event).join(Commune, Event.commune_insee == Commune.insee)
        .where(Event.status == "scheduled", Event.ends_at >= now, shown())
        .options(selectinload(Event.commune), selectinload(Event.section),
                 selectinload(Event.organiser), selectinload(Event.theme),
                 selectinload(Event.group))
    )
    if not members_too:
        query = query.where(Event.visibility == "public")
    if kind:
        query = query.where(Event.kind == kind)
    if theme_id:
        query = query.where(Event.theme_id == theme_id)
    if group_id:
        query = query.where(Event.group_id == group_id)
    bound = when_bound(when, now)
    if bound is not None:
        query = query.where(Event.starts_at < bound)
    ring = ring_order(origin)
    order = ([ring] if ring is not None else []) + [Event.starts_at, Event.id]
    return query.order_by(*order)


def my_rsvps_query(member):
    """Return the query of my RSVPs to events still to come, soonest first."""
    return (
        select(Rsvp).join(Event, Rsvp.event_id == Event.id)
        .where(Rsvp.member_id == member.id, Rsvp.status.in_(("going", "waitlisted")),
               Event.ends_at >= utcnow(), shown())
        .options(selectinload(Rsvp.event).selectinload(Event.commune))
        .order_by(Event.starts_at, Event.id)
    )


def group_upcoming(group_id: int, members_too: bool, limit: int = 5) -> tuple[list[Event], bool]:
    """Return a group's next events, soonest first, and whether more follow (one query)."""
    query = (select(Event)
             .where(Event.group_id == group_id, Event.status == "scheduled",
                    Event.ends_at >= utcnow(), shown())
             .options(selectinload(Event.commune)).order_by(Event.starts_at, Event.id)
             .limit(limit + 1))
    if not members_too:
        query = query.where(Event.visibility == "public")
    rows = list(db.session.scalars(query))
    return rows[:limit], len(rows) > limit
