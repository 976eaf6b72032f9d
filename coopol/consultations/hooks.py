"""The consultations' part in members' data rights (GDPR): never a ballot, only who took part
and what the member proposed."""

from sqlalchemy import select, update

from ..extensions import db
from ..profile import privacy
from .models import Consultation, Debate, Option, Participation, Synthesis


def _when(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


@privacy.collect_member_data.connect
def member_data(member):
    """Return what the member proposed and where they took part; how they voted is not kept."""
    contributions = db.session.execute(
        select(Option, Consultation.title).join(Consultation,
                                                Consultation.id == Option.consultation_id)
        .where(Option.member_id == member.id).order_by(Option.id))
    participations = db.session.execute(
        select(Consultation.title, Participation.created_at)
        .join(Participation, Participation.consultation_id == Consultation.id)
        .where(Participation.member_id == member.id).order_by(Participation.id))
    return {
        "contributions_aux_consultations": [
            {"consultation": title, "titre": o.title, "texte": o.text, "statut": o.status,
             "raison": o.reject_reason, "rang_final": o.final_rank, "date": _when(o.created_at)}
            for o, title in contributions],
        "participations_aux_consultations": [
            {"consultation": title, "date": _when(at)} for title, at in participations],
    }


@privacy.erasing_member.connect
def erase_member(member):
    """Keep the member's contributions and written work, no longer linked to them; their
    participation stays counted under the erased name."""
    for column in (Option.member_id, Consultation.created_by_id, Debate.recorded_by_id,
                   Synthesis.author_id):
        db.session.execute(update(column.class_).where(column == member.id)
                           .values({column: None})
                           .execution_options(synchronize_session=False))
