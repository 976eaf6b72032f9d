"""A member's notifications and how each kind reaches them (in the app, by mail, in a digest)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db

# event: a new event on my themes near me; group: activity in my groups; consultation: opened
# or closing in my scope on my theme; rsvp: what happens to my RSVPs.
KINDS = ("event", "group", "consultation", "rsvp")
# off: nothing at all; app: in the app only; mail: a mail at once; digest: in the digest.
CHANNELS = ("app", "mail", "digest", "off")
# Group activity and RSVP changes already have their mails (each group's own setting, the
# events' mails): for them the choice is in the app or off, so nothing comes twice.
CHOICES = {"event": CHANNELS, "consultation": CHANNELS, "group": ("app", "off"),
           "rsvp": ("app", "off")}
DEFAULT_CHANNELS = {"event": "digest", "group": "app", "consultation": "digest", "rsvp": "app"}
PERIODS = ("daily", "weekly")


class Notification(db.Model):
    """One thing that happened, for one member; the dedup key makes it once per member."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    # What happened (event_published, group_post…): the page words it in the reader's language.
    verb: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(240))
    # What the link leads to: ("event", 12), ("post", 40), ("consultation", 3)…
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    # The same thing reaching a member by two paths (near me and in my group) is one row.
    dedup_key: Mapped[str] = mapped_column(String(80))
    # How it was to reach the member when it was made: app, mail or digest.
    channel: Mapped[str] = mapped_column(String(8), default="app")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]
    # Set when a digest takes the item: a digest never carries it twice.
    digested_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("member_id", "dedup_key", name="uq_notification_member_key"),
        # The member's list, newest first, and the unread count.
        Index("ix_notification_member_list", "member_id", "id"),
        Index("ix_notification_member_unread", "member_id", "read_at"),
        # The digest's pending items.
        Index("ix_notification_digest", "channel", "digested_at"),
    )


class NotificationSetting(db.Model):
    """How each kind reaches a member; no row means the defaults."""

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    event: Mapped[str] = mapped_column(String(8), default=DEFAULT_CHANNELS["event"])
    group: Mapped[str] = mapped_column(String(8), default=DEFAULT_CHANNELS["group"])
    consultation: Mapped[str] = mapped_column(
        String(8), default=DEFAULT_CHANNELS["consultation"])
    rsvp: Mapped[str] = mapped_column(String(8), default=DEFAULT_CHANNELS["rsvp"])
    digest_period: Mapped[str] = mapped_column(String(8), default="weekly")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
