"""The member's feed: my RSVPs, my groups' news, events near me, consultations open to me.

One UNION query gathers (type, id, when, why) from every path, groups by (type, id) so that an
item reaching the member by several paths (near me and in my group, and I'm going) shows once,
newest first, one page at a time; then one query per kind of item loads what the page shows.
The page costs at most five statements whatever the size of the data.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, desc, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from ..consultations import service as consultations_service
from ..consultations.models import Consultation
from ..database import utcnow
from ..events import service as events_service
from ..events.models import Event, Rsvp
from ..extensions import db
from ..geo.models import Commune
from ..groups.models import Group, GroupMembership, Post, Proposal
from ..profile.blocking import not_blocked

PER_PAGE = 10
# Group news older than this is no longer news: it also bounds the rows the UNION sorts.
WINDOW = timedelta(days=60)
# Why an item is in the feed, most personal first: the smallest wins when several apply.
MINE, MY_GROUP, NEAR, OPEN_TO_ME = 0, 1, 2, 3


@dataclass
class FeedItem:
    type: str
    at: datetime
    reason: int
    obj: object
    group: Group | None = None


def _parts(member, now: datetime) -> list:
    def row(type_name: str, id_column, at_column, reason: int):
        return (literal(type_name, String).label("type"), id_column.label("id"),
                at_column.label("at"), literal(reason).label("reason"))

    my_groups = select(GroupMembership.group_id).where(
        GroupMembership.member_id == member.id, GroupMembership.status == "active")
    # A blocked member's events, threads and proposals leave the feed with the rest of their
    # content (profile/blocking.py).
    upcoming = (Event.status == "scheduled", events_service.upcoming_shown(now))
    parts = [
        select(*row("event", Rsvp.event_id, Rsvp.created_at, MINE))
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.member_id == member.id, Rsvp.status.in_(("going", "waitlisted")), *upcoming),
        select(*row("event", Event.id, Event.created_at, MY_GROUP))
        .where(Event.group_id.in_(my_groups), *upcoming),
        select(*row("post", Post.id, Post.created_at, MY_GROUP))
        .where(Post.group_id.in_(my_groups), Post.parent_id.is_(None), Post.deleted_at.is_(None),
               Post.hidden_at.is_(None), Post.created_at >= now - WINDOW,
               not_blocked(Post.author_id)),
        select(*row("proposal", Proposal.id, Proposal.created_at, MY_GROUP))
        .where(Proposal.group_id.in_(my_groups), Proposal.created_at >= now - WINDOW,
               not_blocked(Proposal.author_id)),
    ]
    near = []
    if member.section_id is not None:
        near.append(Event.section_id == member.section_id)
    epci = member.commune.epci_code if member.commune is not None else None
    if epci:
        near.append(Commune.epci_code == epci)
    if near:
        parts.append(select(*row("event", Event.id, Event.created_at, NEAR))
                     .join(Commune, Commune.insee == Event.commune_insee)
                     .where(or_(*near), *upcoming))
    open_to_me = consultations_service.visible_query(member, open_only=True).order_by(None)
    parts.append(open_to_me.with_only_columns(
        *row("consultation", Consultation.id, Consultation.contributions_open_at, OPEN_TO_ME)))
    return parts


def feed_page(member, page: int = 1) -> tuple[list[FeedItem], bool]:
    """Return one page of the member's feed, newest first, and whether another page follows."""
    now = utcnow()
    every = union_all(*_parts(member, now)).subquery()
    at = func.max(every.c.at).label("at")
    rows = db.session.execute(
        select(every.c.type, every.c.id, at, func.min(every.c.reason))
        .group_by(every.c.type, every.c.id)
        .order_by(desc("at"), every.c.type, every.c.id.desc())
        .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    loaded = _load({kind: [r[1] for r in rows if r[0] == kind]
                    for kind in ("event", "post", "proposal", "consultation")})
    items = []
    for type_name, item_id, when, reason in rows:
        found = loaded.get((type_name, item_id))
        if found is not None:  # gone between the two queries
            obj, group = found
            items.append(FeedItem(type_name, when, reason, obj, group))
    return items, more


def _load(ids: dict[str, list[int]]) -> dict:
    """Load the page's items, one query per kind present."""
    found = {}
    if ids["event"]:
        for event in db.session.scalars(select(Event).where(Event.id.in_(ids["event"]))
                                        .options(joinedload(Event.commune))):
            found[("event", event.id)] = (event, None)
    for kind, model in (("post", Post), ("proposal", Proposal)):
        if ids[kind]:
            for obj, group in db.session.execute(
                    select(model, Group).join(Group, Group.id == model.group_id)
                    .where(model.id.in_(ids[kind]))):
                found[(kind, obj.id)] = (obj, group)
    if ids["consultation"]:
        for consultation in db.session.scalars(
                select(Consultation).where(Consultation.id.in_(ids["consultation"]))):
            found[("consultation", consultation.id)] = (consultation, None)
    return found
