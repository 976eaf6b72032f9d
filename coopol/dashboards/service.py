"""Dashboard figures: members, events and consultation participation of an area over 12 months.

Every figure comes from a constant number of GROUP BY queries, whatever the number of sections,
months or consultations: one per kind of figure, never one per area or per month. Months are
bucketed in SQL by `database.month_key` (UTC, as timestamps are stored).
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from ..consultations.models import Consultation, Participation
from ..database import fold, month_key, utcnow
from ..events.models import Event, Rsvp
from ..extensions import db
from ..geo.models import Federation, Section
from ..pagination import Pager
from ..profile.models import Member

MONTHS = 12
ACTIVE_DAYS = 30
CONSULTATIONS = 12
# Columns of the comparison table, in order; "name" sorts A→Z, figures largest first.
SORTS = ("name", "members", "adherents", "pending", "sympathisants", "new", "active", "events",
         "going", "checked_in", "participants", "rate")


@dataclass
class Area:
    """What a dashboard is about: a section, a fédération or the whole nation."""

    level: str  # "section", "federation" or "national"
    key: str = ""
    name: str = ""
    federation_code: str | None = None

    def members(self):
        """The condition on Member for the members of the area."""
        if self.level == "section":
            return Member.section_id == int(self.key)
        if self.level == "federation":
            return Member.section_id.in_(
                select(Section.id).where(Section.federation_code == self.key))
        return Member.id.is_not(None)

    def sections(self, column):
        """The condition on a section_id column (events, participations) for the area."""
        if self.level == "section":
            return column == int(self.key)
        if self.level == "federation":
            return column.in_(select(Section.id).where(Section.federation_code == self.key))
        return column.is_not(None)

    def consultations(self):
        """The consultations that concern the whole area: its own and those above it."""
        national = and_(Consultation.section_id.is_(None),
                        Consultation.federation_code.is_(None))
        if self.level == "national":
            return national
        federation = and_(Consultation.section_id.is_(None),
                          Consultation.federation_code == self.federation_code)
        if self.level == "federation":
            return or_(national, federation)
        return or_(national, federation, Consultation.section_id == int(self.key))


def section_area(section: Section) -> Area:
    return Area("section", str(section.id), section.name, section.federation_code)


def federation_area(federation: Federation) -> Area:
    return Area("federation", federation.code, federation.label, federation.code)


def month_keys(now: datetime, count: int = MONTHS) -> list[str]:
    """Return the 'YYYY-MM' keys of the last `count` months, oldest first, this one included."""
    year, month = now.year, now.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def window_start(now: datetime, count: int = MONTHS) -> datetime:
    """Return the first instant of the oldest month shown."""
    year, month = map(int, month_keys(now, count)[0].split("-"))
    return datetime(year, month, 1)


@dataclass
class Overview:
    """An area's dashboard: today's member figures, month series and consultations."""

    months: list[str]
    members: dict
    computed_at: datetime
    series: dict = field(default_factory=dict)
    consultations: list[dict] = field(default_factory=list)


def _member_counts(start: datetime, now: datetime):
    """The aggregate columns of member figures, for one row or one row per area."""
    active = now - timedelta(days=ACTIVE_DAYS)
    adherent = and_(Member.status == "adherent", Member.adherent_confirmed_at.is_not(None))
    pending = and_(Member.status == "adherent", Member.adherent_confirmed_at.is_(None))
    return (func.count(Member.id),
            func.count(case((adherent, 1))), func.count(case((pending, 1))),
            func.count(case((Member.created_at >= start, 1))),
            func.count(case((Member.last_seen_at >= active, 1))))


def _member_row(total, adherents, pending, new, active) -> dict:
    return {"members": total, "adherents": adherents, "pending": pending,
            "sympathisants": total - adherents - pending, "new": new, "active": active}


def overview(area: Area, now: datetime | None = None) -> Overview:
    """Compute an area's dashboard in four queries."""
    now = now or utcnow()
    start, months = window_start(now), month_keys(now)
    # One pass over the members: grouped by the month they joined, the older ones together.
    joined = case((Member.created_at >= start, month_key(Member.created_at)), else_="")
    totals, new = [0] * 5, {}
    for key, *counts in db.session.execute(
            select(joined, *_member_counts(start, now))
            .where(area.members(), Member.erased_at.is_(None)).group_by(joined)):
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        if key:
            new[key] = counts[0]
    result = Overview(months, _member_row(*totals), now)
    # Members then: those who joined before the window, plus each month's newcomers so far.
    running = totals[0] - totals[3]
    members_then = []
    for key in months:
        running += new.get(key, 0)
        members_then.append(running)

    events = {key: (count, going or 0, checked) for key, count, going, checked in
              db.session.execute(_events_query(area.sections(Event.section_id), start, now,
                                               month_key(Event.starts_at)))}
    result.series = {
        "new": [new.get(key, 0) for key in months], "total": members_then,
        "events": [events.get(key, (0, 0, 0))[0] for key in months],
        "going": [events.get(key, (0, 0, 0))[1] for key in months],
        "checked_in": [events.get(key, (0, 0, 0))[2] for key in months],
    }
    result.consultations = _consultations(area, result.members, start, now)
    return result


