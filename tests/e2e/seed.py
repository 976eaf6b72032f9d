"""What the groups, events and consultations journeys need, added to the live server's demo data.

Each browsing mode has its own Grenoble member (`member_email(mode)`), so the journeys of one
mode never see what another mode did: joining, RSVPs, ballots. They are confirmed adhérents
and organisers of the Grenoble section (to create an event). The section secretary writes one
synthesis per mode, on a consultation closed for that mode.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from coopol.auth.service import hash_password
from coopol.consultations import ballots, results
from coopol.consultations.models import Consultation
from coopol.consultations.service import add_option, options
from coopol.database import utcnow
from coopol.events import rsvps
from coopol.events.models import Event
from coopol.events.service import to_paris, to_utc
from coopol.extensions import db
from coopol.geo import service as geo_service
from coopol.geo.models import Section
from coopol.groups import service as groups_service
from coopol.groups import service_posts as posts
from coopol.groups.models import Group
from coopol.profile import service as profile_service
from coopol.profile.models import Member, Theme
from tests.e2e import seed_animateur_organiser, seed_consultation_phases
from tests.e2e.browser import MODES
from tests.e2e.server import DEMO_PASSWORD

NAMES = {"js": "Inès Morel", "nojs": "Hugo Petit", "keyboard": "Aïcha Diallo"}
VOTERS = ("Paul", "Sofia", "Malik", "Julie", "Yann", "Chloé")  # enough for a section's figures

GROUP = "Logement à Grenoble"
THREAD = "Permanence logement du samedi"
PROPOSAL = "Un observatoire des loyers"
LEAFLETING = "Tractage au marché de l'Estacade"
FULL_EVENT = "Réunion du bureau de section"
VOTE = "Le budget de la section pour 2027"
VOTE_OPTIONS = ("Une école de formation", "Un local ouvert le samedi", "Un journal trimestriel",
                "Des caravanes dans les quartiers", "Un fonds de solidarité")


def member_email(mode: str) -> str:
    return f"membre.{mode}@demo.coopol.fr"


def closed_title(mode: str) -> str:
    return f"Bilan de la campagne ({NAMES[mode]})"


def _member(email: str, name: str, commune, status: str = "adherent") -> Member:
    member = Member(email=email, display_name=name, status=status,
                    password_hash=hash_password(DEMO_PASSWORD), email_confirmed_at=utcnow(),
                    adherent_confirmed_at=utcnow())
    profile_service.place_member(member, commune)
    db.session.add(member)
    db.session.flush()
    return member


def _consultation(title: str, theme: Theme, admin: Member, now: datetime) -> Consultation:
    consultation = Consultation(
        title=title, theme_id=theme.id, context="Classe trois priorités.", method="ranking",
        max_choices=3, created_by_id=admin.id, contributions_open_at=now - timedelta(days=10),
        vote_opens_at=now + timedelta(days=1), vote_closes_at=now + timedelta(days=6),
        syntheses_due_at=now + timedelta(days=20))
    db.session.add(consultation)
    db.session.flush()
    for option in VOTE_OPTIONS:
        add_option(consultation, option, "", "organiser")
    consultation.vote_opens_at = now - timedelta(days=1)  # options are set before the vote
    db.session.flush()
    return consultation


def seed_journeys() -> None:
    """Add the journeys' members, thread, proposal, full event and consultations; commit."""
    by_email = {m.email: m for m in db.session.scalars(select(Member))}
    nadia, admin = by_email["secretaire.grenoble@demo.coopol.fr"], by_email["admin@demo.coopol.fr"]
    grenoble = db.session.scalar(select(Section).where(Section.name == "Grenoble"))
    commune = geo_service.communes_for_postal_code("38000")[0]
    themes = {t.name: t for t in db.session.scalars(select(Theme))}

    for mode in MODES:
        member = _member(member_email(mode), NAMES[mode], commune)
        profile_service.grant_role(None, member, "organiser", section_id=grenoble.id)
    voters = [_member(f"{name.lower()}@demo.coopol.fr", f"{name} Votant", commune)
              for name in VOTERS]

    group = db.session.scalar(select(Group).where(Group.name == GROUP))
    membership = groups_service.membership_of(nadia, group)
    thread = posts.start_thread(nadia, group, membership, THREAD,
                                "On tient une permanence **chaque samedi** à 10 h.")
    posts.reply(nadia, group, membership, thread, "Qui peut venir ce samedi ?")
    posts.draft_proposal(nadia, group, membership, PROPOSAL,
                         "Publier chaque année les loyers réellement payés, quartier par quartier.",
                         themes["Logement"].id)

    now = utcnow().replace(second=0, microsecond=0)
    day = to_paris(now).date() + timedelta(days=3)
    full = Event(kind="reunion", title=FULL_EVENT, description="Une petite salle : une place.",
                 starts_at=to_utc(datetime.combine(day, time(18))),
                 ends_at=to_utc(datetime.combine(day, time(20))), place_name="Local de section",
                 address="2 rue Très-Cloîtres", commune_insee=commune.insee,
                 section_id=grenoble.id, organiser_id=nadia.id, capacity=1)
    db.session.add(full)
    db.session.flush()
    rsvps.join(full.id, nadia)

    _consultation(VOTE, themes["Démocratie locale"], admin, now)
    for mode in MODES:
        closed = _consultation(closed_title(mode), themes["Démocratie locale"], admin, now)
        for rank, voter in enumerate(voters):
            option_ids = [o.id for o in options(closed)][rank % 2:][:3]
            ballots.cast_ballot(closed, voter, [(oid, i + 1) for i, oid in enumerate(option_ids)])
        closed.vote_closes_at = now - timedelta(hours=1)
        db.session.flush()
        results.close(closed)
    seed_consultation_phases.seed_consultations(_member)
    db.session.commit()
    seed_animateur_organiser.seed(NAMES, member_email)
