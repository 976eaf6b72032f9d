"""After the close: in-person debates, section and fédération syntheses, reminders, the report."""

from datetime import datetime

from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import mail
from ..database import utcnow
from ..extensions import db
from ..geo.models import Section
from ..profile import service as profile_service
from . import ballots, results, service
from .models import AreaResult, Consultation, Debate, Synthesis
from .service import ConsultationError


def sections_in_scope(consultation: Consultation, federation_code: str | None = None):
    """Return the query of sections a consultation covers, optionally within one fédération."""
    query = select(Section).where(*service.sections_covered(consultation)).order_by(Section.name)
    if federation_code:
        query = query.where(Section.federation_code == federation_code)
    return query


def secretary_areas(consultation: Consultation, member) -> list[tuple[str, object]]:
    """List the sections and fédérations of this consultation where the member is secretary."""
    areas = []
    for role in member.roles:
        if role.role != "secretary":
            continue
        if role.section is not None and covers_section(consultation, role.section):
            areas.append(("section", role.section))
        elif (role.federation is not None and role.section_id is None
              and consultation.section_id is None
              and consultation.federation_code in (None, role.federation_code)):
            areas.append(("federation", role.federation))
    return areas


def covers_section(consultation: Consultation, section: Section) -> bool:
    if consultation.section_id is not None:
        return section.id == consultation.section_id
    code = consultation.federation_code
    return not code or section.federation_code == code


# --- in-person debates ---------------------------------------------------------------------


def record_debate(consultation: Consultation, section: Section, held_on: datetime,
                  attendance: int, choices, actor) -> Debate:
    """Record (or correct) a section meeting's outcome; it counts in the combined results."""
    if consultation.phase() not in ("vote", "counting"):
        raise ConsultationError(_("Les réunions se saisissent pendant le vote, avant la clôture."),
                                409)
    if attendance < 1 or attendance > 10000:
        raise ConsultationError(_("Indique le nombre de présents (1 à 10 000)."))
    option_ids = {o.id for o in service.options(consultation, whole=True)}
    choices = ballots.check_choices(consultation, choices, option_ids)
    debate = db.session.scalar(select(Debate).where(
        Debate.consultation_id == consultation.id, Debate.section_id == section.id))
    if debate is None:
        debate = Debate(consultation_id=consultation.id, section_id=section.id)
        db.session.add(debate)
    debate.held_on, debate.attendance = held_on, attendance
    debate.choices = {str(option_id): value for option_id, value in choices}
    debate.recorded_by_id, debate.recorded_at = actor.id, utcnow()
    return debate


def debate_of(consultation: Consultation, section: Section) -> Debate | None:
    return db.session.scalar(select(Debate).where(
        Debate.consultation_id == consultation.id, Debate.section_id == section.id))


# --- syntheses -------------------------------------------------------------------------------


def synthesis_of(consultation: Consultation, level: str, key: str) -> Synthesis | None:
    return db.session.scalar(select(Synthesis).where(
        Synthesis.consultation_id == consultation.id, Synthesis.level == level,
        Synthesis.area_key == key).options(selectinload(Synthesis.author)))


def save_synthesis(consultation: Consultation, level: str, key: str, federation_code: str,
                   body: str, submit: bool, author) -> Synthesis:
    """Save a synthesis as draft or submit it, with the figures it was written against."""
    if consultation.closed_at is None:
        raise ConsultationError(_("Les synthèses s'écrivent après la clôture du vote."), 409)
    body = (body or "").strip()
    if submit and not body:
        raise ConsultationError(_("Écris la synthèse avant de la soumettre."))
    synthesis = synthesis_of(consultation, level, key)
    if synthesis is not None and synthesis.status == "submitted":
        raise ConsultationError(_("Cette synthèse est déjà soumise."), 409)
    if synthesis is None:
        synthesis = Synthesis(consultation_id=consultation.id, level=level, area_key=key,
                              federation_code=federation_code,
                              section_id=int(key) if level == "section" else None)
        db.session.add(synthesis)
    figures = results.area(consultation, level, key)
    synthesis.figures = {"ballots": figures.ballots, "eligible": figures.eligible,
                         "attendance": figures.attendance, "scores": figures.scores,
                         "computed_at": consultation.closed_at.isoformat()} if figures else {}
    synthesis.body, synthesis.author_id, synthesis.updated_at = body[:20000], author.id, utcnow()
    if submit:
        synthesis.status, synthesis.submitted_at = "submitted", utcnow()
    return synthesis


