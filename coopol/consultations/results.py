"""Results: computed once at the close from the ballots and debates, stored, then only read."""

from collections import defaultdict
from operator import itemgetter

from flask_babel import lazy_gettext as _
from sqlalchemy import case, delete, func, insert, select, update

from ..database import utcnow
from ..extensions import db
from ..geo.models import Commune, Federation, Section
from ..profile import service as profile_service
from ..profile.models import Member
from . import service
from .models import AreaResult, Ballot, BallotChoice, Consultation, Debate, Option, Participation
from .service import MIN_CELL, ConsultationError


def _score(consultation: Consultation, value):
    """Points one choice is worth: Borda for a ranking, 1 for a pick, the points themselves."""
    if consultation.method == "ranking":
        return consultation.max_choices + 1 - value
    return 1 if consultation.method == "multiple" else value


def _empty_area():
    # scores: {option id: [points, first choices, points with in-person debates]}
    return {"ballots": 0, "eligible": 0, "attendance": 0, "scores": {}}


def _areas_keys(section_id, federation):
    keys = [("national", "")]
    if federation:
        keys.append(("federation", federation))
    if section_id is not None:
        keys.append(("section", str(section_id)))
    return keys


def _rows(query):
    """Run an aggregate on the connection: plain tuples, without the ORM's per-row cost."""
    return db.session.connection().execute(query).all()


def compute(consultation: Consultation) -> int:
    """Count every ballot and debate into national, fédération and section results; store them.

    One grouped query per kind of figure (choices, ballots, eligible members); the roll-up from
    sections to fédérations and nation is a single pass in Python over the grouped rows.
    """
    areas = defaultdict(_empty_area)
    score = _score(consultation, BallotChoice.value)
    first = case((BallotChoice.value == 1, 1), else_=0) if consultation.method == "ranking" else 0
    rows = _rows(
        select(Ballot.section_id, Ballot.federation_code, BallotChoice.option_id,
               func.sum(score), func.sum(first))
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.consultation_id == consultation.id)
        .group_by(Ballot.section_id, Ballot.federation_code, BallotChoice.option_id))
    targets = {}  # (section, fédération) -> the score dicts it adds to
    for section_id, federation, option_id, points, firsts in rows:
        points, firsts = int(points or 0), int(firsts or 0)
        place = (section_id, federation)
        if place not in targets:
            targets[place] = [areas[k]["scores"] for k in _areas_keys(section_id, federation)]
        for scores in targets[place]:
            cell = scores.get(option_id)
            if cell is None:
                scores[option_id] = [points, firsts, points]
            else:
                cell[0] += points
                cell[1] += firsts
                cell[2] += points
    for section_id, federation, count in _rows(
            select(Ballot.section_id, Ballot.federation_code, func.count())
            .where(Ballot.consultation_id == consultation.id)
            .group_by(Ballot.section_id, Ballot.federation_code)):
        for key in _areas_keys(section_id, federation):
            areas[key]["ballots"] += count
    _count_eligible(consultation, areas)
    _count_debates(consultation, areas)
    _store(consultation, areas)
    _count_participation(consultation)
    return areas[("national", "")]["ballots"]


def _count_eligible(consultation: Consultation, areas) -> None:
    """Count eligible members per section (a section's fédération is its communes'), then those
    without a section by their commune's fédération."""
    conditions = service.eligible_conditions(consultation)
    federations = dict(_rows(select(Section.id, Section.federation_code)))
    by_section = select(Member.section_id, func.count()).where(
        *conditions, Member.section_id.is_not(None)).group_by(Member.section_id)
    if consultation.federation_code and consultation.section_id is None:
        by_section = by_section.join(Commune, Commune.insee == Member.commune_insee)
    unplaced = (select(Commune.federation_code, func.count()).select_from(Member)
                .join(Commune, Commune.insee == Member.commune_insee, isouter=True)
                .where(*conditions, Member.section_id.is_(None))
                .group_by(Commune.federation_code))
    counted = [(s, federations.get(s), n) for s, n in _rows(by_section)]
    counted += [(None, federation, n) for federation, n in _rows(unplaced)]
    for section_id, federation, count in counted:
        for key in _areas_keys(section_id, federation):
            areas[key]["eligible"] += count


