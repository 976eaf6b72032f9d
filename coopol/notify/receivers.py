"""Who hears of what: the receivers of the domain signals, each one recipients SELECT.

Matching uses interests and place together: a new event on one of my themes in my section or
my EPCI; a consultation on my theme (or without a theme) in my scope. Group activity reaches the
group's active members who did not silence the group; RSVP changes reach the person concerned.
"""

from sqlalchemy import or_, select

from .. import signals
from ..consultations.models import Consultation, Participation
from ..events.models import Event, Rsvp
from ..extensions import db
from ..geo.models import Commune
from ..groups.models import Group, GroupMembership, Post, Proposal
from ..profile.models import Member, member_interest
from .service import deliver


def _group_members(group_id: int, author_id: int | None):
    query = select(GroupMembership.member_id).where(
        GroupMembership.group_id == group_id, GroupMembership.status == "active",
        GroupMembership.notify != "none")
    if author_id is not None:
        query = query.where(GroupMembership.member_id != author_id)
    return query


@signals.event_published.connect
def event_published(event: Event) -> None:
    """Tell members near the event who follow its theme, and the hosting group's members."""
    key = f"event:{event.id}"
    if event.theme_id is not None:
        epci = db.session.scalar(select(Commune.epci_code).where(
            Commune.insee == event.commune_insee))
        place = [Member.section_id == event.section_id]
        if epci:
            place.append(Commune.epci_code == epci)
        recipients = (select(Member.id)
                      .join(member_interest, member_interest.c.member_id == Member.id)
                      .join(Commune, Commune.insee == Member.commune_insee)
                      .where(member_interest.c.theme_id == event.theme_id, or_(*place)))
        if event.organiser_id is not None:
            recipients = recipients.where(Member.id != event.organiser_id)
        deliver("event", "event_published", recipients, title=event.title,
                target_type="event", target_id=event.id, dedup_key=key)
    if event.group_id is not None:
        deliver("group", "group_event", _group_members(event.group_id, event.organiser_id),
                title=event.title, target_type="event", target_id=event.id, dedup_key=key)


@signals.event_cancelled.connect
def event_cancelled(event: Event) -> None:
    """Tell members going or waiting that the event is cancelled."""
    recipients = select(Rsvp.member_id).where(
        Rsvp.event_id == event.id, Rsvp.member_id.is_not(None),
        Rsvp.status.in_(("going", "waitlisted")))
    deliver("rsvp", "event_cancelled", recipients, title=event.title, target_type="event",
            target_id=event.id, dedup_key=f"event-cancelled:{event.id}")


@signals.rsvp_changed.connect
def rsvp_changed(rsvp: Rsvp, change: str) -> None:
    """Tell a member their RSVP changed (a place came free for them)."""
    if rsvp.member_id is None:
        return
    stamp = rsvp.queued_at.isoformat(timespec="seconds") if rsvp.queued_at else ""
    title = db.session.scalar(select(Event.title).where(Event.id == rsvp.event_id)) or ""
    deliver("rsvp", f"rsvp_{change}", select(Member.id).where(Member.id == rsvp.member_id),
            title=title, target_type="event", target_id=rsvp.event_id,
            dedup_key=f"rsvp:{rsvp.id}:{change}:{stamp}")


def _consultation_recipients(consultation: Consultation):
    """Members in the consultation's scope, eligible, following its theme (if it has one)."""
    query = select(Member.id)
    if consultation.section_id is not None:
        query = query.where(Member.section_id == consultation.section_id)
    elif consultation.federation_code:
        query = query.join(Commune, Commune.insee == Member.commune_insee).where(
            Commune.federation_code == consultation.federation_code)
    if consultation.eligibility == "adherents":
        query = query.where(Member.status == "adherent",
                            Member.adherent_confirmed_at.is_not(None))
    if consultation.theme_id is not None:
        query = query.join(member_interest, member_interest.c.member_id == Member.id).where(
            member_interest.c.theme_id == consultation.theme_id)
    return query


@signals.consultation_opened.connect
def consultation_opened(consultation: Consultation) -> None:
    deliver("consultation", "consultation_opened", _consultation_recipients(consultation),
            title=consultation.title, target_type="consultation", target_id=consultation.id,
            dedup_key=f"consultation-opened:{consultation.id}")


@signals.consultation_closing.connect
def consultation_closing(consultation: Consultation) -> None:
    """Remind those who have not taken part yet that the vote closes soon."""
    voted = select(Participation.member_id).where(
        Participation.consultation_id == consultation.id)
    recipients = _consultation_recipients(consultation).where(Member.id.not_in(voted))
    deliver("consultation", "consultation_closing", recipients, title=consultation.title,
            target_type="consultation", target_id=consultation.id,
            dedup_key=f"consultation-closing:{consultation.id}")


@signals.group_post_created.connect
def group_post_created(group: Group, post: Post) -> None:
    deliver("group", "group_post", _group_members(group.id, post.author_id), title=post.title,
            target_type="post", target_id=post.id, dedup_key=f"post:{post.id}")


@signals.group_proposal_created.connect
def group_proposal_created(group: Group, proposal: Proposal) -> None:
    deliver("group", "group_proposal", _group_members(group.id, proposal.author_id),
            title=proposal.title, target_type="proposal", target_id=proposal.id,
            dedup_key=f"proposal:{proposal.id}")
