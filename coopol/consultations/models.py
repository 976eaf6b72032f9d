"""Consultations, their options, secret ballots kept apart from participation, stored results,
in-person debates and the syntheses written by sections and fédérations."""

import secrets
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.sqlite import INTEGER
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from ..geo.models import Federation, Section
from ..profile.models import Member, Theme

METHODS = ("ranking", "multiple", "points")
ELIGIBILITIES = ("adherents", "members")
ORIGINS = ("member", "group", "organiser")
OPTION_STATUSES = ("proposed", "accepted", "merged", "rejected")
LEVELS = ("national", "federation", "section")


class Consultation(db.Model):
    """A consultation; national when neither fédération nor section is set."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    context: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True)
    federation_code: Mapped[str | None] = mapped_column(ForeignKey("federation.code"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)
    eligibility: Mapped[str] = mapped_column(String(10), default="members")
    method: Mapped[str] = mapped_column(String(10), default="ranking")
    # ranking and multiple: how many options a ballot holds; points: the points to spread.
    max_choices: Mapped[int] = mapped_column(default=5)
    points_total: Mapped[int] = mapped_column(default=10)
    contributions_open_at: Mapped[datetime]
    vote_opens_at: Mapped[datetime]
    vote_closes_at: Mapped[datetime] = mapped_column(index=True)
    syntheses_due_at: Mapped[datetime]
    # Set once, when the results are computed and the member-ballot links destroyed.
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    ballots_count: Mapped[int] = mapped_column(default=0)
    # The national report's participation figures, counted with the results (at the close and
    # on a recount) so that a view of the report reads them instead of joining every ballot.
    participants_count: Mapped[int] = mapped_column(default=0, server_default="0")
    adherent_participants: Mapped[int] = mapped_column(default=0, server_default="0")
    sections_reached: Mapped[int] = mapped_column(default=0, server_default="0")
    debates_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    theme: Mapped[Theme | None] = relationship()
    federation: Mapped[Federation | None] = relationship()
    section: Mapped[Section | None] = relationship()

    def phase(self, now: datetime | None = None) -> str:
        """Name the phase: upcoming, contributions, vote, counting, closed."""
        now = now or utcnow()
        if self.closed_at is not None:
            return "closed"
        if now >= self.vote_closes_at:
            return "counting"
        if now >= self.vote_opens_at:
            return "vote"
        if now >= self.contributions_open_at:
            return "contributions"
        return "upcoming"

    @property
    def scope_level(self) -> str:
        if self.section_id is not None:
            return "section"
        return "federation" if self.federation_code else "national"


class Option(db.Model):
    """A priority put to the vote; from a member, a group or the organisers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True)
    # The groups blueprint is built separately: its table may not exist yet, so the group is
    # kept as id + name, without a foreign key, and stays readable if the group is deleted.
    group_id: Mapped[int | None] = mapped_column(index=True)
    group_name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("option.id", ondelete="SET NULL"), index=True)
    reject_reason: Mapped[str] = mapped_column(String(500), default="")
    final_rank: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member | None] = relationship()
    merged_into: Mapped["Option | None"] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_option_consultation_status", "consultation_id", "status"),)


def _ballot_key() -> int:
    return secrets.randbits(62) + 1


# A random 63-bit key, so that keys say nothing about the order of voting. On SQLite the column
# is declared INTEGER so that it is the rowid: joins on it are several times faster.
BallotKey = BigInteger().with_variant(INTEGER(), "sqlite")


class Participation(db.Model):
    """Who took part: public to eligible members, never linked to a ballot after the close.

    The unique constraint is what makes one ballot per member hold under concurrent posts.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"),
                                           index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"))
    # The only link to the ballot, set to NULL for every row at the close.
    # No index: nothing looks a participation up by ballot, and none makes the close faster.
    ballot_id: Mapped[int | None] = mapped_column(
        BallotKey, ForeignKey("ballot.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()

    __table_args__ = (
        UniqueConstraint("consultation_id", "member_id", name="uq_participation_member"),
        Index("ix_participation_consultation_section", "consultation_id", "section_id"),
    )


class Ballot(db.Model):
    """A secret ballot: a random key, the voter's place for breakdowns, and no time or member."""

    id: Mapped[int] = mapped_column(BallotKey, primary_key=True, autoincrement=False,
                                    default=_ballot_key)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"))
    federation_code: Mapped[str | None] = mapped_column(String(3))

    choices: Mapped[list["BallotChoice"]] = relationship(
        cascade="all, delete-orphan", order_by="BallotChoice.value")


class BallotChoice(db.Model):
    """One option on a ballot: its rank (classement), 1 (choix multiples) or its points."""

    ballot_id: Mapped[int] = mapped_column(BallotKey, ForeignKey("ballot.id", ondelete="CASCADE"),
                                           primary_key=True)
    # The primary key refuses the same option twice on one ballot.
    option_id: Mapped[int] = mapped_column(ForeignKey("option.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    value: Mapped[int]


class AreaResult(db.Model):
    """The stored results of one area (the nation, a fédération, a section), computed once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    area_key: Mapped[str] = mapped_column(String(12), default="")
    area_name: Mapped[str] = mapped_column(String(120), default="")
    ballots: Mapped[int] = mapped_column(default=0)
    eligible: Mapped[int] = mapped_column(default=0)
    attendance: Mapped[int] = mapped_column(default=0)
    # [[option_id, score, first choices, combined score with in-person debates], ...] best first;
    # empty when the cell has too few ballots to be shown without revealing one.
    scores: Mapped[list] = mapped_column(JSON, default=list)
    # A section's distance from the national result (`results.distance`), stored with the
    # scores; NULL when either has too few ballots to be shown. The report reads the largest.
    distance: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("consultation_id", "level", "area_key", name="uq_area_result_area"),
        Index("ix_area_result_distance", "consultation_id", "level", "distance"),
    )


class Debate(db.Model):
    """An in-person section meeting on the consultation, and what it decided."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    held_on: Mapped[datetime]
    attendance: Mapped[int]
    # {option_id: value}, with the same meaning as a ballot's choices.
    choices: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    section: Mapped[Section] = relationship()

    __table_args__ = (
        UniqueConstraint("consultation_id", "section_id", name="uq_debate_section"),
    )


class Synthesis(db.Model):
    """A section's or fédération's written report, and the figures it was written against."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    area_key: Mapped[str] = mapped_column(String(12))
    federation_code: Mapped[str] = mapped_column(ForeignKey("federation.code"), index=True)
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    section: Mapped[Section | None] = relationship()
    author: Mapped[Member | None] = relationship()

    __table_args__ = (
        UniqueConstraint("consultation_id", "level", "area_key", name="uq_synthesis_area"),
    )
