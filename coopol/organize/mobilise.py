"""Mobilisations: check what a message points to, queue it in bulk, follow it, unsubscribe.

Queuing is one INSERT … SELECT into the outbox and one into `mobilisation_recipient`, so
20,000 recipients take well under a second. Mails carry no per-recipient context: the worker
builds the unsubscribe link from the member id when it renders each mail.
"""

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import JSON, func, insert, literal, select
from sqlalchemy.orm import joinedload

from ..consultations.models import Consultation
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..groups.models import Group
from ..mail import Cancelled, OutboxMail, register_builder
from ..markdown import render_markdown
from ..profile import service as profile_service
from ..profile.models import Member
from .models import Mobilisation, MobilisationRecipient
from .service import MemberFilter, Refusal, Scope, conditions

TEMPLATE = "organize_mobilisation"
_SALT = "organize-unsubscribe"


# --- what a message points to ---------------------------------------------------------------


def find_target(scope: Scope, kind: str, target_id: int | None):
    """Return the event, group or consultation a message points to, checked against the
    scope; raise a Refusal when it does not exist or lies outside."""
    if not kind:
        return None
    model = {"event": Event, "group": Group, "consultation": Consultation}[kind]
    target = db.session.get(model, target_id) if target_id else None
    if target is None:
        raise Refusal(_("Ce vers quoi le message renvoie n'existe pas : vérifie le numéro."),
                      422, "target_id")
    if kind == "event":
        usable = target.status == "scheduled" and not target.is_past
        section = target.section
        inside = scope.covers(section.id, section.federation_code)
    elif kind == "group":
        usable = target.archived_at is None
        inside = _covers_area(scope, target.section, target.federation_code)
    else:
        usable = target.closed_at is None
        inside = _covers_area(scope, target.section, target.federation_code)
    if not usable:
        raise Refusal(_("Ce vers quoi le message renvoie est passé, annulé ou fermé."), 422,
                      "target_id")
    if not inside:
        raise Refusal(_("Ce vers quoi le message renvoie est hors de ton périmètre."), 422,
                      "target_id")
    return target


def _covers_area(scope: Scope, section, federation_code) -> bool:
    """National things are open to every organiser; local ones need the scope."""
    if section is not None:
        return scope.covers(section.id, section.federation_code)
    if federation_code is not None:
        return scope.covers(federation_code=federation_code)
    return True


def target_link(kind: str, target) -> tuple[str, str]:
    """Return the label and the external URL of what a message points to."""
    if kind == "event":
        return target.title, url_for("events.show", event_id=target.id, _external=True)
    if kind == "group":
        return target.name, url_for("groups.show", slug=target.slug, _external=True)
    return target.title, url_for("consultations.show", consultation_id=target.id,
                                 _external=True)


# --- sending ----------------------------------------------------------------------------------


def sent_today(sender) -> int:
    since = utcnow() - timedelta(days=1)
    return db.session.scalar(select(func.count(Mobilisation.id)).where(
        Mobilisation.sender_id == sender.id, Mobilisation.created_at >= since))


def check_rate(sender) -> None:
    """Refuse a mobilisation past the per-organiser daily limit."""
    limit = current_app.config["ORGANIZE_MOBILISATIONS_PER_DAY"]
    if limit and sent_today(sender) >= limit:
        raise Refusal(_("Tu as déjà envoyé %(n)s mobilisations ces dernières 24 heures : "
                        "c'est la limite. Réessaie plus tard.", n=limit), 429)


