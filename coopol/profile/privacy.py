"""A member's rights over their data (GDPR): export everything, erase the account, retention.

Other blueprints take part through two signals, so this module never imports them:
- `collect_member_data` — receivers return a dict {title: data} of what they hold on the member;
- `erasing_member` — receivers remove or anonymise what they hold, in the same transaction.
"""

from datetime import timedelta

from blinker import Namespace
from sqlalchemy import delete, select

from ..database import utcnow
from ..extensions import db
from ..mail import OutboxMail
from .models import AuditLog, ConsentEvent, Member, Role

signals = Namespace()
collect_member_data = signals.signal("collect-member-data")
erasing_member = signals.signal("erasing-member")
purging = signals.signal("purging")

ERASED_NAME = "Ancien membre"
# Not a hash any algorithm produces, so no password ever matches it.
UNUSABLE_HASH = "!"


def _when(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


def member_data(member: Member) -> dict:
    """Gather everything Coopol holds on the member, as plain JSON-ready data."""
    data = {
        "profil": {
            "email": member.email,
            "nom": member.display_name,
            "commune": member.commune.name if member.commune else None,
            "code_insee": member.commune_insee,
            "section": member.section.name if member.section else None,
            "statut": member.status,
            "adhesion_confirmee": _when(member.adherent_confirmed_at),
            "themes": [t.name for t in member.interests],
            "competences": member.skills,
            "presentation": member.bio,
            "visibilite": member.visibility,
            "accord_mobilisation": _when(member.mobilisation_consent_at),
            "email_confirme": _when(member.email_confirmed_at),
            "inscription": _when(member.created_at),
            "derniere_visite": _when(member.last_seen_at),
            "bloque_le": _when(member.blocked_at),
            "raison_du_blocage": member.blocked_reason or None,
        },
        "historique_accord": [
            {"date": _when(e.at), "accord": e.given}
            for e in db.session.scalars(select(ConsentEvent).where(
                ConsentEvent.member_id == member.id).order_by(ConsentEvent.at))
        ],
        "roles": [{"role": r.role, "perimetre": r.scope_label} for r in member.roles],
        "actions_me_concernant": [
            {"date": _when(a.at), "action": a.action}
            for a in db.session.scalars(select(AuditLog).where(
                AuditLog.subject_id == member.id).order_by(AuditLog.at).limit(1000))
        ],
    }
    for _receiver, part in collect_member_data.send(member):
        data.update(part or {})
    return data


def erase(member: Member) -> None:
    """Erase the account: personal data goes, contributions stay signed "Ancien membre"."""
    erasing_member.send(member)
    db.session.execute(delete(ConsentEvent).where(ConsentEvent.member_id == member.id))
    db.session.execute(delete(Role).where(Role.member_id == member.id))
    db.session.execute(delete(OutboxMail).where(OutboxMail.recipient == member.email))
    db.session.add(AuditLog(actor_id=None, action="member.erase", subject_id=member.id,
                            details={}))
    member.email = f"efface-{member.id}@coopol.invalid"
    member.display_name = ERASED_NAME
    member.password_hash = UNUSABLE_HASH
    member.commune_insee = None
    member.section_id = None
    member.interests = []
    member.skills = ""
    member.bio = ""
    member.visibility = "organisers"
    member.mobilisation_consent_at = None
    member.adherent_confirmed_at = None
    member.status = "sympathisant"
    member.last_seen_at = None
    member.erased_at = utcnow()
    member.rotate_sessions()


def purge(unconfirmed_days: int = 30, sent_mail_days: int = 30) -> dict[str, int]:
    """Delete what we no longer need: never-confirmed accounts and old sent mail."""
    now = utcnow()
    stale = list(db.session.scalars(select(Member).where(
        Member.email_confirmed_at.is_(None), Member.erased_at.is_(None),
        Member.created_at < now - timedelta(days=unconfirmed_days))))
    for member in stale:
        erasing_member.send(member)
        db.session.delete(member)
    mails = db.session.execute(delete(OutboxMail).where(
        OutboxMail.status.in_(("sent", "failed", "cancelled")),
        OutboxMail.created_at < now - timedelta(days=sent_mail_days))).rowcount
    counts = {"comptes non confirmés": len(stale), "mails envoyés": mails}
    for _receiver, part in purging.send(now):
        counts.update(part or {})
    return counts
