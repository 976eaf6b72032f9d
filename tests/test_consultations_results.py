"""Results: counting methods on hand-computed examples, small cells, secrecy, the close."""

import re

import pytest
from sqlalchemy import func, select

from coopol.consultations import results
from coopol.consultations.models import AreaResult, Ballot, Consultation, Option, Participation
from coopol.extensions import db
from tests.conftest import CERGY, login, make_member, make_section, reload
from tests.consultations_factories import close_now, make_consultation, option_ids, vote


def national(consultation) -> list[tuple[str, int, int, int]]:
    names = {v: k for k, v in option_ids(consultation).items()}
    area = results.area(consultation, "national")
    return [(names[oid], score, firsts, combined) for oid, score, firsts, combined in area.scores]


RANKINGS = [["Logement", "Santé", "Transports"], ["Logement", "Transports"],
            ["Santé", "Logement"], ["Transports", "Santé", "Logement"], ["Logement"]]


def test_ranking_counts_borda_points_and_first_choices(client, section):
    consultation = make_consultation("vote", max_choices=3)
    for ranking in RANKINGS:
        vote(consultation, make_member(), ranking)
    close_now(consultation)
    # Borda with 3 places: 1st = 3 points, 2nd = 2, 3rd = 1.
    # Logement 3+3+2+1+3 = 12, Santé 2+3+2 = 7, Transports 1+2+3 = 6, École 0.
    assert national(consultation) == [("Logement", 12, 3, 12), ("Santé", 7, 1, 7),
                                      ("Transports", 6, 1, 6), ("École", 0, 0, 0)]
    ids = option_ids(consultation)
    assert reload(Option, ids["Logement"]).final_rank == 1
    assert reload(Option, ids["École"]).final_rank == 4
    login(client, make_member())
    page = client.get(f"/consultations/{consultation.id}/results").get_data(as_text=True)
    assert "<svg" in page and "<table" in page
    assert re.search(r"<th scope=\"row\">Logement</th><td>12</td><td>3 \(60 %\)</td>", page)


def test_multiple_choice_counts_picks(section):
    consultation = make_consultation("vote", method="multiple", max_choices=2)
    for picks in (["Logement", "Santé"], ["Logement"], ["Santé", "Transports"],
                  ["Logement", "Transports"], ["Logement", "Santé"]):
        vote(consultation, make_member(), picks)
    close_now(consultation)
    assert [(t, s) for t, s, _f, _c in national(consultation)] == [
        ("Logement", 4), ("Santé", 3), ("Transports", 2), ("École", 0)]


def test_points_are_summed(section):
    consultation = make_consultation("vote", method="points", points_total=10)
    for spread in ({"Logement": 5, "Santé": 5}, {"Logement": 10}, {"Transports": 7, "Santé": 3},
                   {"Logement": 1, "Santé": 1, "Transports": 1}, {"École": 10}):
        vote(consultation, make_member(), spread)
    close_now(consultation)
    assert [(t, s) for t, s, _f, _c in national(consultation)] == [
        ("Logement", 16), ("École", 10), ("Santé", 9), ("Transports", 8)]


def test_in_person_debate_counts_as_its_attendance_in_the_combined_score(section):
    from coopol.consultations import rollup
    from coopol.database import utcnow
    consultation = make_consultation("vote", max_choices=3)
    for ranking in RANKINGS:
        vote(consultation, make_member(), ranking)
    ids = option_ids(consultation)
    secretary = make_member(roles=[("secretary", section)])
    rollup.record_debate(consultation, section, utcnow(), 10,
                         [(ids["Santé"], 1), (ids["Transports"], 2)], secretary)
    db.session.commit()
    close_now(consultation)
    # Santé 7 + 10 × 3 = 37, Transports 6 + 10 × 2 = 26, Logement 12.
    assert national(consultation)[:3] == [("Santé", 7, 1, 37), ("Transports", 6, 1, 26),
                                          ("Logement", 12, 3, 12)]
    assert results.area(consultation, "national").attendance == 10