def _count_debates(consultation: Consultation, areas) -> None:
    """Count each section meeting as many ballots as it had attendees, in the combined score."""
    debates = db.session.execute(
        select(Debate.section_id, Section.federation_code, Debate.attendance, Debate.choices)
        .join(Section, Section.id == Debate.section_id)
        .where(Debate.consultation_id == consultation.id))
    for section_id, federation, attendance, choices in debates:
        for key in _areas_keys(section_id, federation):
            area = areas[key]
            area["attendance"] += attendance
            for option_id, value in choices.items():
                cell = area["scores"].setdefault(int(option_id), [0, 0, 0])
                cell[2] += attendance * _score(consultation, value)


def _count_participation(consultation: Consultation) -> None:
    """Store the report's participation figures: participants, adhérents among them, sections
    reached, in-person meetings. Counted here once, not at each view of the report."""
    participants, adherents, sections = _rows(
        select(func.count(), func.count(Member.adherent_confirmed_at),
               func.count(Participation.section_id.distinct()))
        .join(Member, Member.id == Participation.member_id)
        .where(Participation.consultation_id == consultation.id))[0]
    consultation.participants_count, consultation.adherent_participants = participants, adherents
    consultation.sections_reached = sections
    consultation.debates_count = db.session.scalar(
        select(func.count()).select_from(Debate).where(Debate.consultation_id == consultation.id))


def _ranked(scores, option_ids) -> list[list[int]]:
    """Order an area's options, best first; options nobody chose are listed with zero."""
    zero = (0, 0, 0)
    rows = [[option_id, *scores.get(option_id, zero)] for option_id in option_ids]
    # Sorting is stable, also in reverse: ties keep the options' order (by id).
    rows.sort(key=itemgetter(3, 1, 2), reverse=True)
    return rows


def _store(consultation: Consultation, areas) -> None:
    option_ids = sorted(o.id for o in service.options(consultation, whole=True))
    section_ids = [int(k) for level, k in areas if level == "section"]
    names = {("section", str(i)): n for i, n in db.session.execute(
        select(Section.id, Section.name).where(Section.id.in_(section_ids))).all()}
    names.update({("federation", code): name for code, name in db.session.execute(
        select(Federation.code, Federation.name))})
    db.session.execute(delete(AreaResult).where(AreaResult.consultation_id == consultation.id))
    nation_area = areas.get(("national", "")) or _empty_area()
    national = _ranked(nation_area["scores"], option_ids)
    # The national report ranks sections by their distance from the nation: computed here,
    # once, with the same functions as `distance`, rather than at each view of the report.
    nation = shares(national) if nation_area["ballots"] >= MIN_CELL else None
    rows = []
    for (level, key), area in areas.items():
        # A cell with fewer than MIN_CELL ballots is never stored, so never shown.
        scores = _ranked(area["scores"], option_ids) if area["ballots"] >= MIN_CELL else []
        rows.append({
            "consultation_id": consultation.id, "level": level, "area_key": key,
            "area_name": names.get((level, key), ""), "ballots": area["ballots"],
            "eligible": area["eligible"], "attendance": area["attendance"], "scores": scores,
            "distance": distance_to(shares(scores), nation)
            if level == "section" and scores and nation else None,
        })
    if rows:
        db.session.connection().execute(insert(AreaResult.__table__), rows)
    db.session.execute(update(Option).where(Option.consultation_id == consultation.id)
                       .values(final_rank=None))
    if areas[("national", "")]["ballots"] >= MIN_CELL:
        ranks = [{"id": row[0], "final_rank": rank} for rank, row in enumerate(national, 1)]
        if ranks:
            db.session.execute(update(Option), ranks)
    consultation.ballots_count = areas[("national", "")]["ballots"]