def _events_query(scope, start: datetime, now: datetime, key):
    """Events held (not cancelled, already started) since `start`, RSVPs going and checked in,
    grouped by `key`."""
    return (
        select(key, func.count(Event.id.distinct()),
               func.sum(case((Rsvp.status == "going", 1), else_=0)),
               func.count(Rsvp.checked_in_at))
        .select_from(Event).outerjoin(Rsvp, Rsvp.event_id == Event.id)
        .where(scope, Event.status != "cancelled", Event.starts_at >= start,
               Event.starts_at < now)
        .group_by(key))


def _consultations(area: Area, members: dict, start: datetime, now: datetime) -> list[dict]:
    """Participants of the area over its eligible members, for the consultations whose vote
    opened in the window. Ballots are secret: only participation rows are counted."""
    rows = db.session.execute(
        select(Consultation.id, Consultation.title, Consultation.eligibility,
               Consultation.vote_opens_at, Consultation.closed_at)
        .where(area.consultations(), Consultation.vote_opens_at >= start,
               Consultation.vote_opens_at <= now)
        .order_by(Consultation.vote_opens_at.desc()).limit(CONSULTATIONS)).all()
    if not rows:
        return []
    participants = dict(db.session.execute(
        select(Participation.consultation_id, func.count())
        .where(Participation.consultation_id.in_([row.id for row in rows]),
               area.sections(Participation.section_id) if area.level != "national"
               else Participation.id.is_not(None))
        .group_by(Participation.consultation_id)).all())
    result = []
    for row in rows:
        eligible = members["adherents"] if row.eligibility == "adherents" else members["members"]
        count = participants.get(row.id, 0)
        result.append({"id": row.id, "title": row.title, "opened": row.vote_opens_at,
                       "closed": row.closed_at is not None, "participants": count,
                       "eligible": eligible, "rate": _percent(count, eligible)})
    return result


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# --- side by side ---------------------------------------------------------------------------


