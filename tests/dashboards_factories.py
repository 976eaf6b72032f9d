"""Factories for the dashboards tests: members, events, RSVPs and participations at set dates."""

from datetime import datetime, timedelta

from coopol.consultations.models import Consultation, Participation
from coopol.events.models import Event, Rsvp
from coopol.extensions import db
from tests.conftest import make_member


def member_at(created: datetime, **kwargs):
    """A member who joined at `created` (and was last seen at `seen`, if given)."""
    seen = kwargs.pop("seen", None)
    member = make_member(**kwargs)
    member.created_at, member.last_seen_at = created, seen
    db.session.commit()
    return member


def event_at(section, starts: datetime, status="scheduled", answers=()):
    """An event of the section and its RSVPs: (member, status, checked in) triples."""
    event = Event(kind="reunion", title="Réunion", starts_at=starts,
                  ends_at=starts + timedelta(hours=2), commune_insee=section.communes[0].insee,
                  section_id=section.id, status=status)
    db.session.add(event)
    db.session.flush()
    for n, (member, answer, checked) in enumerate(answers):
        db.session.add(Rsvp(event_id=event.id, member_id=member.id, status=answer,
                            code=f"C{n:04d}", checked_in_at=starts if checked else None))
    db.session.commit()
    return event


def consultation_at(opens: datetime, voters=(), eligibility="members", section=None,
                    federation=None, title="Nos priorités"):
    """A consultation whose vote opened at `opens`, and who took part (their section then)."""
    consultation = Consultation(
        title=title, eligibility=eligibility, federation_code=federation,
        section_id=section.id if section is not None else None,
        contributions_open_at=opens - timedelta(days=7), vote_opens_at=opens,
        vote_closes_at=opens + timedelta(days=7), syntheses_due_at=opens + timedelta(days=21))
    db.session.add(consultation)
    db.session.flush()
    for voter in voters:
        db.session.add(Participation(consultation_id=consultation.id, member_id=voter.id,
                                     section_id=voter.section_id))
    db.session.commit()
    return consultation