def section_todo(member) -> list[tuple[Consultation, Section]]:
    """List the closed consultations whose section synthesis this secretary still owes."""
    sections = [r.section for r in member.roles if r.role == "secretary" and r.section_id]
    if not sections:
        return []
    closed = db.session.scalars(select(Consultation).where(
        Consultation.closed_at.is_not(None), Consultation.syntheses_due_at > utcnow())
        .order_by(Consultation.syntheses_due_at)).all()
    submitted = set(db.session.execute(select(Synthesis.consultation_id, Synthesis.area_key).where(
        Synthesis.level == "section", Synthesis.status == "submitted",
        Synthesis.consultation_id.in_([c.id for c in closed]))).all())
    return [(c, s) for c in closed for s in sections
            if covers_section(c, s) and (c.id, str(s.id)) not in submitted]


def federation_sections(consultation: Consultation, federation_code: str):
    """Return (section, synthesis or None) for every covered section of a fédération."""
    sections = db.session.scalars(sections_in_scope(consultation, federation_code)).all()
    syntheses = {s.area_key: s for s in db.session.scalars(select(Synthesis).where(
        Synthesis.consultation_id == consultation.id, Synthesis.level == "section",
        Synthesis.federation_code == federation_code))}
    return [(section, syntheses.get(str(section.id))) for section in sections]


def remind_late(consultation: Consultation, federation_code: str, actor) -> int:
    """Mail the secretaries of sections that have not submitted; return how many mails."""
    sent = 0
    for section, synthesis in federation_sections(consultation, federation_code):
        if synthesis is not None and synthesis.status == "submitted":
            continue
        for secretary in profile_service.section_secretaries(section):
            mail.queue(secretary.email, "consultation_reminder", title=consultation.title,
                       section=section.name, consultation_id=consultation.id,
                       section_id=section.id,
                       due=consultation.syntheses_due_at.strftime("%d/%m/%Y"))
            sent += 1
    profile_service.audit(actor, "consultation.remind", None, consultation=consultation.id,
                          federation=federation_code, mails=sent)
    return sent


# --- national report -----------------------------------------------------------------------


def participation_figures(consultation: Consultation, national: AreaResult | None) -> dict:
    """Return the participation figures stored with the results: participants, adhérents
    among them, sections reached, eligible members, meetings and their attendance."""
    return {"participants": consultation.participants_count,
            "adherents": consultation.adherent_participants,
            "sections": consultation.sections_reached,
            "eligible": national.eligible if national else 0,
            "debates": consultation.debates_count,
            "attendance": national.attendance if national else 0}


def federation_syntheses(consultation: Consultation) -> list[tuple[Synthesis, list[Synthesis]]]:
    """Return every submitted fédération synthesis with its sections' submitted syntheses."""
    rows = db.session.scalars(select(Synthesis).where(
        Synthesis.consultation_id == consultation.id, Synthesis.status == "submitted")
        .options(selectinload(Synthesis.section)).order_by(Synthesis.federation_code,
                                                           Synthesis.id)).all()
    sections: dict[str, list[Synthesis]] = {}
    for row in rows:
        if row.level == "section":
            sections.setdefault(row.federation_code, []).append(row)
    return [(row, sections.get(row.federation_code, [])) for row in rows
            if row.level == "federation"]


def compared_sections(consultation: Consultation, limit: int = 20) -> list[dict]:
    """Return the sections whose priorities differ most from the national result.

    The distances are stored with the results (`results.compute`): the index on them hands
    over the first `limit` sections without reading the others.
    """
    shown = db.session.connection().execute(
        select(AreaResult.area_name, AreaResult.area_key, AreaResult.ballots, AreaResult.scores,
               AreaResult.distance)
        .where(AreaResult.consultation_id == consultation.id, AreaResult.level == "section",
               AreaResult.distance.is_not(None))
        .order_by(AreaResult.distance.desc(), AreaResult.id.desc()).limit(limit))
    return [{"name": name, "key": key, "ballots": ballots, "top": scores[0][0],
             "distance": distance} for name, key, ballots, scores, distance in shown]
