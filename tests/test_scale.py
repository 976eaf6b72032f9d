"""The national dataset command and the figures kept for closed consultations."""

import pytest
from sqlalchemy import delete, func, insert, select

from coopol.consultations import results, rollup
from coopol.consultations.models import AreaResult, Ballot, BallotChoice, Consultation, Debate
from coopol.events.models import Event, Rsvp
from coopol.extensions import db
from coopol.geo.models import Commune, Section
from coopol.groups.models import Group, GroupMembership, Post, Proposal, ProposalSupport
from coopol.profile.models import Member
from tests.conftest import CERGY, GRENOBLE, login, make_member, make_section
from tests.consultations_factories import close_now, make_consultation, option_ids, vote
from tests.querycount import count_queries


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


def _sections_with_voters(consultation, communes, voters=5, pick=None):
    """One section per commune, each with `voters` members voting its own way."""
    sections = []
    for n, insee in enumerate(communes):
        sections.append(make_section(f"Section {insee}", db.session.get(Commune, insee)
                                     .federation_code, [insee]))
        for _ in range(voters):
            vote(consultation, make_member(commune=insee), pick(n) if pick else
                 [["Logement", "Santé"], ["École"], ["Transports", "École"]][n % 3])
    return sections


def _free_communes(n):
    return list(db.session.scalars(select(Commune.insee).where(
        Commune.federation_code == "38", Commune.section_id.is_(None),
        Commune.has_arrondissements.is_(False)).order_by(Commune.insee).limit(n)))


def _stored_distances(consultation):
    national = results.area(consultation, "national")
    return {row.area_key: (row.distance, results.distance(row, national) if row.scores
                           else None)
            for row in results.areas(consultation, "section")}


def test_each_sections_distance_is_stored_as_results_distance_gives_it():
    consultation = make_consultation()
    _sections_with_voters(consultation, _free_communes(4))
    make_section("Cergy", "95", (CERGY,))
    vote(consultation, make_member(commune=CERGY), ["Santé"])  # a section under five ballots
    close_now(consultation)
    stored = _stored_distances(consultation)
    assert len(stored) == 5
    assert all(distance == expected for distance, expected in stored.values()), stored
    assert sum(distance is None for distance, _e in stored.values()) == 1  # the small one
    assert [r["distance"] for r in rollup.compared_sections(consultation)] == sorted(
        (d for d, _e in stored.values() if d is not None), reverse=True)


def test_a_recount_stores_the_comparison_and_participation_figures_again(app):
    consultation = make_consultation()
    sections = _sections_with_voters(consultation, _free_communes(3))
    close_now(consultation)
    assert (consultation.participants_count, consultation.sections_reached,
            consultation.debates_count) == (15, 3, 0)
    first = _stored_distances(consultation)
    # A repair: the ballots of the first section really ranked École first, and a meeting
    # of 40 people in the second section was recorded late.
    ids = option_ids(consultation)
    keys = db.session.scalars(select(Ballot.id).where(
        Ballot.consultation_id == consultation.id, Ballot.section_id == sections[0].id)).all()
    db.session.execute(delete(BallotChoice).where(BallotChoice.ballot_id.in_(keys)))
    db.session.execute(insert(BallotChoice), [{"ballot_id": k, "option_id": ids["École"],
                                               "value": 1} for k in keys])
    db.session.add(Debate(consultation_id=consultation.id, section_id=sections[1].id,
                          held_on=consultation.vote_closes_at, attendance=40,
                          choices={str(ids["Transports"]): 1}))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["consultations", "compute",
                                                str(consultation.id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    again = _stored_distances(consultation)
    assert again != first
    assert all(distance == expected for distance, expected in again.values()), again
    consultation = db.session.get(Consultation, consultation.id)
    assert (consultation.participants_count, consultation.debates_count) == (15, 1)
    figures = rollup.participation_figures(consultation, results.area(consultation, "national"))
    assert (figures["debates"], figures["attendance"]) == (1, 40)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_report_reads_the_same_number_of_queries_for_2_or_12_sections(client, headers):
    admin = make_member(roles=[("admin", None)])
    communes = _free_communes(14)
    small, large = make_consultation(title="Petite"), make_consultation(title="Grande")
    _sections_with_voters(small, communes[:2])
    _sections_with_voters(large, communes[2:])
    close_now(small)
    close_now(large)
    login(client, admin)
    client.get("/")  # the first request of the hour records when the member was last seen
    counts = []
    for consultation in (small, large):
        with count_queries() as queries:
            page = client.get(f"/consultations/{consultation.id}/report", headers=headers)
        assert page.status_code == 200 and "les plus éloignées" in page.get_data(as_text=True)
        counts.append(queries.count)
    assert counts[0] == counts[1] <= 12, counts
