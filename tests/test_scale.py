"""The national dataset command and the figures kept for closed consultations."""

import pytest
from sqlalchemy import func, select

from coopol.consultations import rollup
from coopol.consultations.models import AreaResult, Consultation
from coopol.events.models import Event, Rsvp
from coopol.extensions import db
from coopol.geo.models import Section
from coopol.groups.models import Group, GroupMembership, Post, Proposal, ProposalSupport
from coopol.profile.models import Member
from tests.conftest import CERGY, GRENOBLE, make_member, make_section
from tests.consultations_factories import close_now, make_consultation, vote


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def seeded(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "scale", "--seed", "3", "--members", "1000"])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_scale_builds_members_sections_groups_events_and_consultations(seeded):
    assert "Terminé" in seeded
    assert _count(Member) == 1000
    assert _count(Member, Member.status == "sympathisant") in range(300, 500)
    assert _count(Section) > 10
    assert _count(Group) == 2500
    assert db.session.scalar(select(func.max(Group.member_count))) == 1000  # capped by members
    closed = _count(Consultation, Consultation.closed_at.is_not(None))
    assert (closed, _count(Consultation)) == (2, 3)
    assert _count(AreaResult) > 0 and _count(Rsvp) > 0


def test_seed_scale_keeps_every_maintained_counter_true(seeded):
    members = select(GroupMembership.group_id, func.count()).where(
        GroupMembership.status == "active").group_by(GroupMembership.group_id)
    counted = dict(db.session.execute(members).all())
    assert all(counted.get(g, 0) == n for g, n in db.session.execute(
        select(Group.id, Group.member_count)))
    going = dict(db.session.execute(select(Rsvp.event_id, func.count()).where(
        Rsvp.status == "going").group_by(Rsvp.event_id)).all())
    for event_id, count, capacity in db.session.execute(
            select(Event.id, Event.going_count, Event.capacity)):
        assert going.get(event_id, 0) == count
        assert capacity is None or count <= capacity
    replies = dict(db.session.execute(select(Post.parent_id, func.count()).where(
        Post.parent_id.is_not(None)).group_by(Post.parent_id)).all())
    assert all(replies.get(p, 0) == n for p, n in db.session.execute(
        select(Post.id, Post.reply_count).where(Post.parent_id.is_(None))))
    supports = dict(db.session.execute(select(ProposalSupport.proposal_id, func.count())
                                       .group_by(ProposalSupport.proposal_id)).all())
    assert all(supports.get(p, 0) == n for p, n in db.session.execute(
        select(Proposal.id, Proposal.support_count)))


def test_seed_scale_refuses_a_database_with_members(app):
    make_member()
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--members", "1000"])
    assert result.exit_code != 0 and "déjà des membres" in result.output
    assert _count(Group) == 0


def test_report_compares_sections_to_the_nation_most_different_first():
    from coopol.consultations import results

    grenoble, cergy = make_section(), make_section("Cergy", "95", (CERGY,))
    consultation = make_consultation()
    for n in range(12):
        member = make_member(commune=GRENOBLE if n < 6 else CERGY)
        vote(consultation, member, ["Logement", "Santé"] if n < 6 else ["École"])
    close_now(consultation)
    rows = rollup.compared_sections(consultation)
    national = results.area(consultation, "national")
    expected = {str(s.id): results.distance(results.area(consultation, "section", str(s.id)),
                                            national) for s in (grenoble, cergy)}
    assert [(r["key"], r["distance"]) for r in rows] == sorted(
        expected.items(), key=lambda item: -item[1])
    assert all(r["distance"] > 0 for r in rows)
