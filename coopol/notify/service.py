"""Notifications: who hears of what, the bulk insert, the list, the settings and mail-off links.

Receivers (receivers.py) choose the recipients as one SELECT; `deliver` reads their channels in
the same query and inserts the rows in chunks, skipping members who already have the same dedup
key, then queues the immediate mails. Queries per signal do not depend on the number of members
below CHUNK, and grow by one statement per CHUNK members above it.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import exists, func, literal, select, update

from .. import mail
from ..database import insert_ignoring_duplicates, utcnow
from ..extensions import db
from ..profile.models import Member
from .models import CHOICES, DEFAULT_CHANNELS, KINDS, Notification, NotificationSetting

CHUNK = 500


def channel_column(kind: str):
    """Return the SQL expression of a member's channel for a kind (their setting or default)."""
    return func.coalesce(getattr(NotificationSetting, kind), literal(DEFAULT_CHANNELS[kind]))


def deliver(kind: str, verb: str, recipients, *, title: str, target_type: str, target_id: int,
            dedup_key: str) -> int:
    """Notify every member whose id `recipients` (a SELECT of member ids) yields; return how many.

    Members who turned the kind off, who were erased or who already have this dedup key are
    skipped; members who chose mail get one at once, through the outbox.
    """
    channel = channel_column(kind)
    already = exists().where(Notification.member_id == Member.id,
                             Notification.dedup_key == dedup_key)
    rows = db.session.execute(
        select(Member.id, Member.email, Member.display_name, channel,
               Member.email_confirmed_at.is_not(None))
        .outerjoin(NotificationSetting, NotificationSetting.member_id == Member.id)
        .where(Member.id.in_(recipients), Member.erased_at.is_(None), channel != "off", ~already)
        .order_by(Member.id)).all()
    now = utcnow()
    allowed = CHOICES[kind]
    made = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        values = []
        for member_id, _email, _name, chosen, confirmed in chunk:
            # No mail to an address that was never confirmed: the app only.
            chosen = chosen if chosen in allowed and (confirmed or chosen == "app") else "app"
            values.append({"member_id": member_id, "kind": kind, "verb": verb, "title": title,
                           "target_type": target_type, "target_id": target_id,
                           "dedup_key": dedup_key, "channel": chosen, "created_at": now,
                           "mailed_at": now if chosen == "mail" else None})
        table = Notification.__table__
        inserted = dict(db.session.execute(
            insert_ignoring_duplicates(db.session, table)
            .returning(table.c.member_id, table.c.id), values).all())
        made += len(inserted)
        for (member_id, email, name, *_), value in zip(chunk, values, strict=True):
            if value["channel"] == "mail" and member_id in inserted:
                mail.queue(email, "notification", name=name, kind=kind, verb_name=verb, title=title,
                           notification_id=inserted[member_id],
                           off_token=off_token(member_id, kind))
    return made


# --- reading ----------------------------------------------------------------------------------


def unread_count(member) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.member_id == member.id, Notification.read_at.is_(None))) or 0


def list_query(member):
    """Return the member's notifications, newest first."""
    return (select(Notification).where(Notification.member_id == member.id)
            .order_by(Notification.id.desc()))


def mark_all_read(member) -> int:
    """Mark every unread notification of the member read; return how many."""
    return db.session.execute(
        update(Notification).where(Notification.member_id == member.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount


def open_notification(member, notification_id: int) -> Notification | None:
    """Return the member's notification, marked read; None when it is not theirs."""
    notification = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.member_id == member.id))
    if notification is not None and notification.read_at is None:
        notification.read_at = utcnow()
    return notification


# --- settings ---------------------------------------------------------------------------------


def settings_of(member) -> dict:
    """Return the member's channel per kind and digest period (defaults where unset)."""
    row = db.session.get(NotificationSetting, member.id)
    values = {kind: getattr(row, kind) if row else DEFAULT_CHANNELS[kind] for kind in KINDS}
    values["digest_period"] = row.digest_period if row else "weekly"
    return values


def save_settings(member_id: int, **values) -> NotificationSetting:
    """Store the member's choices; a channel a kind does not offer is refused."""
    row = db.session.get(NotificationSetting, member_id)
    if row is None:
        row = NotificationSetting(member_id=member_id, **DEFAULT_CHANNELS, digest_period="weekly")
        db.session.add(row)
    for kind in KINDS:
        if kind in values:
            if values[kind] not in CHOICES[kind]:
                raise ValueError(kind)
            setattr(row, kind, values[kind])
            if values[kind] != "digest":  # what waited for the digest stays in the app
                db.session.execute(update(Notification).where(
                    Notification.member_id == member_id, Notification.kind == kind,
                    Notification.channel == "digest", Notification.digested_at.is_(None))
                    .values(channel="app"))
    if "digest_period" in values:
        row.digest_period = values["digest_period"]
    row.updated_at = utcnow()
    return row


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="notify-mail-off")


def off_token(member_id: int, kind: str) -> str:
    """Sign the link that turns one kind of mail off for one member."""
    return _serializer().dumps([member_id, kind])


def read_off_token(token: str) -> tuple[Member, str] | None:
    """Return the member and kind a mail-off link names; None if forged or stale."""
    try:
        member_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if kind not in KINDS or not isinstance(member_id, int):
        return None
    member = db.session.get(Member, member_id)
    if member is None or member.erased_at is not None:
        return None
    return member, kind


def turn_mail_off(member: Member, kind: str) -> None:
    """Keep the kind in the app, without mail or digest."""
    current = settings_of(member)[kind]
    if current in ("mail", "digest"):
        save_settings(member.id, **{kind: "app"})
