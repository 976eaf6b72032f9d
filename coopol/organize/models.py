"""Mobilisations: a message sent by an organiser to the consenting members of a filter."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from ..profile.models import Member


class Mobilisation(db.Model):
    """One message to a selection; its mails sit in the outbox with its id."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    # The filter as its query-string arguments, so the selection can be read again.
    filter: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the message points to: "event", "group" or "consultation", and its id.
    target_kind: Mapped[str] = mapped_column(String(12), default="")
    target_id: Mapped[int | None]
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sender: Mapped[Member | None] = relationship()

    __table_args__ = (Index("ix_mobilisation_sender_created", "sender_id", "created_at"),)


class MobilisationRecipient(db.Model):
    """Who a mobilisation reached: kept after the outbox is purged, so members can see who
    contacted them."""

    mobilisation_id: Mapped[int] = mapped_column(
        ForeignKey("mobilisation.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True)
