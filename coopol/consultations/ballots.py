"""Secret ballots: checking, casting and changing one; participation and eligible counts."""

from flask_babel import lazy_gettext as _
from flask_babel import lazy_ngettext as ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..geo.models import Commune, Section
from ..profile.models import Member
from . import service
from .models import Ballot, BallotChoice, Consultation, Participation
from .service import ConsultationError

Choices = list[tuple[int, int]]  # (option id, value) in ballot order


def check_choices(consultation: Consultation, choices: Choices, option_ids: set[int]) -> Choices:
    """Refuse a ballot that breaks the method's rules; return it normalised."""
    seen = [option_id for option_id, _value in choices]
    if any(option_id not in option_ids for option_id in seen):
        raise ConsultationError(_("Une des options choisies n'existe pas dans cette consultation."))
    if len(set(seen)) != len(seen):
        raise ConsultationError(_("Tu as choisi deux fois la même option."))
    limit = consultation.max_choices
    if consultation.method == "ranking":
        ranks = [value for _option, value in choices]
        if len(set(ranks)) != len(ranks) or any(rank < 1 for rank in ranks):
            raise ConsultationError(_("Deux options ne peuvent pas avoir le même rang."))
        if len(choices) > limit:
            raise ConsultationError(ngettext("Tu peux classer %(num)d option au plus.",
                                             "Tu peux classer %(num)d options au plus.", limit))
        ordered = sorted(choices, key=lambda pair: pair[1])
        return [(option_id, rank) for rank, (option_id, _v) in enumerate(ordered, start=1)]
    if consultation.method == "multiple":
        if len(choices) > limit:
            raise ConsultationError(ngettext("Tu peux choisir %(num)d option au plus.",
                                             "Tu peux choisir %(num)d options au plus.", limit))
        return [(option_id, 1) for option_id, _v in choices]
    if any(value < 0 for _option, value in choices):
        raise ConsultationError(_("Les points ne peuvent pas être négatifs."))
    spent = sum(value for _option, value in choices)
    if spent > consultation.points_total:
        raise ConsultationError(_("Tu as réparti %(spent)d points, pour %(total)d au plus.",
                                  spent=spent, total=consultation.points_total))
    return [(option_id, value) for option_id, value in choices if value > 0]


def check_can_vote(consultation: Consultation, member) -> None:
    phase = consultation.phase()
    if phase != "vote":
        message = (_("Le vote n'est pas encore ouvert.") if phase in ("upcoming", "contributions")
                   else _("Le vote est clos."))
        raise ConsultationError(message, 409)
    if not service.is_eligible(member, consultation):
        raise ConsultationError(_("Cette consultation n'est pas ouverte à ton compte."), 403)


def _participation(consultation: Consultation, member, lock: bool = False):
    query = select(Participation).where(Participation.consultation_id == consultation.id,
                                        Participation.member_id == member.id)
    return db.session.scalar(query.with_for_update() if lock else query)


def cast_ballot(consultation: Consultation, member, choices: Choices) -> None:
    """Record or replace the member's ballot (flushed, not committed).

    Two first ballots posted at once both try to insert a participation; the unique
    constraint lets one through, and the other is retried as a change of that ballot.
    """
    check_can_vote(consultation, member)
    option_ids = {o.id for o in service.options(consultation, whole=True)}
    choices = check_choices(consultation, choices, option_ids)
    member_id, section_id = member.id, member.section_id
    federation = member.commune.federation_code if member.commune else None
    for attempt in range(3):
        try:
            _write(consultation.id, member_id, section_id, federation, choices)
            return
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise


def _write(consultation_id, member_id, section_id, federation, choices: Choices) -> None:
    participation = db.session.scalar(
        select(Participation).where(Participation.consultation_id == consultation_id,
                                    Participation.member_id == member_id).with_for_update())
    if participation is None:
        ballot = Ballot(consultation_id=consultation_id, section_id=section_id,
                        federation_code=federation)
        db.session.add(ballot)
        db.session.flush()
        db.session.add(Participation(consultation_id=consultation_id, member_id=member_id,
                                     section_id=section_id, ballot_id=ballot.id))
        db.session.flush()
        ballot_id = ballot.id
    else:
        ballot_id = participation.ballot_id
        db.session.execute(delete(BallotChoice).where(BallotChoice.ballot_id == ballot_id))
    if choices:
        db.session.add_all(BallotChoice(ballot_id=ballot_id, option_id=option_id, value=value)
                           for option_id, value in choices)
    db.session.flush()


def own_ballot(consultation: Consultation, member) -> Choices | None:
    """Return the member's own ballot until the close; None if they have not voted."""
    participation = _participation(consultation, member)
    if participation is None or participation.ballot_id is None:
        return None
    rows = db.session.execute(
        select(BallotChoice.option_id, BallotChoice.value)
        .where(BallotChoice.ballot_id == participation.ballot_id)
        .order_by(BallotChoice.value.desc() if consultation.method == "points"
                  else BallotChoice.value, BallotChoice.option_id))
    return [(option_id, value) for option_id, value in rows]


