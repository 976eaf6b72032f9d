"""Events, their participants (members or guests) and members' private calendar feeds."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from ..geo.models import Commune, Section
from ..groups.models import Group
from ..profile.models import Member, Theme

KINDS = ("reunion", "tractage", "porte_a_porte", "deambulation", "meeting", "formation", "autre")
VISIBILITIES = ("public", "members")
RSVP_STATUSES = ("pending", "going", "waitlisted", "cancelled")


class Event(db.Model):
    """Something militants do together at a place and time (times stored in UTC)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place_name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    commune_insee: Mapped[str] = mapped_column(ForeignKey("commune.insee"), index=True)
    # Every event belongs to a section (rings, feeds, organisers); a group may host it too.
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id", ondelete="SET NULL"))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    capacity: Mapped[int | None]
    # Maintained in the same transaction as every RSVP change: the capacity guard reads it.
    going_count: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[str] = mapped_column(String(10), default="public", index=True)
    online_url: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    report: Mapped[str] = mapped_column(Text, default="")
    attendance: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    commune: Mapped[Commune] = relationship()
    section: Mapped[Section] = relationship()
    group: Mapped[Group | None] = relationship()
    organiser: Mapped[Member | None] = relationship()
    theme: Mapped[Theme | None] = relationship()

    __table_args__ = (
        CheckConstraint("going_count >= 0", name="going_not_negative"),
        CheckConstraint("capacity IS NULL OR going_count <= capacity", name="within_capacity"),
        Index("ix_event_status_starts_at", "status", "starts_at"),
        # Events still to come (ends_at >= now): the list and the home page read only those,
        # not every past event as well.
        Index("ix_event_status_ends_at", "status", "ends_at"),
        # A group's events, soonest first: its page, its feed and the list's group filter.
        Index("ix_event_group_starts_at", "group_id", "starts_at"),
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going_count >= self.capacity

    @property
    def has_started(self) -> bool:
        return self.starts_at <= utcnow()

    @property
    def is_past(self) -> bool:
        return self.ends_at <= utcnow()


class Rsvp(db.Model):
    """A member's or a guest's answer to an event, with its place in the queue and check-in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    guest_name: Mapped[str] = mapped_column(String(80), default="")
    guest_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(12))
    # Typed by the organiser at the door: short, without look-alike characters.
    code: Mapped[str] = mapped_column(String(8))
    checked_in_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person joined the queue: the first waiting is the first promoted.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    member: Mapped[Member | None] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", "member_id", name="uq_rsvp_event_member"),
        UniqueConstraint("event_id", "guest_email", name="uq_rsvp_event_guest"),
        UniqueConstraint("event_id", "code", name="uq_rsvp_event_code"),
        Index("ix_rsvp_event_status", "event_id", "status", "queued_at"),
    )

    @property
    def name(self) -> str:
        return self.member.display_name if self.member is not None else self.guest_name

    @property
    def email(self) -> str:
        return self.member.email if self.member is not None else (self.guest_email or "")

    @property
    def is_active(self) -> bool:
        return self.status in ("going", "waitlisted")


class CalendarFeed(db.Model):
    """The secret address of a member's private feed of their RSVPs; a new token revokes it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
