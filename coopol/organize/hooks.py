"""What organize adds to the member's profile, and its part in members' data rights (GDPR)."""

from sqlalchemy import delete

from ..extensions import db
from ..profile import panels, privacy
from . import mobilise
from .models import MobilisationRecipient


def _when(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


@panels.showing_profile.connect
def contacted_box(member):
    """Put "Qui m'a contacté" on the member's own profile: the last mobilisations that
    reached them."""
    received = list(db.session.scalars(mobilise.received_query(member).limit(3)))
    return "organize/_contacted_box.html", {"received": received}


@privacy.collect_member_data.connect
def member_data(member):
    """Return the mobilisations that reached the member and those they sent."""
    received = db.session.scalars(mobilise.received_query(member).limit(1000))
    sent = db.session.scalars(mobilise.mine_query(member).limit(1000))
    return {
        "mobilisations_recues": [
            {"date": _when(m.created_at), "objet": m.subject,
             "expediteur": m.sender.display_name if m.sender else None} for m in received],
        "mobilisations_envoyees": [
            {"date": _when(m.created_at), "objet": m.subject, "message": m.body,
             "destinataires": m.recipient_count} for m in sent],
    }


@privacy.erasing_member.connect
def erase_member(member):
    """Forget which mobilisations reached the member; those they sent stay, signed
    "Ancien membre" like the rest of their contributions."""
    db.session.execute(delete(MobilisationRecipient).where(
        MobilisationRecipient.member_id == member.id))