def test_areas_with_fewer_than_five_ballots_are_hidden(client, section):
    cergy = make_section("Cergy", "95", [CERGY])
    consultation = make_consultation("vote")
    for _ in range(5):
        vote(consultation, make_member(), ["Santé"])
    for _ in range(2):
        vote(consultation, make_member(commune=CERGY), ["École"])
    close_now(consultation)
    grenoble = results.area(consultation, "section", str(section.id))
    assert grenoble.ballots == 5 and grenoble.scores[0][1] == 15
    small = results.area(consultation, "section", str(cergy.id))
    assert small.ballots == 2 and small.scores == []
    assert results.area(consultation, "federation", "95").scores == []
    login(client, make_member(roles=[("admin", None)]))
    page = client.get(f"/consultations/{consultation.id}/results?level=federation&key=95")
    assert "Moins de 5 bulletins" in page.get_data(as_text=True)
    mine = client.get(f"/consultations/{consultation.id}/results?level=section&key={section.id}")
    assert "<figcaption>Grenoble — 5 bulletins" in mine.get_data(as_text=True)
    assert client.get(f"/consultations/{consultation.id}/results?level=section&key=0"
                      ).status_code == 404
    # At the close, the small section's ballots lose their place, so they cannot be told apart.
    places = set(db.session.execute(select(Ballot.section_id, Ballot.federation_code)).all())
    assert places == {(section.id, "38"), (None, None)}
    csv = client.get(f"/consultations/{consultation.id}/report.csv").get_data(as_text=True)
    assert "section,Cergy,<5" in csv
    assert not any(line.startswith("section,Cergy") and "École" in line
                   for line in csv.splitlines())


def test_close_destroys_member_ballot_links_and_own_ballot_disappears(client, section):
    consultation = make_consultation("vote")
    voter = make_member()
    vote(consultation, voter, ["Transports", "École"])
    login(client, voter)
    assert client.get(f"/consultations/{consultation.id}/vote").get_data(
        as_text=True).count(" selected") == 2
    close_now(consultation)
    assert db.session.scalar(select(func.count()).select_from(Participation).where(
        Participation.ballot_id.is_not(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert " selected" not in client.get(f"/consultations/{consultation.id}/vote").get_data(
        as_text=True)
    # A ballot carries nothing that points to its voter.
    assert {c.name for c in Ballot.__table__.columns} == {
        "id", "consultation_id", "section_id", "federation_code"}


def test_no_route_reveals_another_members_ballot(client, section):
    consultation = make_consultation("vote", options=("Alpha", "Bravo", "Charlie", "Delta"))
    secret = make_member(name="Secret Voter")
    vote(consultation, secret, ["Delta", "Charlie"])
    admin = make_member(roles=[("admin", None)])
    secretary = make_member(roles=[("secretary", section)])
    paths = ["/consultations/", f"/consultations/{consultation.id}",
             f"/consultations/{consultation.id}/vote",
             f"/consultations/{consultation.id}/participation",
             f"/consultations/{consultation.id}/options",
             f"/consultations/{consultation.id}/sections/{section.id}",
             f"/consultations/{consultation.id}/federations/38", "/"]
    for viewer in (admin, secretary):
        login(client, viewer)
        for path in paths:
            html = client.get(path).get_data(as_text=True)
            # The voter's ranking never appears as selected ranks or as "my" ballot.
            assert " selected" not in html, path
            assert "Delta</span>" not in html, path
    for path in (f"/consultations/{consultation.id}/results",
                 f"/consultations/{consultation.id}/report",
                 f"/consultations/{consultation.id}/report.csv"):
        assert client.get(path).status_code == 404  # nothing before the close


def test_results_are_stored_once_and_not_recomputed_per_view(client, section, monkeypatch):
    consultation = make_consultation("vote")
    for _ in range(5):
        vote(consultation, make_member(), ["Santé"])
    close_now(consultation)
    monkeypatch.setattr(results, "compute", lambda *a: pytest.fail("recomputed on view"))
    login(client, make_member())
    assert client.get(f"/consultations/{consultation.id}/results").status_code == 200
    assert client.get(f"/consultations/{consultation.id}/report").status_code == 200


def test_cli_closes_due_consultations_and_recomputes(app, section):
    from datetime import timedelta

    from coopol.database import utcnow
    consultation = make_consultation("vote")
    for _ in range(5):
        vote(consultation, make_member(), ["École"])
    consultation.vote_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    runner = app.test_cli_runner()
    outcome = runner.invoke(args=["consultations", "close"])
    assert outcome.exit_code == 0 and "5 bulletins" in outcome.output
    assert reload(Consultation, consultation.id).closed_at is not None
    db.session.execute(AreaResult.__table__.delete())
    db.session.commit()
    outcome = runner.invoke(args=["consultations", "compute", str(consultation.id)])
    assert outcome.exit_code == 0 and "5 bulletins" in outcome.output
    assert results.area(consultation, "national").scores[0][1] == 15


def test_close_button_only_after_the_end_and_for_those_who_run_it(client, section):
    consultation = make_consultation("vote")
    login(client, make_member())
    assert client.post(f"/consultations/{consultation.id}/close").status_code == 403
    login(client, make_member(roles=[("admin", None)]))
    response = client.post(f"/consultations/{consultation.id}/close")
    assert response.status_code == 409 and "pas encore terminé" in response.get_data(as_text=True)
    assert reload(Consultation, consultation.id).closed_at is None
    ended = make_consultation("counting")
    assert client.post(f"/consultations/{ended.id}/close").status_code == 303
    assert reload(Consultation, ended.id).closed_at is not None