def close(consultation: Consultation, actor=None) -> int:
    """Count the votes, store the results, and destroy every member-ballot link for good."""
    if consultation.closed_at is not None:
        raise ConsultationError(_("La consultation est déjà close."), 409)
    if consultation.vote_closes_at > utcnow():
        raise ConsultationError(_("Le vote n'est pas encore terminé."), 409)
    count = compute(consultation)
    db.session.execute(update(Participation)
                       .where(Participation.consultation_id == consultation.id)
                       .values(ballot_id=None))
    _blur_small_places(consultation)
    consultation.closed_at = utcnow()
    profile_service.audit(actor, "consultation.close", None, consultation=consultation.id,
                          ballots=count)
    return count


def _blur_small_places(consultation: Consultation) -> None:
    """Forget the section (and fédération) of ballots cast where fewer than MIN_CELL voted.

    The participation list says who voted in each section: a lone voter's ballot would
    otherwise still be recognisable in the database by its section.
    """
    def small(level):
        return select(AreaResult.area_key).where(
            AreaResult.consultation_id == consultation.id, AreaResult.level == level,
            AreaResult.ballots < MIN_CELL)
    keys = [int(key) for key in db.session.scalars(small("section"))]
    in_consultation = Ballot.consultation_id == consultation.id
    if keys:
        db.session.execute(update(Ballot).where(in_consultation, Ballot.section_id.in_(keys))
                           .values(section_id=None))
    db.session.execute(update(Ballot).where(in_consultation,
                                            Ballot.federation_code.in_(small("federation")))
                       .values(federation_code=None, section_id=None))


def due_for_close():
    """Return the consultations whose vote has ended but which are not closed yet."""
    return list(db.session.scalars(select(Consultation).where(
        Consultation.closed_at.is_(None), Consultation.vote_closes_at <= utcnow())))


def area(consultation: Consultation, level: str, key: str = "") -> AreaResult | None:
    return db.session.scalar(select(AreaResult).where(
        AreaResult.consultation_id == consultation.id, AreaResult.level == level,
        AreaResult.area_key == key))


def areas(consultation: Consultation, level: str) -> list[AreaResult]:
    return list(db.session.scalars(select(AreaResult).where(
        AreaResult.consultation_id == consultation.id, AreaResult.level == level)
        .order_by(AreaResult.area_name, AreaResult.area_key)))


def bars(consultation: Consultation, result: AreaResult | None, titles: dict[int, str]):
    """Turn stored scores into rows for the chart and table: title, figures, bar width (%)."""
    if result is None or not result.scores:
        return []
    top = max((row[3] for row in result.scores), default=0) or 1
    total_firsts = result.ballots or 1
    return [{"rank": rank, "option_id": oid, "title": titles.get(oid, "?"), "score": s,
             "firsts": f, "first_share": round(100 * f / total_firsts),
             "combined": c, "width": round(100 * c / top)}
            for rank, (oid, s, f, c) in enumerate(result.scores, start=1)]


def shares(scores) -> dict[int, float]:
    """Turn an area's stored scores into each option's share of its combined score."""
    total = sum(row[3] for row in scores) or 1
    return {row[0]: row[3] / total for row in scores}


def distance_to(a: dict[int, float], b: dict[int, float]) -> float:
    """Half the L1 gap between two areas' shares, in points of percentage."""
    return round(50 * sum(abs(a.get(k, 0) - b.get(k, 0)) for k in a.keys() | b.keys()), 1)


def distance(section: AreaResult, national: AreaResult) -> float:
    """Tell how far a section's priorities are from the nation's: half the L1 gap of shares."""
    return distance_to(shares(section.scores), shares(national.scores))
