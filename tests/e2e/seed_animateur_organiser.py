"""What the animateur's and the organiser's journeys need, added to the journeys' seed.

Per browsing mode: a closed group that the mode's member animates, with a thread in which
another member replied something to hide; a porte-à-porte of 3 places that the mode's member
organises, taken by herself and two voters (Paul, Sofia). Yann asks to join the group and
Julie waits for a place from the browser.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from coopol.database import utcnow
from coopol.events import rsvps
from coopol.events.models import Event
from coopol.events.service import to_paris, to_utc
from coopol.extensions import db
from coopol.geo import service as geo_service
from coopol.groups import service as groups_service
from coopol.groups import service_posts as posts
from coopol.profile.models import Member, Theme
from tests.e2e.browser import MODES

APPLICANT = ("yann@demo.coopol.fr", "Yann Votant")
POSTER = "Paul Votant"
WAITING = ("julie@demo.coopol.fr", "Julie Votant")
TAKEN_BY = ("Paul Votant", "Sofia Votant")  # with the organiser herself
CLOSED_THREAD = "Parcours du samedi"
RUDE_REPLY = "Vous êtes tous des incapables."


def closed_group(name: str) -> str:
    return f"Atelier vélo ({name})"


def small_event(name: str) -> str:
    return f"Porte-à-porte à la Villeneuve ({name})"


def seed(names: dict, member_email) -> None:
    """Add, for each mode, the closed group and the event of 3 places; commit."""
    by_name = {m.display_name: m for m in db.session.scalars(select(Member))}
    by_email = {m.email: m for m in by_name.values()}
    theme = db.session.scalar(select(Theme).where(Theme.name == "Mobilités")) \
        or db.session.scalars(select(Theme)).first()
    commune = geo_service.communes_for_postal_code("38000")[0]
    day = to_paris(utcnow()).date() + timedelta(days=6)
    poster = by_name[POSTER]
    for mode in MODES:
        animateur = by_email[member_email(mode)]
        group = groups_service.create_group(
            animateur, closed_group(names[mode]), "On répare et on roule ensemble.",
            [theme.id], local=True, is_open=False)
        membership = groups_service.join(poster, group)
        groups_service.manage(animateur, group, membership, "approve")
        thread = posts.start_thread(animateur, group, groups_service.membership_of(
            animateur, group), CLOSED_THREAD, "Départ à 10 h devant la gare.")
        posts.reply(poster, group, membership, thread, RUDE_REPLY)

        event = Event(kind="porte_a_porte", title=small_event(names[mode]),
                      description="Trois places : on part en trinôme.",
                      starts_at=to_utc(datetime.combine(day, time(10))),
                      ends_at=to_utc(datetime.combine(day, time(12))),
                      place_name="Place du marché", address="Galerie de l'Arlequin",
                      commune_insee=commune.insee, section_id=animateur.section_id,
                      organiser_id=animateur.id, capacity=3)
        db.session.add(event)
        db.session.flush()
        for member in (animateur, *(by_name[n] for n in TAKEN_BY)):
            rsvps.join(event.id, member)
    db.session.commit()
