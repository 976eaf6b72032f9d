"""RSVPs: the capacity guard, the waiting list, guests' confirmation links, check-in.

Every change to an event's participants starts with `lock_event`: one UPDATE of the event's row,
which PostgreSQL holds as a row lock and SQLite as its write lock until the commit. Concurrent
RSVPs to the same event therefore queue up behind each other, whatever the database, and
`_take_place` then only succeeds while `going_count` is below the capacity.
"""

import io
import secrets

import segno
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from .. import mail, signals
from ..database import utcnow
from ..extensions import db
from ..profile import service as profile_service
from ..profile.blocking import not_blocked, not_blocked_email
from .models import Event, Rsvp
from .service import active_rsvps, describe, paris_midnight

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
STATUS_ORDER = ("going", "waitlisted", "pending", "cancelled")


class RsvpError(Exception):
    """An RSVP that the event's state refuses; the message is for the person."""


def lock_event(event_id: int) -> Event:
    """Lock the event's row for this transaction and return it freshly read."""
    db.session.execute(
        update(Event).where(Event.id == event_id).values(going_count=Event.going_count)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalars(
        select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    ).one()


def _take_place(event_id: int) -> bool:
    """Count one more person going, only while below the capacity; tell whether it worked."""
    taken = db.session.execute(
        update(Event)
        .where(Event.id == event_id,
               Event.capacity.is_(None) | (Event.going_count < Event.capacity))
        .values(going_count=Event.going_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return taken == 1


def free_place(event_id: int) -> None:
    db.session.execute(
        update(Event).where(Event.id == event_id)
        .values(going_count=Event.going_count - 1)
        .execution_options(synchronize_session=False)
    )


def _fresh(query) -> Rsvp | None:
    return db.session.scalars(query.execution_options(populate_existing=True)).first()


def _check_open(event: Event) -> None:
    if event.is_cancelled:
        raise RsvpError(_l("Cet événement est annulé."))
    if event.has_started:
        raise RsvpError(_l("Cet événement a déjà commencé ou est passé."))


def _new_code(event_id: int) -> str:
    """Draw a short code not yet used at this event (the event is locked meanwhile)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = db.session.scalar(
            select(Rsvp.id).where(Rsvp.event_id == event_id, Rsvp.code == code)
        )
        if taken is None:
            return code


def _place(event: Event, rsvp: Rsvp) -> None:
    """Put the person among those going, or at the end of the waiting list when full."""
    rsvp.status = "going" if _take_place(event.id) else "waitlisted"
    rsvp.queued_at = utcnow()


def _promote_first(event: Event) -> Rsvp | None:
    """Give a free place to the first person waiting, who is told by mail."""
    first = _fresh(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.status == "waitlisted")
        .options(selectinload(Rsvp.member)).order_by(Rsvp.queued_at, Rsvp.id).limit(1)
    )
    if first is None or not _take_place(event.id):
        return None
    first.status = "going"
    db.session.flush()
    signals.rsvp_changed.send(first, change="promoted")
    mail.queue(first.email, "rsvp_promoted", name=first.name, guest=first.member_id is None,
               token=cancel_token(first) if first.member_id is None else "", **describe(event))
    return first


def withdraw(event: Event, rsvp: Rsvp) -> Rsvp | None:
    """Cancel an RSVP; a freed place goes to the first waiting. Return who got it."""
    was_going = rsvp.status == "going"
    rsvp.status = "cancelled"
    if not was_going:
        return None
    free_place(event.id)
    db.session.flush()
    return _promote_first(event)


def promote_waiting(event: Event) -> int:
    """Let waiting people in while there is room (after the capacity grew); return how many."""
    db.session.flush()
    promoted = 0
    while _promote_first(event) is not None:
        promoted += 1
    return promoted


# --- members ---------------------------------------------------------------------------------


def member_rsvp(event_id: int, member) -> Rsvp | None:
    return db.session.scalar(
        select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.member_id == member.id)
    )


def join(event_id: int, member) -> Rsvp:
    """Say the member comes: going while there is room, else on the waiting list."""
    event = lock_event(event_id)
    _check_open(event)
    rsvp = _fresh(select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.member_id == member.id))
    if rsvp is not None and rsvp.is_active:
        raise RsvpError(_l("Tu es déjà inscrit·e à cet événement."))
    if rsvp is None:
        rsvp = Rsvp(event_id=event_id, member_id=member.id, code=_new_code(event_id),
                    status="pending")
        db.session.add(rsvp)
    _place(event, rsvp)
    db.session.flush()
    return rsvp


def leave(event_id: int, member) -> Rsvp:
    """Say the member no longer comes; their place goes to the first waiting."""
    event = lock_event(event_id)
    _check_open(event)
    rsvp = _fresh(select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.member_id == member.id))
    if rsvp is None or not rsvp.is_active:
        raise RsvpError(_l("Tu n'es pas inscrit·e à cet événement."))
    withdraw(event, rsvp)
    db.session.flush()
    return rsvp


# --- guests ----------------------------------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def confirm_token(rsvp: Rsvp) -> str:
    return _serializer("event-guest-confirm").dumps({"r": rsvp.id})


def cancel_token(rsvp: Rsvp) -> str:
    # Tied to the code: a link stays valid for that RSVP only.
    return _serializer("event-guest-cancel").dumps({"r": rsvp.id, "c": rsvp.code})


def rsvp_for_token(kind: str, token: str) -> Rsvp | None:
    """Return the guest RSVP a mailed link is for, or None when the link is bad or stale."""
    max_age = current_app.config["CONFIRM_LINK_MAX_AGE"] if kind == "confirm" else None
    try:
        data = _serializer(f"event-guest-{kind}").loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    rsvp = db.session.get(Rsvp, data.get("r")) if isinstance(data, dict) else None
    if rsvp is None or rsvp.member_id is not None:
        return None
    if kind == "cancel" and data.get("c") != rsvp.code:
        return None
    return rsvp


def guest_request(event_id: int, name: str, email: str, locale: str = "fr") -> Rsvp:
    """Record a guest's wish to come and mail the link that confirms it (or their own link)."""
    event = lock_event(event_id)
    _check_open(event)
    if not event.is_public:
        raise RsvpError(_l("Cet événement est réservé aux membres."))
    email = profile_service.normalise_email(email)
    rsvp = _fresh(select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.guest_email == email))
    if rsvp is None:
        rsvp = Rsvp(event_id=event_id, guest_email=email, code=_new_code(event_id),
                    status="pending")
        db.session.add(rsvp)
    if not rsvp.is_active:
        rsvp.status = "pending"
        rsvp.guest_name = name.strip()
    db.session.flush()
    if rsvp.is_active:  # already in: send their links again, say nothing to a stranger
        mail.queue(email, "guest_confirmed", locale=locale, name=rsvp.guest_name,
                   status=rsvp.status, code=rsvp.code, token=cancel_token(rsvp),
                   **describe(event))
    else:
        mail.queue(email, "guest_confirm", locale=locale, name=rsvp.guest_name,
                   token=confirm_token(rsvp), **describe(event))
    return rsvp


def guest_confirm(rsvp: Rsvp, locale: str = "fr") -> Rsvp:
    """Turn a guest's confirmed wish into a place or a spot on the waiting list."""
    event = lock_event(rsvp.event_id)
    _check_open(event)
    rsvp = _fresh(select(Rsvp).where(Rsvp.id == rsvp.id))
    if rsvp.status == "pending":
        _place(event, rsvp)
        db.session.flush()
        mail.queue(rsvp.email, "guest_confirmed", locale=locale, name=rsvp.guest_name,
                   status=rsvp.status, code=rsvp.code, token=cancel_token(rsvp),
                   **describe(event))
    elif rsvp.status == "cancelled":
        raise RsvpError(_l("Cette inscription a été annulée : inscris-toi de nouveau."))
    return rsvp


def check_in_url(event_id: int, code: str) -> str:
    """Return the address an organiser's phone opens from a participant's QR code."""
    return url_for("events.participants", event_id=event_id, code=code, _external=True)


@mail.register_builder("guest_confirmed")
def guest_confirmed_qr(outbox) -> tuple[dict, dict]:
    """Give a guest's confirmation mail their QR code (an inline PNG) once they have a place."""
    context = outbox.context
    if context.get("status") != "going":
        return {}, {}
    png = io.BytesIO()
    segno.make(check_in_url(context["event_id"], context["code"]), error="m").save(
        png, kind="png", scale=4, border=2)
    return {"inline_images": {"qr": png.getvalue()}}, {}


def guest_cancel(rsvp: Rsvp) -> Rsvp:
    """Cancel a guest's RSVP from the link in their mail."""
    event = lock_event(rsvp.event_id)
    _check_open(event)
    rsvp = _fresh(select(Rsvp).where(Rsvp.id == rsvp.id))
    if rsvp.is_active or rsvp.status == "pending":
        withdraw(event, rsvp)
        db.session.flush()
    return rsvp


# --- organisers ------------------------------------------------------------------------------


def participants_query(event: Event):
    """Return the query of everyone who answered, going first, then by arrival."""
    order = {status: rank for rank, status in enumerate(STATUS_ORDER)}
    return (
        select(Rsvp).where(Rsvp.event_id == event.id, not_blocked(Rsvp.member_id),
                           not_blocked_email(Rsvp.guest_email))
        .options(selectinload(Rsvp.member))
        .order_by(case(order, value=Rsvp.status, else_=9), Rsvp.queued_at, Rsvp.id)
    )


def figures(event: Event) -> dict:
    """Count participants by status, and those checked in, in one query."""
    rows = db.session.execute(
        select(Rsvp.status, func.count(), func.count(Rsvp.checked_in_at))
        .where(Rsvp.event_id == event.id).group_by(Rsvp.status)
    ).all()
    counts = {status: 0 for status in STATUS_ORDER}
    checked_in = 0
    for status, count, checked in rows:
        counts[status] = count
        checked_in += checked
    return {**counts, "checked_in": checked_in}


def set_check_in(rsvp: Rsvp, present: bool) -> None:
    """Mark someone present or not; only those with a place (or waiting) can be."""
    if present and not rsvp.is_active:
        raise RsvpError(_l("Cette personne n'est pas inscrite."))
    rsvp.checked_in_at = (rsvp.checked_in_at or utcnow()) if present else None


def rsvp_by_code(event: Event, code: str) -> Rsvp | None:
    code = "".join((code or "").split()).upper()[:CODE_LENGTH + 2]
    return db.session.scalar(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.code == code)
        .options(selectinload(Rsvp.member))
    )


def message_participants(actor, event: Event, subject: str, body: str) -> int:
    """Mail everyone going or waiting through the outbox, and log who sent it."""
    rsvps = active_rsvps(event)
    for rsvp in rsvps:
        mail.queue(rsvp.email, "event_message", name=rsvp.name, subject=subject, body=body,
                   sender=actor.display_name, **describe(event))
    profile_service.audit(actor, "event.message", event_id=event.id, recipients=len(rsvps))
    return len(rsvps)


def reminders_due(now=None) -> int:
    """Mail tomorrow's participants (Paris days) once each; return how many were mailed."""
    start, end = paris_midnight(1, now), paris_midnight(2, now)
    due = db.session.scalars(
        select(Rsvp).join(Event, Rsvp.event_id == Event.id)
        .where(Event.status == "scheduled", Event.starts_at >= start, Event.starts_at < end,
               Rsvp.status == "going", Rsvp.reminded_at.is_(None))
        .options(selectinload(Rsvp.member), selectinload(Rsvp.event).selectinload(Event.commune))
        .order_by(Rsvp.id)
    ).all()
    sent = 0
    for rsvp in due:
        # Claimed with a conditional UPDATE: two runs at once still mail each person once.
        won = db.session.execute(
            update(Rsvp).where(Rsvp.id == rsvp.id, Rsvp.reminded_at.is_(None))
            .values(reminded_at=utcnow()).execution_options(synchronize_session=False)
        ).rowcount
        if won:
            mail.queue(rsvp.email, "event_reminder", name=rsvp.name, code=rsvp.code,
                       guest=rsvp.member_id is None,
                       token=cancel_token(rsvp) if rsvp.member_id is None else "",
                       **describe(rsvp.event))
            sent += 1
        db.session.commit()
    return sent