def send(sender, scope: Scope, flt: MemberFilter, subject: str, body: str,
         kind: str = "", target_id: int | None = None) -> Mobilisation:
    """Create the mobilisation and queue one mail per consenting member the filter finds."""
    check_rate(sender)
    find_target(scope, kind, target_id)
    mobilisation = Mobilisation(sender_id=sender.id, subject=subject, body=body,
                                filter=flt.args(), target_kind=kind,
                                target_id=target_id if kind else None)
    db.session.add(mobilisation)
    db.session.flush()
    now = utcnow()
    db.session.execute(insert(MobilisationRecipient).from_select(
        ["mobilisation_id", "member_id"],
        select(literal(mobilisation.id), Member.id).where(*conditions(scope, flt))))
    recipients = select(
        Member.email, literal(TEMPLATE), literal({}, JSON()),
        literal("fr"), literal("pending"), literal(0), literal(now), literal(now), literal(""),
        literal(mobilisation.id),
    ).join(MobilisationRecipient, MobilisationRecipient.member_id == Member.id).where(
        MobilisationRecipient.mobilisation_id == mobilisation.id)
    db.session.execute(insert(OutboxMail).from_select(
        ["recipient", "template", "context", "locale", "status", "attempts", "next_try_at",
         "created_at", "last_error", "mobilisation_id"], recipients))
    # Counted rather than read from rowcount, which some drivers leave at -1 here.
    queued = db.session.scalar(select(func.count()).select_from(MobilisationRecipient).where(
        MobilisationRecipient.mobilisation_id == mobilisation.id))
    mobilisation.recipient_count = queued
    profile_service.audit(sender, "organize.mobilise", None, filter=flt.args(),
                          count=queued, mobilisation=mobilisation.id, title=subject)
    return mobilisation


def progress(mobilisation: Mobilisation) -> dict[str, int]:
    """Count the mobilisation's mails by state: pending (or being sent), sent, failed, and
    cancelled (consent withdrawn before the mail left) when there are some."""
    rows = db.session.execute(
        select(OutboxMail.status, func.count(OutboxMail.id))
        .where(OutboxMail.mobilisation_id == mobilisation.id).group_by(OutboxMail.status))
    counts = {"pending": 0, "sent": 0, "failed": 0}
    for status, number in rows:
        key = "pending" if status in ("pending", "sending") else status
        counts[key] = counts.get(key, 0) + number
    return counts


def mine_query(sender):
    return (select(Mobilisation).where(Mobilisation.sender_id == sender.id)
            .order_by(Mobilisation.created_at.desc(), Mobilisation.id.desc()))


def received_query(member):
    """The mobilisations that reached the member, newest first, with their senders."""
    return (select(Mobilisation)
            .join(MobilisationRecipient, MobilisationRecipient.mobilisation_id == Mobilisation.id)
            .where(MobilisationRecipient.member_id == member.id)
            .options(joinedload(Mobilisation.sender))
            .order_by(Mobilisation.created_at.desc(), Mobilisation.id.desc()))


# --- unsubscribing ----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(member_id: int) -> str:
    return _serializer().dumps(member_id)


def member_for_token(token: str) -> Member | None:
    """Return the member a signed unsubscribe token names, or None when it was tampered with."""
    try:
        member_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(member_id, int):
        return None
    member = db.session.get(Member, member_id)
    return member if member is not None and member.erased_at is None else None


def unsubscribe(member: Member) -> bool:
    """Withdraw the mobilisation consent (recording it); False when it was already withdrawn."""
    return profile_service.set_mobilisation_consent(member, False)


# --- rendering in the worker ------------------------------------------------------------------


@register_builder(TEMPLATE)
def build_mail(mail: OutboxMail) -> tuple[dict, dict]:
    """Give the worker the message's text, its links and the one-click unsubscribe headers."""
    mobilisation = db.session.get(Mobilisation, mail.mobilisation_id)
    member = db.session.scalar(select(Member).where(Member.email == mail.recipient))
    if mobilisation is None or member is None:
        raise Cancelled("the mobilisation or its recipient no longer exists")
    if member.mobilisation_consent_at is None:
        raise Cancelled("the recipient withdrew their consent after it was queued")
    url = url_for("organize.unsubscribe", token=unsubscribe_token(member.id), _external=True)
    context = {"subject": mobilisation.subject, "body": mobilisation.body,
               "sender": mobilisation.sender.display_name if mobilisation.sender else "",
               "unsubscribe_url": url, "target_label": "", "target_url": "",
               "html_body": render_markdown(mobilisation.body)}
    if mobilisation.target_kind:
        model = {"event": Event, "group": Group, "consultation": Consultation}
        target = db.session.get(model[mobilisation.target_kind], mobilisation.target_id)
        if target is not None:
            context["target_label"], context["target_url"] = target_link(
                mobilisation.target_kind, target)
    headers = {"List-Unsubscribe": f"<{url}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return context, headers
