"""What the consultations journeys of the roll-up add to the live server's data.

- a consultation in its contribution phase, where each mode's member proposes a priority;
- a vote-phase consultation with six options where up to five are ranked;
- the secretary of the Isère fédération (38), who writes its synthesis after the close.
"""

from datetime import timedelta

from sqlalchemy import select

from coopol.consultations.models import Consultation
from coopol.consultations.service import add_option
from coopol.database import utcnow
from coopol.extensions import db
from coopol.geo import service as geo_service
from coopol.profile import service as profile_service
from coopol.profile.models import Member, Theme

CONTRIBUTIONS = "Nos priorités pour l'université d'été"
RANK_FIVE = "Les chantiers de la fédération"
RANK_FIVE_OPTIONS = ("Former les nouveaux adhérents", "Ouvrir une permanence juridique",
                     "Publier un bulletin mensuel", "Organiser une fête populaire",
                     "Soutenir les luttes locales", "Créer une caisse de grève")
FEDERATION_SECRETARY = ("secretaire.isere@demo.coopol.fr", "Odile Faure")


def seed_consultations(member) -> None:
    """Add the two open consultations and the fédération secretary (`member` makes one)."""
    admin = db.session.scalar(select(Member).where(Member.email == "admin@demo.coopol.fr"))
    theme = db.session.scalar(select(Theme).where(Theme.name == "Démocratie locale"))
    now = utcnow().replace(second=0, microsecond=0)

    def consultation(title: str, max_choices: int, vote_in: timedelta) -> Consultation:
        found = Consultation(
            title=title, theme_id=theme.id, context="Dis-nous ce qui compte pour toi.",
            method="ranking", max_choices=max_choices, created_by_id=admin.id,
            contributions_open_at=now - timedelta(days=5), vote_opens_at=now + timedelta(days=1),
            vote_closes_at=now + timedelta(days=8), syntheses_due_at=now + timedelta(days=20))
        db.session.add(found)
        db.session.flush()
        found.vote_opens_at = now + vote_in
        return found

    consultation(CONTRIBUTIONS, 3, timedelta(days=3))
    ranked = consultation(RANK_FIVE, 5, timedelta(days=1))
    for title in RANK_FIVE_OPTIONS:
        add_option(ranked, title, "", "organiser")
    ranked.vote_opens_at = now - timedelta(days=1)  # options are set before the vote
    db.session.flush()

    email, name = FEDERATION_SECRETARY
    secretary = member(email, name, geo_service.communes_for_postal_code("38000")[0])
    profile_service.grant_role(None, secretary, "secretary", federation_code="38")
    db.session.flush()
