"""Command-line tools for the volunteer admin: `flask --app wsgi <command>`."""

import sys

import click
from sqlalchemy import func, select

from . import demo, mail, ops, seed_scale
from .database import utcnow
from .extensions import db
from .geo import service as geo_service
from .profile import privacy
from .profile import service as profile_service
from .profile.models import Member, Theme

DEFAULT_THEMES = (
    "Écologie et climat", "Logement", "Santé", "Éducation", "Travail et emploi",
    "Services publics", "Démocratie locale", "Droits des étrangers", "Égalité femmes-hommes",
    "Transports", "Culture", "Numérique", "Agriculture et alimentation", "Jeunesse",
    "Quartiers populaires", "Europe et international",
)


def ensure_themes() -> int:
    """Create the default themes when there are none yet; return how many were made."""
    if db.session.scalar(select(func.count()).select_from(Theme)):
        return 0
    db.session.add_all(Theme(name=name) for name in DEFAULT_THEMES)
    db.session.commit()
    return len(DEFAULT_THEMES)


@click.command("init")
@click.option("--demo", "with_demo", is_flag=True, help="Also load the demo sections and members.")
def init_command(with_demo: bool):
    """Create or upgrade the database, load the geography and themes (safe to run again)."""
    # Geography and themes load under the migration lock too: two servers starting together
    # would otherwise both find the tables empty and both insert.
    counts, made = ops.migrate_once(lambda: (geo_service.load_geography(), ensure_themes()))
    if counts:
        click.echo("Géographie chargée : " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if made:
        click.echo(f"{made} thèmes créés.")
    if with_demo:
        demo.seed_demo()


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Admin", help="Display name, for a new account.")
@click.option("--password", help="Password, for a new account (asked when on a terminal).")
def create_admin_command(email: str, name: str, password: str | None):
    """Make EMAIL a national admin, creating the account if it does not exist."""
    from .auth.service import hash_password

    member = profile_service.get_member_by_email(email)
    if member is None:
        if not password and sys.stdin.isatty():
            password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
        if not password:
            raise click.UsageError("Ce compte n'existe pas : indique --password pour le créer.")
        member = Member(email=profile_service.normalise_email(email),
                        password_hash=hash_password(password), display_name=name,
                        email_confirmed_at=utcnow())
        db.session.add(member)
        db.session.flush()
    if profile_service.grant_role(None, member, "admin"):
        click.echo(f"{member.email} est maintenant administrateur·ice national·e.")
    else:
        click.echo(f"{member.email} était déjà administrateur·ice national·e.")
    db.session.commit()


geo_cli = click.Group("geo", help="French geography.")


@geo_cli.command("load")
def geo_load_command():
    """Load the shipped communes, fédérations and EPCI into an empty database."""
    counts = geo_service.load_geography()
    click.echo(", ".join(f"{v} {k}" for k, v in counts.items()) or "Déjà chargée.")


@click.command("purge")
@click.option("--unconfirmed-days", default=30, show_default=True)
@click.option("--sent-mail-days", default=30, show_default=True)
def purge_command(unconfirmed_days: int, sent_mail_days: int):
    """Delete what Coopol no longer needs (run daily): see the privacy page."""
    counts = privacy.purge(unconfirmed_days, sent_mail_days)
    db.session.commit()
    click.echo(", ".join(f"{v} {k}" for k, v in counts.items()) + " supprimés.")


seed_cli = click.Group("seed", help="Example data.")


@seed_cli.command("demo")
def seed_demo_command():
    """Load a small French demo: sections in Grenoble, Cergy and Paris, and a few members."""
    demo.seed_demo()


@seed_cli.command("scale")
@click.option("--seed", default=1, show_default=True, help="Same seed, same dataset.")
@click.option("--members", default=40000, show_default=True)
def seed_scale_command(seed: int, members: int):
    """Build the national dataset (40,000 members, groups, events, consultations) for benchmarks."""
    ensure_themes()
    seed_scale.seed_scale(seed, members)


def init_app(app):
    for command in (init_command, create_admin_command, geo_cli, seed_cli, mail.outbox_cli,
                    purge_command):
        app.cli.add_command(command)
