"""What events add to a group's page, and their part in members' data rights (GDPR)."""

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..groups import service as groups_service
from ..profile import privacy
from . import rsvps, service
from .models import CalendarFeed, Event, Rsvp

# Guests' names and addresses are kept this long after their event, then erased.
GUEST_RETENTION = timedelta(days=90)


def _when(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


@groups_service.showing_group.connect
def group_events_box(group, viewer, membership):
    """Show the group's next events on its page; its animateurs get a button to add one."""
    members_too = bool(getattr(viewer, "is_authenticated", False))
    events, more = service.group_upcoming(group.id, members_too)
    can_host = not group.is_archived and groups_service.can_animate(viewer, group, membership)
    return "events/_group.html", {"group": group, "events": events, "more": more,
                                  "can_host": can_host}


@privacy.collect_member_data.connect
def member_data(member):
    """Return the member's RSVPs (with check-ins), the events they organise, their feed."""
    rows = db.session.scalars(select(Rsvp).where(Rsvp.member_id == member.id)
                              .options(selectinload(Rsvp.event)).order_by(Rsvp.id))
    organised = db.session.scalars(select(Event).where(Event.organiser_id == member.id)
                                   .order_by(Event.starts_at))
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.member_id == member.id))
    return {
        "inscriptions_evenements": [
            {"evenement": r.event.title, "debut": _when(r.event.starts_at), "statut": r.status,
             "code": r.code, "present": _when(r.checked_in_at), "date": _when(r.created_at)}
            for r in rows],
        "evenements_organises": [{"evenement": e.title, "debut": _when(e.starts_at)}
                                 for e in organised],
        "agenda_prive": {"cree": _when(feed.created_at)} if feed else None,
    }


@privacy.erasing_member.connect
def erase_member(member):
    """Remove the member's RSVPs (a freed place goes to the first waiting) and private feed;
    the events they organised stay, without their name."""
    for rsvp in list(db.session.scalars(select(Rsvp).where(Rsvp.member_id == member.id))):
        event = rsvps.lock_event(rsvp.event_id)
        if rsvp.status == "going" and not event.has_started and not event.is_cancelled:
            rsvps.withdraw(event, rsvp)
        elif rsvp.status == "going":
            rsvps.free_place(event.id)
        db.session.delete(rsvp)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.member_id == member.id))
    db.session.execute(update(Event).where(Event.organiser_id == member.id)
                       .values(organiser_id=None).execution_options(synchronize_session=False))
    db.session.flush()


@privacy.purging.connect
def purge_guests(now):
    """Forget guests of events ended long ago; those who came stay counted, without a name."""
    old = select(Event.id).where(Event.ends_at < now - GUEST_RETENTION)
    guests = (Rsvp.member_id.is_(None), Rsvp.event_id.in_(old))
    dropped = db.session.execute(delete(Rsvp).where(
        *guests, Rsvp.status != "going").execution_options(synchronize_session=False)).rowcount
    kept = db.session.execute(update(Rsvp).where(
        *guests, Rsvp.status == "going", Rsvp.guest_email.is_not(None))
        .values(guest_name="", guest_email=None)
        .execution_options(synchronize_session=False)).rowcount
    return {"invité·es d'anciens événements": dropped + kept}
