"""The small demo dataset that the quick start loads: three sections and a few members."""

from datetime import datetime, time, timedelta

import click
from sqlalchemy import select

from .auth.service import hash_password
from .database import utcnow
from .extensions import db
from .geo import service as geo_service
from .geo.models import Section
from .profile import service as profile_service
from .profile.models import Member, Theme

# The demo accounts' password, printed to the volunteer who loads the demo.
DEMO_PASSWORD = "coopol-demo"  # noqa: S105  # nosec B105

SECTIONS = (
    ("Grenoble", "38", "cp:38000 cp:38100 cp:38130"),
    ("Cergy-Pontoise", "95", "cp:95000 cp:95300 cp:95800"),
    ("Paris 11e", "75", "insee:75111"),
)

MEMBERS = (
    # email, name, postal code, status, roles, themes
    ("admin@demo.coopol.fr", "Camille Admin", "75011", "adherent", [("admin", None)], []),
    ("secretaire.grenoble@demo.coopol.fr", "Nadia Benali", "38000", "adherent",
     [("secretary", "Grenoble")], ["Logement", "Santé"]),
    ("secretaire.cergy@demo.coopol.fr", "Thomas Leroy", "95000", "adherent",
     [("secretary", "Cergy-Pontoise")], ["Jeunesse", "Démocratie locale"]),
    ("lea@demo.coopol.fr", "Léa Martin", "38100", "sympathisant", [],
     ["Écologie et climat", "Transports"]),
    ("karim@demo.coopol.fr", "Karim Haddad", "95000", "adherent", [],
     ["Droits des étrangers", "Jeunesse"]),
)


def seed_demo() -> None:
    """Create the demo sections and members unless they exist; print how to log in."""
    if db.session.scalar(select(Member.id).where(Member.email == MEMBERS[0][0])):
        click.echo("Démo déjà chargée.")
        return
    sections = {}
    for name, federation, codes in SECTIONS:
        communes, _ = geo_service.resolve_communes(codes)
        section = Section(federation_code=federation)
        sections[name] = geo_service.save_section(section, name, communes)
    themes = {t.name: t for t in db.session.scalars(select(Theme))}
    for email, display_name, postal_code, status, roles, interests in MEMBERS:
        member = Member(email=email, display_name=display_name, status=status,
                        password_hash=hash_password(DEMO_PASSWORD), email_confirmed_at=utcnow(),
                        adherent_confirmed_at=utcnow() if status == "adherent" else None)
        profile_service.place_member(member, geo_service.communes_for_postal_code(postal_code)[0])
        member.interests = [themes[name] for name in interests if name in themes]
        db.session.add(member)
        db.session.flush()
        for role, section_name in roles:
            section_id = sections[section_name].id if section_name else None
            profile_service.grant_role(None, member, role, section_id=section_id)
    db.session.flush()
    _seed_activity({m.email: m for m in db.session.scalars(select(Member))}, sections, themes)
    db.session.commit()
    click.echo(f"Démo chargée. Comptes (mot de passe « {DEMO_PASSWORD} ») :")
    for email, display_name, *_ in MEMBERS:
        click.echo(f"  {email}  ({display_name})")


def _seed_activity(members: dict, sections: dict, themes: dict) -> None:
    """Give the demo something to look at: groups, upcoming events, an open consultation."""
    from .consultations.models import Consultation
    from .consultations.service import add_option
    from .events import rsvps
    from .events.models import Event
    from .events.service import to_paris, to_utc
    from .groups import service as groups_service

    nadia = members["secretaire.grenoble@demo.coopol.fr"]
    karim = members["karim@demo.coopol.fr"]
    lea = members["lea@demo.coopol.fr"]
    admin = members["admin@demo.coopol.fr"]
    national = groups_service.create_group(
        karim, "Droit de vote des étrangers aux élections locales",
        "Campagne pour le droit de vote des résidents étrangers aux élections municipales.",
        [themes["Droits des étrangers"].id], local=False, is_open=True)
    groups_service.create_group(
        nadia, "Logement à Grenoble", "Loyers, expulsions, logement social : on s'organise.",
        [themes["Logement"].id], local=True, is_open=True)
    db.session.flush()
    groups_service.join(lea, national)

    now = utcnow().replace(minute=0, second=0, microsecond=0)
    today = to_paris(now).date()

    def paris(days: int, hour: int):
        return to_utc(datetime.combine(today + timedelta(days=days), time(hour)))

    leafleting = Event(
        kind="tractage", title="Tractage au marché de l'Estacade",
        description="On distribue le journal de la section. **Rendez-vous** devant la halle.",
        starts_at=paris(2, 9), ends_at=paris(2, 11),
        place_name="Marché de l'Estacade", address="Avenue Jean Jaurès",
        commune_insee="38185", section_id=sections["Grenoble"].id, organiser_id=nadia.id,
        theme_id=themes["Logement"].id, capacity=8)
    walk = Event(
        kind="porte_a_porte", title="Inscriptions sur les listes électorales",
        description="Porte-à-porte avec les jeunes du quartier pour les inscriptions.",
        starts_at=paris(5, 14), ends_at=paris(5, 16),
        place_name="Place des Touleuses", address="Place des Touleuses",
        commune_insee="95127", section_id=sections["Cergy-Pontoise"].id,
        organiser_id=members["secretaire.cergy@demo.coopol.fr"].id,
        theme_id=themes["Jeunesse"].id)
    db.session.add_all([leafleting, walk])
    db.session.flush()
    rsvps.join(leafleting.id, lea)
    rsvps.join(walk.id, karim)

    consultation = Consultation(
        title="Nos priorités pour les municipales", theme_id=themes["Démocratie locale"].id,
        context="Classe les cinq priorités qui comptent le plus pour toi.",
        method="ranking", max_choices=5, created_by_id=admin.id,
        contributions_open_at=now - timedelta(days=3), vote_opens_at=now + timedelta(days=2),
        vote_closes_at=now + timedelta(days=9), syntheses_due_at=now + timedelta(days=20))
    db.session.add(consultation)
    db.session.flush()
    for title in ("Des transports publics gratuits", "Des cantines bio et locales",
                  "Un budget participatif dans chaque quartier", "Rénover les logements sociaux",
                  "Des centres de santé municipaux"):
        add_option(consultation, title, "", "organiser")
