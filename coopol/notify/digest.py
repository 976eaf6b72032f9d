"""The digest: one mail per member listing their pending digest items, for cron.

`flask notify digest --period daily|weekly` claims the pending items of the members who chose
that period with one UPDATE (a second run, even a concurrent one, finds them taken), reads them
back with one SELECT in member order, and queues one mail per member through the outbox, written
with one INSERT (`mail.queue_many`): three statements whatever the number of members.
"""

from itertools import groupby

import click
from sqlalchemy import func, literal, select, update

from .. import mail
from ..database import utcnow
from ..extensions import db
from ..profile.models import Member
from . import bp
from .models import PERIODS, Notification, NotificationSetting
from .service import off_token

LISTED = 30  # per mail: a digest stays short; the link to the notifications page has the rest


def send_digests(period: str, now=None) -> int:
    """Queue the digest of each member who chose `period` and has pending items; count them."""
    now = now or utcnow()
    chosen = func.coalesce(NotificationSetting.digest_period, literal("weekly"))
    members = (select(Member.id)
               .outerjoin(NotificationSetting, NotificationSetting.member_id == Member.id)
               .where(chosen == period, Member.erased_at.is_(None)))
    db.session.execute(
        update(Notification)
        .where(Notification.channel == "digest", Notification.digested_at.is_(None),
               Notification.member_id.in_(members))
        .values(digested_at=now))
    rows = db.session.execute(
        select(Notification.member_id, Member.email, Member.display_name, Notification.id,
               Notification.kind, Notification.verb, Notification.title)
        .join(Member, Member.id == Notification.member_id)
        .where(Notification.channel == "digest", Notification.digested_at == now)
        .order_by(Notification.member_id, Notification.id.desc()))
    mails = []
    for (member_id, email, name), items in groupby(rows, key=lambda r: r[:3]):
        items = [{"id": r.id, "kind": r.kind, "verb": r.verb, "title": r.title} for r in items]
        kinds = sorted({item["kind"] for item in items})
        mails.append((email, {
            "name": name, "period": period, "items": items[:LISTED],
            "more": max(0, len(items) - LISTED),
            "off": [{"kind": kind, "token": off_token(member_id, kind)} for kind in kinds]}))
    return mail.queue_many("notification_digest", mails)


@bp.cli.command("digest")
@click.option("--period", type=click.Choice(PERIODS), required=True,
              help="daily: run it every day; weekly: once a week.")
def digest_command(period: str):
    """Queue the digest of notifications for members who chose this period."""
    count = send_digests(period)
    db.session.commit()
    click.echo(f"{count} résumé(s) mis en file d'attente.")