def compare(level: str, federation_code: str | None = None, now: datetime | None = None):
    """Return one row of figures per section of a fédération (level "section") or per
    fédération (level "federation"), in four queries (five for fédérations), unsorted.

    Members and events are grouped by section (no join per row) and added up per fédération
    here; voters are counted once per area, in the section they voted from.
    """
    now = now or utcnow()
    start = window_start(now)
    window = select(Consultation.id).where(Consultation.vote_opens_at >= start,
                                           Consultation.vote_opens_at <= now)
    voters = select(func.count(Participation.member_id.distinct())).where(
        Participation.consultation_id.in_(window))
    if level == "section":
        areas = db.session.execute(
            select(Section.id, Section.name).where(Section.federation_code == federation_code)
            .order_by(Section.name)).all()
        area_of = {section_id: str(section_id) for section_id, _name in areas}
        ids = select(Section.id).where(Section.federation_code == federation_code)
        member_key, member_scope = Member.section_id, Member.section_id.in_(ids)
        event_scope = Event.section_id.in_(ids)
        voters = (voters.add_columns(Participation.section_id)
                  .where(Participation.section_id.in_(ids)).group_by(Participation.section_id))
    else:
        areas = db.session.execute(
            select(Federation.code, Federation.name).order_by(Federation.code)).all()
        area_of = dict(db.session.execute(select(Section.id, Section.federation_code)).all())
        # Grouping by an expression makes SQLite scan the table once instead of walking the
        # section index with a row lookup per member (twice the work at 40,000 members).
        member_key, member_scope = func.coalesce(Member.section_id, 0), Member.id.is_not(None)
        event_scope = Event.section_id.is_not(None)
        voters = (voters.add_columns(Section.federation_code)
                  .join(Section, Section.id == Participation.section_id)
                  .group_by(Section.federation_code))
    rows = {str(code): {"key": str(code), "name": name, **_member_row(0, 0, 0, 0, 0),
                        "events": 0, "going": 0, "checked_in": 0, "participants": 0}
            for code, name in areas}

    members = (select(member_key, *_member_counts(start, now))
               .where(member_scope, Member.erased_at.is_(None)).group_by(member_key))
    for section_id, *counts in db.session.execute(members):
        if section_id in area_of:  # not the members without a section
            row = rows[area_of[section_id]]
            for name, value in _member_row(*counts).items():
                row[name] += value
    events = _events_query(event_scope, start, now, Event.section_id)
    for section_id, count, going, checked in db.session.execute(events):
        row = rows[area_of[section_id]]
        row["events"] += count
        row["going"] += going or 0
        row["checked_in"] += checked
    for count, code in db.session.execute(voters):
        rows[str(code)]["participants"] = count
    for row in rows.values():
        row["rate"] = _percent(row["participants"], row["members"])
    return list(rows.values())


def sort_rows(rows: list[dict], sort: str, ascending: bool | None = None) -> list[dict]:
    """Sort comparison rows by a known column: names A→Z, figures largest first by default."""
    sort = sort if sort in SORTS else "name"
    if ascending is None:
        ascending = sort == "name"
    rows = sorted(rows, key=lambda row: fold(row["name"]))  # Échirolles between C and G
    if sort != "name":
        rows.sort(key=lambda row: row[sort], reverse=not ascending)
    elif not ascending:
        rows.reverse()
    return rows


# --- a short-lived cache for the wide areas ------------------------------------------------

_cache: dict[tuple, tuple[float, object]] = {}
_cache_lock = threading.Lock()


def cached(key: tuple, compute):
    """Return compute()'s value, kept DASHBOARD_CACHE_SECONDS in this process.

    A fédération's or the nation's figures read tens of thousands of rows: computed at most
    once in that time per process, they stay within the page budget. 0 turns the cache off.
    """
    ttl = current_app.config["DASHBOARD_CACHE_SECONDS"]
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    value = compute()
    with _cache_lock:
        for old in [k for k, (at, _v) in _cache.items() if now - at >= ttl]:
            del _cache[old]
        _cache[key] = (now, value)
    return value


def figures(area: Area) -> Overview:
    """Return an area's dashboard: live for a section, cached for wider areas."""
    if area.level == "section":
        return overview(area)
    return cached(("overview", area.level, area.key), lambda: overview(area))


def side_by_side(level: str, federation_code: str | None = None) -> list[dict]:
    """Return the compared areas' rows (see `compare`), cached."""
    return cached(("compare", level, federation_code or ""),
                  lambda: compare(level, federation_code))


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


@dataclass
class ListPage(Pager):
    """A page of rows already in memory, with the attributes of the pager macro."""

    rows: list
    page: int
    per_page: int

    def __post_init__(self):
        self.page = max(1, min(self.page, self.pages))  # past the end: the last page

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.rows) // self.per_page))

    @property
    def items(self) -> list:
        return self.rows[(self.page - 1) * self.per_page:self.page * self.per_page]
