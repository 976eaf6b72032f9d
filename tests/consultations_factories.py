"""Factories for consultation tests: a consultation in a given phase, its options, ballots."""

from datetime import timedelta

from coopol.consultations import ballots, results
from coopol.consultations.models import Consultation, Option
from coopol.database import utcnow
from coopol.extensions import db

DAY = timedelta(days=1)
# Phase dates relative to now: contributions open, vote opens, vote closes, syntheses due.
PHASES = {
    "upcoming": (DAY, 2 * DAY, 3 * DAY, 4 * DAY),
    "contributions": (-DAY, DAY, 2 * DAY, 3 * DAY),
    "vote": (-2 * DAY, -DAY, DAY, 2 * DAY),
    "counting": (-3 * DAY, -2 * DAY, -timedelta(minutes=5), 2 * DAY),
}


def make_consultation(phase="vote", options=("Logement", "Santé", "Transports", "École"),
                      method="ranking", max_choices=3, points_total=10, eligibility="members",
                      section=None, federation=None, title="Nos priorités", theme=None):
    now = utcnow()
    opens, vote, closes, due = (now + delta for delta in PHASES[phase])
    consultation = Consultation(
        title=title, context="Le **contexte**.", method=method, max_choices=max_choices,
        points_total=points_total, eligibility=eligibility,
        section_id=section.id if section is not None else None, federation_code=federation,
        theme_id=theme.id if theme is not None else None, contributions_open_at=opens,
        vote_opens_at=vote, vote_closes_at=closes, syntheses_due_at=due)
    db.session.add(consultation)
    db.session.flush()
    db.session.add_all(Option(consultation_id=consultation.id, title=t, origin="organiser",
                              status="accepted") for t in options)
    db.session.commit()
    return consultation


def option_ids(consultation) -> dict[str, int]:
    return {o.title: o.id for o in
            db.session.query(Option).filter_by(consultation_id=consultation.id)}


def vote(consultation, member, titles_or_points):
    """Cast a ballot directly: a list of titles (ranking order / picks) or a {title: points}."""
    ids = option_ids(consultation)
    if isinstance(titles_or_points, dict):
        choices = [(ids[t], p) for t, p in titles_or_points.items()]
    else:
        choices = [(ids[t], rank) for rank, t in enumerate(titles_or_points, start=1)]
    ballots.cast_ballot(consultation, member, choices)
    db.session.commit()


def close_now(consultation):
    """End the vote now and close the consultation, as the CLI would."""
    consultation.vote_closes_at = utcnow() - timedelta(seconds=1)
    results.close(consultation)
    db.session.commit()
