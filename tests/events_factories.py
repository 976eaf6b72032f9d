"""Factories for the events tests: events, organisers, RSVPs and the event form's data."""

from datetime import timedelta

from coopol.database import utcnow
from coopol.events import rsvps, service
from coopol.events.models import Event
from coopol.extensions import db
from tests.conftest import GRENOBLE, make_member


def make_event(section, organiser=None, commune=GRENOBLE, starts_in=timedelta(days=3),
               hours=2, **values) -> Event:
    start = (utcnow() + starts_in).replace(microsecond=0)
    event = Event(kind=values.pop("kind", "tractage"),
                  title=values.pop("title", "Tractage au marché"),
                  starts_at=start, ends_at=start + timedelta(hours=hours),
                  commune_insee=commune, section_id=section.id,
                  organiser_id=organiser.id if organiser else None, **values)
    db.session.add(event)
    db.session.commit()
    return event


def make_organiser(section, **kwargs):
    return make_member(roles=[("organiser", section)], **kwargs)


def join(event, member):
    rsvp = rsvps.join(event.id, member)
    db.session.commit()
    return rsvp


def paris_input(delta: timedelta) -> str:
    """Return a datetime-local value, in Paris time, `delta` from now."""
    local = service.to_paris(utcnow() + delta).replace(second=0, microsecond=0)
    return local.strftime("%Y-%m-%dT%H:%M")


def event_form(section, **overrides) -> dict:
    data = {
        "kind": "tractage", "title": "Tractage au marché de l'Estacade",
        "description": "On distribue **le journal**.",
        "starts_at": paris_input(timedelta(days=5)),
        "ends_at": paris_input(timedelta(days=5, hours=2)),
        "place_name": "Marché de l'Estacade", "address": "Rue Jean Pain",
        "place": "38000", "commune": GRENOBLE, "section_id": str(section.id),
        "theme_id": "0", "capacity": "", "visibility": "public", "online_url": "",
    }
    data.update(overrides)
    return data
