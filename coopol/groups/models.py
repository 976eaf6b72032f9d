"""Groups, their memberships, discussions (threads and replies), reports and proposals."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..consultations.models import Option
from ..database import utcnow
from ..extensions import db
from ..geo.models import Section
from ..profile.models import Member, Theme

GROUP_ROLES = ("animateur", "member")
MEMBERSHIP_STATUSES = ("pending", "active", "banned")
NOTIFY_CHOICES = ("threads", "digest", "none")

group_theme = Table(
    "group_theme",
    db.metadata,
    Column("group_id", ForeignKey("group.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Group(db.Model):
    """A group of members around a theme or a place; national when it has no section."""

    __tablename__ = "group"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The slug is chosen once at creation and kept when the group is renamed: links stay valid.
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # The folded name: unique, so "Écologie" and "ecologie" cannot both exist; searched by LIKE.
    search_name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("section.id", ondelete="SET NULL"), index=True
    )
    # Copied from the section so the fédération filter needs no join.
    federation_code: Mapped[str | None] = mapped_column(ForeignKey("federation.code"), index=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    member_count: Mapped[int] = mapped_column(default=0, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    archived_at: Mapped[datetime | None] = mapped_column(index=True)

    section: Mapped[Section | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=group_theme, order_by=Theme.name)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class GroupMembership(db.Model):
    """A member's place in a group: animateur or member; pending, active or banned."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10), default="member")
    status: Mapped[str] = mapped_column(String(10), default="active")
    notify: Mapped[str] = mapped_column(String(10), default="digest")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None]
    # When the weekly digest last went out for this membership: never twice in a week.
    digest_sent_at: Mapped[datetime | None]

    group: Mapped[Group] = relationship()
    member: Mapped[Member] = relationship()

    __table_args__ = (
        UniqueConstraint("group_id", "member_id", name="uq_group_membership"),
        # A group's members by status, in the member list's order (animateurs first, then by
        # arrival): pages come straight from the index, counts from the index alone.
        Index("ix_group_membership_order", "group_id", "status", "role", "joined_at", "id"),
    )

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def is_animateur(self) -> bool:
        return self.status == "active" and self.role == "animateur"


class Post(db.Model):
    """A thread (no parent, with a title) or a reply in a group's discussion."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    # Maintained counters: a thread list never counts replies row by row.
    reply_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Member | None] = relationship(foreign_keys=[author_id])

    __table_args__ = (
        # Threads of a group, most recently active first (cursor pagination).
        Index("ix_post_threads", "group_id", "parent_id", "last_activity_at", "id"),
        # Replies of a thread in order (cursor pagination by id).
        Index("ix_post_replies", "parent_id", "id"),
    )

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class PostReport(db.Model):
    """A member's report of a post to the group's animateurs (once per member and post)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("post_id", "reporter_id", name="uq_post_report"),)


class Proposal(db.Model):
    """A group's proposal; members support it, an animateur may later submit it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Once submitted to a consultation: the option it became there (its fate is read from it).
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("option.id", ondelete="SET NULL"), index=True
    )
    submitted_at: Mapped[datetime | None]
    support_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Member | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    option: Mapped[Option | None] = relationship()

    __table_args__ = (Index("ix_proposal_group", "group_id", "support_count", "id"),)


class ProposalSupport(db.Model):
    """One member's support of a proposal: the primary key makes it one each."""

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
