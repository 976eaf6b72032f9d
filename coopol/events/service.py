"""Event rules: who may organise, times in Paris, saving and cancelling, the near-me rings."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import mail, signals
from ..database import utcnow
from ..extensions import db
from ..geo.models import Commune, Section
from ..groups import service as groups_service
from ..groups.models import Group, GroupMembership
from ..profile import service as profile_service
from ..profile.blocking import not_blocked_in, not_blocked_since
from .models import Event, Rsvp

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
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


def upcoming_shown(now):
    """Return the condition of events still to come (not ended at `now`) that show.

    For them `shown()` is simpler: a block is always in the past, so a blocked organiser was
    blocked before the event's end, and it is enough that the organiser is not blocked.
    """
    return and_(Event.ends_at >= now, not_blocked_in(Event.organiser_id))


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


def _animated(query, member):
    """Narrow a select() joined to memberships to the active groups the member animates."""
    return query.where(GroupMembership.member_id == member.id,
                       groups_service.ANIMATES_ACTIVE_GROUP)


def host_groups(member, limit: int = 50) -> list[Group]:
    """Return the groups, still active, that the member animates and may host events for."""
    if not getattr(member, "is_authenticated", False):
        return []
    query = _animated(select(Group).join(GroupMembership, GroupMembership.group_id == Group.id),
                      member)
    return list(db.session.scalars(query.order_by(Group.name, Group.id).limit(limit)))


def may_host_events(member, animated: bool | None = None) -> bool:
    """Tell whether the member may create an event: `host_sections` or `host_groups` would
    offer them something. Asked on every view of the list: roles are already loaded with
    the member; `animated`, when the caller already knows whether the member animates an
    active group, spares the look-up."""
    if not getattr(member, "is_authenticated", False):
        return False
    if profile_service.is_admin(member) or any(r.role == "organiser" for r in member.roles):
        return True
    if animated is not None:
        return animated
    query = _animated(select(GroupMembership.id).join(
        Group, GroupMembership.group_id == Group.id), member)
    return db.session.scalar(query.limit(1)) is not None


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


def my_rsvps_query(member):
    """Return the query of my RSVPs to events still to come, soonest first."""
    return (
        select(Rsvp).join(Event, Rsvp.event_id == Event.id)
        .where(Rsvp.member_id == member.id, Rsvp.status.in_(("going", "waitlisted")),
               upcoming_shown(utcnow()))
        .options(selectinload(Rsvp.event).selectinload(Event.commune))
        .order_by(Event.starts_at, Event.id)
    )


def group_upcoming(group_id: int, members_too: bool, limit: int = 5) -> tuple[list[Event], bool]:
    """Return a group's next events, soonest first, and whether more follow (one query)."""
    query = (select(Event)
             .where(Event.group_id == group_id, Event.status == "scheduled",
                    upcoming_shown(utcnow()))
             .options(joinedload(Event.commune, innerjoin=True))
             .order_by(Event.starts_at, Event.id).limit(limit + 1))
    if not members_too:
        query = query.where(Event.visibility == "public")
    rows = list(db.session.scalars(query))
    return rows[:limit], len(rows) > limit
