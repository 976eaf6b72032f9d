"""The small demo dataset that the quick start loads: three sections and a few members."""

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
    db.session.commit()
    click.echo(f"Démo chargée. Comptes (mot de passe « {DEMO_PASSWORD} ») :")
    for email, display_name, *_ in MEMBERS:
        click.echo(f"  {email}  ({display_name})")
