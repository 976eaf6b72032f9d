"""Members, their interests and consents, themes, scoped roles and the audit log."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from ..geo.models import Commune, Federation, Section

STATUSES = ("sympathisant", "adherent")
VISIBILITIES = ("section", "members", "organisers")
ROLES = ("admin", "secretary", "organiser")

member_interest = Table(
    "member_interest",
    db.metadata,
    Column("member_id", ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Theme(db.Model):
    """A theme of the shared taxonomy: interests, groups, events and consultations use it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


def _new_nonce() -> str:
    return secrets.token_urlsafe(8)


class Member(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("commune.insee"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="sympathisant")
    adherent_confirmed_at: Mapped[datetime | None]
    skills: Mapped[str] = mapped_column(String(500), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(12), default="section")
    mobilisation_consent_at: Mapped[datetime | None]
    email_confirmed_at: Mapped[datetime | None]
    # Part of the session identity: changing it logs out every other session.
    session_nonce: Mapped[str] = mapped_column(String(16), default=_new_nonce)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    # Base32 secret of the optional second factor (TOTP); None when it is off.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    # Set by a moderator: the member cannot log in and nothing they wrote shows (blocking.py).
    blocked_at: Mapped[datetime | None] = mapped_column(index=True)
    blocked_reason: Mapped[str] = mapped_column(String(300), default="")

    commune: Mapped[Commune | None] = relationship()
    section: Mapped[Section | None] = relationship()
    interests: Mapped[list[Theme]] = relationship(
        secondary=member_interest, order_by=Theme.name
    )
    roles: Mapped[list["Role"]] = relationship(
        back_populates="member", foreign_keys="Role.member_id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # Eligible members per section, counted from the index alone (consultations).
        Index("ix_member_eligible", "section_id", "status", "adherent_confirmed_at"),
        # Lists of members in name order read the first page from the index.
        Index("ix_member_display_name", "display_name", "id"),
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def rotate_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this member."""
        self.session_nonce = _new_nonce()

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def is_adherent_pending(self) -> bool:
        return self.status == "adherent" and self.adherent_confirmed_at is None

    @property
    def is_confirmed_adherent(self) -> bool:
        return self.status == "adherent" and self.adherent_confirmed_at is not None


class ConsentEvent(db.Model):
    """One giving or withdrawal of a consent: the history GDPR asks us to keep."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="mobilisation")
    given: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Role(db.Model):
    """A scoped role: national when neither fédération nor section is set."""

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12))
    federation_code: Mapped[str | None] = mapped_column(ForeignKey("federation.code"))
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(back_populates="roles", foreign_keys=[member_id])
    federation: Mapped[Federation | None] = relationship()
    section: Mapped[Section | None] = relationship()

    __table_args__ = (
        UniqueConstraint("member_id", "role", "federation_code", "section_id",
                         name="uq_role_scope"),
    )

    @property
    def scope_label(self) -> str:
        if self.section is not None:
            return self.section.name
        if self.federation is not None:
            return self.federation.label
        return "national"


class AuditLog(db.Model):
    """Who searched, exported or messaged which members, and every role change."""

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
