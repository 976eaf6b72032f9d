"""Notifications' part in members' data rights (GDPR): export, erasure, retention."""

from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..profile import privacy
from .models import Notification, NotificationSetting
from .service import settings_of

# Notifications are news: after a year they say nothing worth keeping.
RETENTION = timedelta(days=365)
EXPORTED = 1000


def _when(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


@privacy.collect_member_data.connect
def member_data(member):
    """Return the member's notification settings and latest notifications."""
    notes = db.session.scalars(select(Notification).where(Notification.member_id == member.id)
                               .order_by(Notification.id.desc()).limit(EXPORTED))
    return {
        "reglages_notifications": settings_of(member),
        "notifications": [{"sorte": n.kind, "quoi": n.verb, "titre": n.title,
                           "date": _when(n.created_at), "lue": _when(n.read_at)}
                          for n in notes],
    }


@privacy.erasing_member.connect
def erase_member(member):
    """Drop the member's notifications and settings."""
    db.session.execute(delete(Notification).where(Notification.member_id == member.id))
    db.session.execute(delete(NotificationSetting).where(
        NotificationSetting.member_id == member.id))


@privacy.purging.connect
def purge_old(now):
    """Forget notifications older than a year."""
    count = db.session.execute(delete(Notification).where(
        Notification.created_at < now - RETENTION)
        .execution_options(synchronize_session=False)).rowcount
    return {"notifications de plus d'un an": count}