def has_voted(consultation: Consultation, member) -> bool:
    return _participation(consultation, member) is not None


def tap(consultation: Consultation, current: Choices, action: str, option_id: int) -> Choices:
    """Apply one tap of the phone ballot (add, remove, up, down, plus, minus) to a ballot."""
    ids = [oid for oid, _value in current]
    if action == "add" and option_id not in ids:
        value = 1
        if consultation.method == "ranking":
            value = len(ids) + 1
        current = [*current, (option_id, value)]
    elif action == "remove":
        current = [pair for pair in current if pair[0] != option_id]
    elif action in ("up", "down") and option_id in ids and consultation.method == "ranking":
        i = ids.index(option_id)
        j = i - 1 if action == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        current = [(oid, rank) for rank, oid in enumerate(ids, start=1)]
    elif action in ("plus", "minus") and consultation.method == "points":
        points = dict(current)
        points[option_id] = points.get(option_id, 0) + (1 if action == "plus" else -1)
        current = [(oid, value) for oid, value in points.items() if value > 0]
    elif action not in ("add", "remove", "up", "down", "plus", "minus"):
        raise ConsultationError(_("Action inconnue."), 400)
    if consultation.method == "ranking":
        current = [(oid, rank) for rank, (oid, _v) in enumerate(current, start=1)]
    return current


# --- participation, open to every eligible member ------------------------------------------


# With this many participants or more, the first page of names is found by walking the
# members' name index (ix_member_display_name) and keeping those who took part; with fewer,
# sorting the participants themselves is cheaper.
WALK_NAMES_FROM = 1000
SECTIONS_PER_PAGE = 50


def participants_count(consultation: Consultation):
    """Return the select() counting participants, from the participation index alone."""
    return select(func.count()).select_from(Participation).where(
        Participation.consultation_id == consultation.id)


def participants_query(consultation: Consultation, how_many: int = 0):
    """Who took part, by name: never what they chose."""
    took_part = Participation.consultation_id == consultation.id
    visible = Member.blocked_at.is_(None)
    if how_many >= WALK_NAMES_FROM:
        query = select(Member).where(
            select(Participation.id).where(took_part, Participation.member_id == Member.id)
            .exists(), visible)
    else:
        query = select(Member).join(Participation, Participation.member_id == Member.id) \
            .where(took_part, visible)
    return query.options(selectinload(Member.section)).order_by(Member.display_name, Member.id)


def _eligible(consultation: Consultation, *columns):
    query = select(*columns).select_from(Member).where(*service.eligible_conditions(consultation))
    if consultation.federation_code and consultation.section_id is None:
        # Only a fédération's consultation filters on the commune: elsewhere the join would
        # cost a look-up per member for nothing.
        query = query.join(Commune, Commune.insee == Member.commune_insee)
    return query


class SectionsPage:
    """One page of the sections table, shaped like Flask-SQLAlchemy's Pagination."""

    def __init__(self, items: list[dict], page: int, total: int, per_page: int):
        self.items, self.page, self.total = items, page, total
        self.pages = max(1, -(-total // per_page))
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1


def eligible_total(consultation: Consultation) -> int:
    """Count the eligible members, from an index of the member table."""
    return db.session.scalar(_eligible(consultation, func.count())) or 0


def participation_by_section(consultation: Consultation, page: int = 1,
                             per_page: int | None = None) -> SectionsPage:
    """Count eligible members and participants for one page of the covered sections, by name.

    Only the page's sections are counted (index look-ups), never the whole membership;
    eligible members without a section, and participants who had none, close the last page.
    (A member whose section lies outside the consultation's fédération counts in the total.)
    """
    per_page = per_page or SECTIONS_PER_PAGE
    took_part = Participation.consultation_id == consultation.id
    covered = service.sections_covered(consultation)
    total = db.session.scalar(select(func.count()).select_from(Section).where(*covered)) or 0
    shown = db.session.execute(
        select(Section.id, Section.name).where(*covered).order_by(Section.name, Section.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    ids = [section_id for section_id, _name in shown]
    eligible, voted = {}, {}
    if ids:
        eligible = dict(db.session.execute(
            _eligible(consultation, Member.section_id, func.count())
            .where(Member.section_id.in_(ids)).group_by(Member.section_id)).all())
        voted = dict(db.session.execute(
            select(Participation.section_id, func.count())
            .where(took_part, Participation.section_id.in_(ids))
            .group_by(Participation.section_id)).all())
    rows = [{"name": name, "eligible": eligible.get(key, 0), "voted": voted.get(key, 0)}
            for key, name in shown]
    sections = SectionsPage(rows, page, total, per_page)
    if page == sections.pages:
        unplaced = {
            "name": _("Sans section"),
            "eligible": db.session.scalar(_eligible(consultation, func.count())
                                          .where(Member.section_id.is_(None))) or 0,
            "voted": db.session.scalar(select(func.count()).select_from(Participation)
                                       .where(took_part, Participation.section_id.is_(None)))}
        if unplaced["eligible"] or unplaced["voted"]:
            rows.append(unplaced)
    return sections
